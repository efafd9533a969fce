"""Which files an import reads, and their bytes: the one stage that touches the file system.

A Source names a file on disk or one already in memory (an admin upload).
``load`` reads it under the size limit and fingerprints it; the Loaded value
it gives is what the later stages pass on, never the file or the Source.
"""

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import ImportFailure, describe_read_error
from .report import FAILED, FileResult


@dataclass(frozen=True)
class Source:
    """One file to import: on disk (``path``) or already in memory (``data``, e.g. an admin upload).

    ``name`` is what the article remembers as its source (a re-import finds it by that);
    ``display`` is how reports name the file.
    """

    display: str
    name: str
    path: Path | None = None
    data: bytes | None = None

    def read(self, max_size):
        if self.data is not None:
            check_size(len(self.data), max_size)
            return self.data
        return read_file(self.path, max_size)


@dataclass(frozen=True)
class FileRef:
    """Which file, and its place in the run: what every FileResult about it repeats.

    It holds the Source's names, not the Source: an upload's bytes would
    otherwise travel to the worker processes and back with every value.
    """

    index: int
    display: str
    source_name: str

    def result(self, outcome, message="", **details):
        return FileResult(self.display, outcome, message, index=self.index, **details)


@dataclass(frozen=True)
class Loaded(FileRef):
    """A file's bytes and their SHA-256, by which a file stored already is known without parsing it."""

    raw: bytes
    checksum: str


def find_files(paths):
    """Yield a Source for each file: folders are searched for *.txt, in name order.

    The source name is the path relative to the folder given (or the file's
    own name), so importing a folder again finds the same articles.
    """
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for folder, subfolders, names in os.walk(given):
                subfolders.sort()
                folder = Path(folder)
                relative = folder.relative_to(given).as_posix()
                for name in sorted(names):
                    if name.endswith(".txt"):
                        found = folder / name
                        yield Source(str(found), name if relative == "." else f"{relative}/{name}", path=found)
        else:
            yield Source(str(given), given.name, path=given)


def load(source, index, max_size):
    """The file's bytes as a Loaded, or a failed FileResult saying why they cannot be read."""
    try:
        raw = source.read(max_size)
    except ImportFailure as exc:
        reason = str(exc)
    except OSError as exc:
        reason = describe_read_error(exc)
    else:
        return Loaded(index, source.display, source.name, raw=raw, checksum=hashlib.sha256(raw).hexdigest())
    return FileRef(index, source.display, source.name).result(FAILED, reason)


def read_file(path, max_size):
    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise ImportFailure("this is a folder, not a file")
    check_size(status.st_size, max_size)
    with open(path, "rb") as handle:
        return handle.read(max_size + 1)


def check_size(size, max_size):
    if size > max_size:
        raise ImportFailure(f"the file is {size:,} bytes, over the limit of {max_size:,} (see --max-size)")
