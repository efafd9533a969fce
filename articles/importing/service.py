"""import_files() and import_sources(): the one way text files become articles (the command and the admin call them).

This module only runs the stages in order; each stage is a module of its own
(see the package's docstring). Files stream through in chunks of BATCH_SIZE,
so memory stays flat however many there are, and while one chunk is written
the next is prepared (in worker processes for big runs). Ctrl-C or SIGTERM
while files are being read stores the files already read and stops; one
arriving during a write rolls that batch back.
"""

from itertools import chain, islice

from django.conf import settings

from newsroom.db_router import use_primary

from ..cache.generation import content_changed
from ..orgchart import link_pending_citations
from ..publishing import rules
from .dates import DateReading
from .link import EntityMatcher
from .maintenance import REFRESH_FROM, refresh_statistics
from .pool import PARALLEL_FROM, Preparer
from .report import (
    CREATED, DEFAULT_CATEGORY, DEFAULT_MAX_SIZE, FAILED, OUTCOMES, UNCHANGED, UPDATED, FileResult, ImportOptions,
    ImportReport,
)
from .sources import Source, find_files, load
from .write import BatchWriter, stored_by_checksum

__all__ = [
    "BATCH_SIZE", "CREATED", "DEFAULT_CATEGORY", "DEFAULT_MAX_SIZE", "FAILED", "OUTCOMES", "UNCHANGED", "UPDATED",
    "FileResult", "ImportOptions", "ImportReport", "Source", "find_files", "import_files", "import_sources",
]

BATCH_SIZE = 200


@use_primary()
def import_files(paths, options=None, on_result=None, batch_size=BATCH_SIZE):
    """Import every file under ``paths``; return an ImportReport. Never raises for a bad file."""
    return import_sources(find_files(paths), options, on_result, batch_size)


@use_primary()
def import_sources(sources, options=None, on_result=None, batch_size=BATCH_SIZE):
    """Import each Source; return an ImportReport. Never raises for a bad file.

    Raises PermissionDenied before reading anything if ``options.user`` may not
    publish and ``options.publish`` asks for it. With ``on_result`` each
    FileResult is handed over as it is known (in file order) and the report
    keeps only counts; without it the report keeps every result.
    """
    options = options or ImportOptions()
    dates = date_reading(options)
    if options.publish:
        rules.check_may_publish(options.user)
    report = ImportReport(keep_results=on_result is None)
    writer = BatchWriter(options)
    files = iter(sources)
    head = list(islice(files, PARALLEL_FROM))
    numbered = enumerate(chain(head, files))
    chunks = iter(lambda: list(islice(numbered, batch_size)), [])

    def emit(results):
        for result in sorted(results, key=lambda r: r.index):
            report.add(result)
            if on_result:
                on_result(result)

    parallel = len(head) >= PARALLEL_FROM
    with Preparer(EntityMatcher.from_database(), options.encoding, parallel, dates) as preparer:
        try:
            run_pipeline(chunks, options.max_size, preparer, writer, emit)
        except KeyboardInterrupt:
            report.interrupted = True
    if report.count(CREATED) and link_pending_citations():
        content_changed()  # organisation pages now name the article their facts cite
    if report.count(CREATED) >= REFRESH_FROM:
        refresh_statistics()
    return report


def date_reading(options):
    """How this run reads Date headers: ``options.time_zone`` or the site's TIME_ZONE (NEWSROOM_TIME_ZONE),
    and ``options.date_order``. Raises ValueError for a zone or an order that is not one."""
    return DateReading(options.time_zone or settings.TIME_ZONE, options.date_order)


def run_pipeline(chunks, max_size, preparer, writer, emit):
    """Read each chunk, hand it to the preparer, and write the chunk before it meanwhile."""
    waiting = None
    for chunk in chunks:
        early, to_prepare = read_chunk(chunk, max_size)
        job = (early, preparer.submit(to_prepare))
        if waiting:
            write_prepared(writer, *waiting, emit)
        waiting = job
    if waiting:
        write_prepared(writer, *waiting, emit)


def read_chunk(chunk, max_size):
    """Read a chunk of (index, Source): (results known already, Loaded files left to prepare).

    Files whose bytes are stored already are reported unchanged here, with one
    query for the chunk and without being parsed, which makes a re-run fast.
    """
    early, loaded = [], []
    for index, source in chunk:
        item = load(source, index, max_size)
        (early if isinstance(item, FileResult) else loaded).append(item)
    stored = stored_by_checksum(item.checksum for item in loaded)
    to_prepare = []
    for item in loaded:
        if item.checksum in stored:
            pk, title = stored[item.checksum]
            early.append(item.result(UNCHANGED, article_id=pk, title=title))
        else:
            to_prepare.append(item)
    return early, to_prepare


def write_prepared(writer, early, job, emit):
    """Wait for a chunk's preparation, write what can be written, and emit every file's result."""
    results = list(early)
    prepared = []
    for item in job.get():
        (results if isinstance(item, FileResult) else prepared).append(item)
    writer.write(prepared, results.append)
    emit(results)
