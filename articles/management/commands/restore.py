"""python manage.py restore FILE: replace the database's content with a backup made by the backup command."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.models import F
from django.utils import timezone

from articles.cache.generation import current_state
from articles.cache.purge import SITE, purge
from articles.models import SiteState

from .backup import pg_environment


class Command(BaseCommand):
    help = "Restore the database from FILE (made by the backup command). Everything in the database now is replaced."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} is not a file")
        if not options["yes"]:
            answer = input(f"Replace everything in the database with {source}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        try:
            generation_before, _ = current_state()
        except DatabaseError:  # a database not migrated yet: nothing was cached from it
            generation_before = 0
        if connection.vendor == "sqlite":
            try:
                with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
                    backup.execute("SELECT count(*) FROM articles_article").fetchone()
                    connection.ensure_connection()
                    backup.backup(connection.connection)
            except sqlite3.DatabaseError as exc:
                raise CommandError(f"{source} is not a Newsroom SQLite backup ({exc})")
        else:
            settings_dict = connection.settings_dict
            connection.close()
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={settings_dict['NAME']}", str(source)],
                env=pg_environment(settings_dict), capture_output=True, text=True,
            )
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
        move_past_generation(generation_before)
        purge([SITE])  # the HTTP caches in front hold pages of the replaced content
        self.stdout.write(f"restored from {source}")


def move_past_generation(generation_before):
    """Give the restored content a generation no cached page was ever stored under.

    The backup's generation is older than the one the servers cached pages
    under just now; without this, pages from after the backup could come
    back from the page cache (Redis, or a server's memory) as the restored
    generation's.
    """
    SiteState.objects.get_or_create(pk=1)
    SiteState.objects.filter(pk=1).update(
        generation=F("generation") + generation_before + 1, changed_at=timezone.now()
    )
