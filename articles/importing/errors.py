"""Why a file was not imported, in words an editor can act on.

Every stage reports a bad file by raising ImportFailure with a plain-words
reason; failures that come from outside (the file system, the database) are
worded here, so each kind of trouble reads the same wherever it is met.
"""


class ImportFailure(Exception):
    """A file that cannot become an article; the message names the reason in plain words."""


def describe_read_error(exc: OSError):
    return f"cannot read the file ({exc.strerror or exc})"


def describe_conflict(exc):
    """A constraint the article still broke when written again on its own."""
    return f"the database refused the article ({exc})"


def describe_database_error(exc):
    """A database failure in words an editor can act on; what was committed before stays."""
    text = str(exc).lower()
    if "full" in text:
        return "the database or its disk is full; nothing of this file was stored (free space, then run again)"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "the database is read-only; nothing of this file was stored"
    if "locked" in text:
        return "the database stayed locked by another writer; nothing of this file was stored (run again)"
    return f"the database refused the write ({str(exc).splitlines()[0][:200]}); nothing of this file was stored"
