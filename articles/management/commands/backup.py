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
        if target.exists():
            raise CommandError(f"{target} exists already; choose a new file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            copy.close()
        else:
            settings_dict = connection.settings_dict
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", settings_dict["NAME"]],
                env=pg_environment(settings_dict), capture_output=True, text=True,
            )
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        self.stdout.write(f"backup written to {target} ({target.stat().st_size:,} bytes)")
