"""Prepare the data folder before Django starts: the folder, the secret key and the SQLite file.

The settings module only reads what is prepared here, so importing it writes
nothing; the entry points (manage.py, newsroom/wsgi.py, newsroom/asgi.py) call
prepare_data_dir() first. This module reads the same environment variables as
the settings and never imports them, so both can share data_dir() without a
cycle. Both read the environment through newsroom.env.

Everything is private to the account running Newsroom (folder 0700, files
0600): the database holds session keys and password hashes, and the key
signs sessions, so no other local account may read them.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

from newsroom import env

BASE_DIR = Path(__file__).resolve().parent.parent
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def data_dir():
    """The folder for the SQLite file, the secret key and media: NEWSROOM_DATA_DIR, else data/."""
    return Path(env.text("NEWSROOM_DATA_DIR") or BASE_DIR / "data")


def secret_key_file():
    return data_dir() / "secret_key"


def database_url():
    """DATABASE_URL, else the SQLite file in the data folder."""
    return env.text("DATABASE_URL") or f"sqlite:///{data_dir() / 'newsroom.sqlite3'}"


def prepare_data_dir():
    """Create (or tighten) what the settings will read: the data folder, the secret key, the SQLite file.

    Nothing is created that the environment does not need: with DJANGO_SECRET_KEY
    set and a PostgreSQL DATABASE_URL, a read-only checkout stays untouched.
    """
    needs_key = not env.text("DJANGO_SECRET_KEY")
    database = sqlite_file(database_url())
    if needs_key or (database is not None and database.parent == data_dir()):
        make_private_folder(data_dir())
    if needs_key:
        ensure_secret_key(secret_key_file())
    if database is not None:
        ensure_private_database(database)


def make_private_folder(folder):
    """Create folder 0700 (its missing parents as the umask says), or take group and other access from it."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    restrict(folder, PRIVATE_FOLDER)


def restrict(path, allowed):
    """Remove every permission bit outside allowed; never add one, so a stricter mode stays as it is."""
    current = path.stat().st_mode & 0o7777
    if current & ~allowed:
        path.chmod(current & allowed)


def ensure_secret_key(path):
    """Return the key kept at path, writing a new random one first if there is none.

    The key is written whole into a temporary file (created 0600) beside it and
    then hard-linked to its name. Linking fails if the name exists, so of two
    processes starting at once exactly one key wins and the other process reads
    that complete file; nobody ever reads a half-written or readable key.
    """
    if not path.exists():
        publish_once(path, secrets.token_urlsafe(50))
    restrict(path, PRIVATE_FILE)
    return path.read_text().strip()


def publish_once(path, text):
    """Give path the content text unless it has some already, in one step that readers cannot catch half done."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def sqlite_file(url):
    """The file a sqlite:// URL names, or None for another database or an in-memory one."""
    if not url.startswith("sqlite:"):
        return None
    name = dj_database_url.parse(url)["NAME"]
    if not name or name == ":memory:" or str(name).startswith("file:"):
        return None
    return Path(name)


def ensure_private_database(database):
    """Create the SQLite file empty with 0600 (SQLite gives its -wal and -shm files the same mode) or tighten it.

    A database in a folder that does not exist is left for SQLite to report.
    """
    if not database.parent.is_dir():
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    for path in (database, *(database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        if path.exists():
            restrict(path, PRIVATE_FILE)
