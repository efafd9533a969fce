"""python manage.py import_articles PATH [PATH ...]: load text files as articles.

Arguments in, ``articles.importing.import_files`` does the work, its results
out: a line per file (failures on stderr), a counter instead on a terminal,
the summary last. A failed file or an interrupt ends in a CommandError, so the
exit status is 1.
"""

import signal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from articles.importing import (
    DATE_ORDERS, DEFAULT_CATEGORY, DEFAULT_MAX_SIZE, FAILED, DateReading, ImportOptions, import_files,
)


def parse_size(value):
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = value.strip().lower().rstrip("b")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise CommandError(f"--max-size {value!r} is not a size such as 10M or 500000")


class Command(BaseCommand):
    help = "Import articles from text files (breadcrumb or header format) or folders of *.txt files."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .txt file or a folder (searched for *.txt)")
        parser.add_argument("--dry-run", action="store_true", help="parse and report, write nothing")
        parser.add_argument("--publish", action="store_true", help="imported articles go live (default: drafts)")
        parser.add_argument("--category", default=DEFAULT_CATEGORY, metavar="PATH",
                            help=f"category for files that name none, e.g. news/wire (default: {DEFAULT_CATEGORY})")
        parser.add_argument("--encoding", help="decode files with this encoding when they are not UTF-8 or marked by a BOM")
        parser.add_argument("--max-size", default=str(DEFAULT_MAX_SIZE), type=parse_size,
                            help="skip files larger than this (default 10M)")
        parser.add_argument("--user", help="record the revisions for this user; --publish then needs their publish permission")
        parser.add_argument("--timezone", metavar="ZONE",
                            help="read a Date with no zone in this zone, e.g. Asia/Shanghai (default: NEWSROOM_TIME_ZONE)")
        parser.add_argument("--date-order", choices=DATE_ORDERS,
                            help="read a Date such as 06/01/2022 day-first (6 January) or month-first (1 June); "
                                 "without it such a date fails")

    def handle(self, *args, **options):
        user = find_user(options["user"])
        if options["timezone"]:
            try:
                DateReading(options["timezone"])
            except ValueError as exc:
                raise CommandError(f"--timezone {exc}")
        import_options = ImportOptions(
            publish=options["publish"],
            default_category=options["category"],
            encoding=options["encoding"],
            max_size=options["max_size"],
            dry_run=options["dry_run"],
            user=user,
            time_zone=options["timezone"],
            date_order=options["date_order"],
        )
        verbosity = options["verbosity"]
        progress = Progress(self.stderr) if self.stdout.isatty() and verbosity >= 1 else None

        def on_result(result):
            if progress:
                progress.step(result)
            if result.outcome == FAILED:
                if progress:
                    progress.clear()
                self.stderr.write(result.line())
            elif verbosity >= 2 or (verbosity == 1 and not progress):
                self.stdout.write(result.line())

        # A kill (SIGTERM) stops like Ctrl-C: the file in progress rolls back.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            report = import_files(options["paths"], import_options, on_result=on_result)
        except PermissionDenied:
            raise CommandError(f"{user.get_username()} may not publish: import without --publish, as drafts")
        finally:
            signal.signal(signal.SIGTERM, previous)
            if progress:
                progress.clear()
        if options["dry_run"]:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(report.summary())
        if report.interrupted:
            raise CommandError("interrupted: the file in progress was rolled back; run again to import the rest")
        if not report.ok:
            raise CommandError(f"{report.count(FAILED)} file(s) could not be imported; the reasons are above")


def find_user(username):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _unstyled(text):
    return text


class Progress:
    """A one-line counter on a terminal; line-oriented output is used otherwise.

    ``stream`` is the command's stderr wrapper; the counter is written
    unstyled, as the error colour is for the failures.
    """

    def __init__(self, stream):
        self.stream = stream
        self.done = 0

    def step(self, result):
        self.done += 1
        self._show(f"\rimported {self.done} file(s): {result.path[-60:]:<60}")

    def clear(self):
        self._show("\r" + " " * 90 + "\r")

    def _show(self, text):
        self.stream.write(text, style_func=_unstyled, ending="")
        self.stream.flush()
