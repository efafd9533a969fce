"""Interrupted and concurrent imports, a full or read-only database, and reads during an import.

These run real processes against a real database file (or a fresh PostgreSQL
database when DATABASE_URL names one), so they are marked slow.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
pytestmark = pytest.mark.slow
BODY = "\n\n".join(f"Paragraph {n} of the report mentions Dai Shan and Taobao Live and the county centres." for n in range(12))


@pytest.fixture
def database(tmp_path):
    """Environment for a fresh, migrated database outside the test transaction."""
    env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp_path / "data"), "NEWSROOM_LOG_LEVEL": "WARNING"}
    url = os.environ.get("DATABASE_URL", "")
    name = None
    if url.startswith("postgres"):
        name = f"newsroom_reliability_{os.getpid()}"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env.pop("DATABASE_URL", None)
    manage("migrate", "-v0", env=env)
    yield env
    if name:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=False)


def manage(*args, env, check=True, timeout=600):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def write_files(folder, count):
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"{i:05d}.txt").write_text(
            f"Title: Reliability report {i}\nCategory: Business / Wire\nTags: wire, report {i % 7}\n"
            f"Date: 2022-01-06\nByline: Desk\nSummary: Report {i}.\n\n{BODY}\n\nEnding {i}.\n", encoding="utf-8")
    return folder


def state(env):
    """(articles, distinct source names, articles without a revision, search entries missing) as text."""
    code = (
        "from articles.models import Article; from reversion.models import Version; from django.db import connection;"
        "n = Article.objects.count(); names = Article.objects.values('source_name').distinct().count();"
        "versioned = set(Version.objects.get_for_model(Article).values_list('object_id', flat=True));"
        "unversioned = sum(1 for pk in Article.objects.values_list('pk', flat=True) if str(pk) not in versioned);"
        "from articles.search import search; import articles.search as s;"
        "c = connection.cursor();"
        "c.execute('SELECT count(*) FROM articles_search' if connection.vendor == 'sqlite' else 'SELECT count(*) FROM articles_search_pg');"
        "indexed = c.fetchone()[0];"
        "print(n, names, unversioned, n - indexed)"
    )
    return manage("shell", "-c", code, env=env).stdout.strip().splitlines()[-1]


def count_articles(env):
    """A quick count straight from the database, to catch the import half way."""
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
            return conn.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    with sqlite3.connect(Path(env["NEWSROOM_DATA_DIR"]) / "newsroom.sqlite3", timeout=30) as db:
        return db.execute("SELECT count(*) FROM articles_article").fetchone()[0]


def test_sigkill_half_way_leaves_a_consistent_database_and_a_rerun_finishes(database, tmp_path):
    folder = write_files(tmp_path / "files", 1000)
    process = subprocess.Popen([PYTHON, "manage.py", "import_articles", str(folder), "-v0"], cwd=ROOT, env=database,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if count_articles(database) >= 200:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    partial = [int(x) for x in state(database).split()]
    assert 0 < partial[0] < 1000, "killed half way"
    assert partial[0] == partial[1] and partial[2] == 0 and partial[3] == 0, "every stored article is complete"
    rerun = manage("import_articles", str(folder), "-v0", env=database)
    assert rerun.stdout.strip().splitlines()[-1] == f"created {1000 - partial[0]}, updated 0, unchanged {partial[0]}, failed 0"
    assert state(database) == "1000 1000 0 0"


def test_two_imports_of_the_same_folder_at_once_make_no_duplicates(database, tmp_path):
    folder = write_files(tmp_path / "files", 400)
    runs = [subprocess.Popen([PYTHON, "manage.py", "import_articles", str(folder), "-v0"], cwd=ROOT, env=database,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err[-2000:]
        assert "database is locked" not in err
    created = [int(out.strip().splitlines()[-1].split()[1].rstrip(",")) for out, _ in outputs]
    assert sum(created) == 400
    assert state(database) == "400 400 0 0"


def test_a_full_database_gives_a_clear_error_and_keeps_what_was_committed(database, tmp_path):
    if "DATABASE_URL" in database:
        pytest.skip("fills the database with SQLite's max_page_count; PostgreSQL's disk cannot be filled here safely")
    first = write_files(tmp_path / "first", 20)
    manage("import_articles", str(first), "-v0", env=database)
    db_file = Path(database["NEWSROOM_DATA_DIR"]) / "newsroom.sqlite3"
    more = tmp_path / "more"
    more.mkdir()
    for i in range(30):
        (more / f"big{i:03d}.txt").write_text(f"Title: Big {i}\nCategory: News\n\n" + ("Very long text. " * 20000), encoding="utf-8")
    # Let the database grow by only a few pages: writes fail as on a full disk.
    with sqlite3.connect(db_file) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    env = {**database, "NEWSROOM_SQLITE_MAX_PAGES": str(pages + 50)}
    result = manage("import_articles", str(more), "-v0", env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "full" in result.stderr
    assert state(database).split()[:3] == ["20", "20", "0"]


def test_a_read_only_database_gives_a_clear_error(database, tmp_path):
    # The connection itself is made read-only (file permissions mean nothing to root, who runs CI).
    files = write_files(tmp_path / "files", 5)
    env = {**database, "NEWSROOM_DATABASE_READ_ONLY": "1"}
    result = manage("import_articles", str(files), "-v0", env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "read-only" in (result.stderr + result.stdout).lower() or "read only" in (result.stderr + result.stdout).lower()
    assert state(database).split()[0] == "0"


def test_reads_go_on_while_an_import_writes(database, tmp_path):
    manage("collectstatic", "--noinput", "-v0", env=database)
    with gunicorn(database, 8600, NEWSROOM_PAGE_CACHE="0") as (base, server):
        statuses, stop = [], threading.Event()

        def reader():
            paths = ["/", "/business/", "/business/wire/", "/search/?q=report", "/feed/", "/sitemap-news.xml"]
            n = 0
            while not stop.is_set() and n < 5000:  # bounded in count and, below, in time
                try:
                    with urllib.request.urlopen(base + paths[n % len(paths)], timeout=10) as response:
                        statuses.append(response.status)
                except urllib.error.HTTPError as exc:
                    statuses.append(exc.code)
                n += 1

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for thread in threads:
            thread.start()
        folder = write_files(tmp_path / "files", 1000)
        result = manage("import_articles", str(folder), "--publish", "-v0", env=database, check=False)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    errors = server.stderr.read()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "database is locked" not in result.stderr + errors
    assert len(statuses) > 50
    assert [s for s in statuses if s >= 500] == []
