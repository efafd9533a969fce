"""Prepare a batch in worker processes while the parent writes the one before, for big runs.

Preparing (decoding, parsing, entity linking, making the body's HTML and
search text) is CPU work with no database access, so forked workers do it and
the parent's database writes overlap it; ``worker_count`` says how many.
Below PARALLEL_FROM files, starting workers costs more than it saves and the
batch is prepared in this process. Fork, not spawn: the workers inherit
the loaded code and the entity matcher instead of building them again.
"""

import multiprocessing
import os
import signal

from .dates import DateReading
from .prepare import prepare

PARALLEL_FROM = 400
WORKERS = 2  # at most
_worker_state = {}


def worker_count(cpus=None):
    """How many worker processes: one core is left to the parent, whose writing is the slower half.

    On two cores, two workers and the parent took turns on them and the
    parent, which every batch waits for, lost a third of its time to them;
    one worker prepares a batch in less time than the parent writes one.
    """
    cpus = cpus or os.cpu_count() or 1
    return max(0, min(WORKERS, cpus - 1))


def _init_worker(matcher, encoding, dates):
    # The parent handles Ctrl-C and SIGTERM; workers just stop with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_state.update(matcher=matcher, encoding=encoding, dates=dates)


def _prepare_in_worker(loaded):
    return prepare(loaded, _worker_state["matcher"], _worker_state["encoding"], _worker_state["dates"])


class Preparer:
    """Runs ``prepare`` on a batch: in worker processes if ``parallel`` (and there are CPUs), in this process otherwise.

    ``submit`` returns at once; the batch's values come from ``.get()`` on
    what it returned, in the order the files were given.
    """

    def __init__(self, matcher, encoding=None, parallel=False, dates=DateReading()):
        self.matcher, self.encoding, self.dates = matcher, encoding, dates
        workers = worker_count()
        self.pool = None
        if parallel and workers:
            self.pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (matcher, encoding, dates))

    def submit(self, items):
        if self.pool is not None:
            return self.pool.map_async(_prepare_in_worker, items, chunksize=max(1, len(items) // 8))
        return _Later(lambda: [prepare(item, self.matcher, self.encoding, self.dates) for item in items])

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _Later:
    """The in-process stand-in for an AsyncResult: the work runs when ``get`` is called."""

    def __init__(self, work):
        self.work = work

    def get(self):
        return self.work()
