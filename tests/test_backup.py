"""Backup and restore: a backup restored into a fresh database holds every article, revision and tag."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from articles.importing.service import ImportOptions, import_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def counts_via_manage(env):
    code = (
        "from articles.models import Article; from reversion.models import Version; from taggit.models import TaggedItem;"
        "print(Article.objects.count(), Version.objects.count(), TaggedItem.objects.count(),"
        " sorted(Article.objects.values_list('title', flat=True))[:2])"
    )
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database(tmp_path):
    import_files([SAMPLES], ImportOptions(publish=True))
    from articles.models import Article
    from reversion.models import Version
    from taggit.models import TaggedItem

    expected = f"{Article.objects.count()} {Version.objects.count()} {TaggedItem.objects.count()} " + str(
        sorted(Article.objects.values_list("title", flat=True))[:2])
    backup = tmp_path / "newsroom.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    assert backup.stat().st_size > 0

    env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp_path / "fresh")}
    if connection.vendor == "postgresql":
        fresh = "newsroom_restore_test"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", fresh], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", fresh], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{fresh}"
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    restored = subprocess.run([sys.executable, "manage.py", "restore", str(backup), "--yes"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert counts_via_manage(env) == expected
    if connection.vendor == "postgresql":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "newsroom_restore_test"], check=False)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("checks the SQLite restore's own validation")
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_text("hello")
    env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp_path / "fresh")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "manage.py", "restore", str(bogus), "--yes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not a Newsroom SQLite backup" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_never_brings_back_pages_cached_after_the_backup(tmp_path, client):
    from articles.models import Article, Category
    from tests.test_cache import titles

    import_files([SAMPLES], ImportOptions(publish=True))
    backup = tmp_path / "newsroom.backup"
    call_command("backup", str(backup), stdout=io.StringIO())

    article = Article.objects.published().order_by("-publish_at", "-pk").first()
    article.title = "Renamed after the backup"
    article.save()
    assert "Renamed after the backup" in titles(client.get("/"))  # now cached

    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    # The next change after the restore must not land on the generation the
    # renamed page was cached under.
    Category.objects.create(name="Opened after the restore")
    response = client.get("/")
    assert response["X-Cache"] == "MISS"
    assert "Renamed after the backup" not in titles(response)
