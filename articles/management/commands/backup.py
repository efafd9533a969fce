"""python manage.py backup FILE: a consistent copy of the database while the site runs.

SQLite: the online backup API (safe with readers and writers at work).
PostgreSQL: pg_dump in its custom format (restore with the restore command or pg_restore).
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_environment(settings_dict):
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


class Command(BaseCommand):
    help = "Write a consistent backup of the database to FILE (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        target = Path(options["file"])
        create_private_file(target)
        try:
            if connection.vendor == "sqlite":
                sqlite_backup(target)
            else:
                pg_dump(target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        self.stdout.write(f"backup written to {target} ({target.stat().st_size:,} bytes)")


def create_private_file(target):
    """Create target empty with mode 0600 (a new folder for it 0700), refusing a name that exists.

    A backup holds every password hash and session key; SQLite and pg_dump both
    write into the file as it is, so it is never readable by others, not even
    while being written.
    """
    if not target.parent.is_dir():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise CommandError(f"{target} exists already; choose a new file name") from None


def sqlite_backup(target):
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        with copy:
            connection.connection.backup(copy)
    finally:
        copy.close()


def pg_dump(target):
    settings_dict = connection.settings_dict
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", settings_dict["NAME"]],
        env=pg_environment(settings_dict), capture_output=True, text=True,
    )
    if result.returncode:
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
