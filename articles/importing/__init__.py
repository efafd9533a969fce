"""Text files into articles: the one import path, used by ``import_articles`` and the admin's import page.

A file goes through these stages, a module each:

* ``sources``: find the files (Source), read them under the size limit, fingerprint the bytes (Loaded)
* ``prepare``: decode, clean, parse, check lengths, flag, link entities, no database (Prepared);
  built on ``decode``, ``text``, ``parse`` (with ``dates`` for the Date header), ``quality`` and ``link``
* ``pool``: run ``prepare`` in forked workers for big runs, while the parent writes
* ``write``: store a batch in one transaction (bulk inserts), or file by file after a conflict;
  with ``categories`` (found or created once per run), ``revisions`` (django-reversion rows for a
  batch) and ``rows`` (multi-row INSERTs)
* ``maintenance``: refresh the planner's statistics after a big import
* ``service``: runs the stages in order: ``import_files``, ``import_sources``

``report`` holds what callers pass and get back (ImportOptions, FileResult,
ImportReport, the outcomes); ``errors`` holds ImportFailure and the wording of
failures. Who may publish, change or create what is not decided here but in
``articles.publishing.rules``.
"""

from .dates import DATE_ORDERS, DateReading
from .report import (
    CREATED, DEFAULT_CATEGORY, DEFAULT_MAX_SIZE, FAILED, OUTCOMES, UNCHANGED, UPDATED, FileResult, ImportOptions,
    ImportReport,
)
from .service import import_files, import_sources
from .sources import Source

__all__ = [
    "CREATED", "DATE_ORDERS", "DEFAULT_CATEGORY", "DEFAULT_MAX_SIZE", "FAILED", "OUTCOMES", "UNCHANGED", "UPDATED",
    "DateReading", "FileResult", "ImportOptions", "ImportReport", "Source", "import_files", "import_sources",
]
