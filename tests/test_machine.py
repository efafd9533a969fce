"""The machine: what Newsroom keeps on disk is private to its account, and the login lock sees the real client."""

import importlib
import importlib.util
import io
import json
import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

ROOT = Path(__file__).resolve().parent.parent
KEY_ROUNDS = 40


def mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """Run under the common 022 umask, which leaves files 0644 unless they are made private on purpose."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def local_environment(data_dir, **env):
    """This process's environment with the data folder at data_dir, SQLite and no key given: what `make run` sees."""
    base = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "DJANGO_SECRET_KEY"}}
    return {**base, "NEWSROOM_DATA_DIR": str(data_dir), **env}


def run_python(*args, data_dir, **env):
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=local_environment(data_dir, **env),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.mark.parametrize("folder_exists", [False, True], ids=["no-folder", "empty-folder"])
def test_importing_the_settings_writes_nothing_and_uses_a_key_of_its_own(tmp_path, folder_exists):
    data_dir = tmp_path / "data"
    if folder_exists:
        data_dir.mkdir()
    code = "import newsroom.settings as s; print(s.SECRET_KEY)"
    first, second = run_python("-c", code, data_dir=data_dir), run_python("-c", code, data_dir=data_dir)
    assert [path.relative_to(tmp_path) for path in tmp_path.rglob("*")] == ([Path("data")] if folder_exists else [])
    assert len(first) >= 50 and first != second


def test_manage_py_prepares_a_private_data_folder_whose_key_the_settings_use(tmp_path):
    data_dir = tmp_path / "data"
    run_python("manage.py", "check", data_dir=data_dir)
    assert (mode(data_dir), mode(data_dir / "secret_key"), mode(data_dir / "newsroom.sqlite3")) == (0o700, 0o600, 0o600)
    used = run_python("manage.py", "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
                      data_dir=data_dir)
    assert used == (data_dir / "secret_key").read_text().strip()


@pytest.mark.parametrize("module", ["newsroom.wsgi", "newsroom.asgi"])
def test_the_web_entry_points_prepare_the_data_folder_before_django_starts(tmp_path, module):
    data_dir = tmp_path / "data"
    run_python("-c", f"import {module}", data_dir=data_dir)
    assert (mode(data_dir), mode(data_dir / "secret_key"), mode(data_dir / "newsroom.sqlite3")) == (0o700, 0o600, 0o600)


def test_preparing_tightens_a_data_folder_left_readable_by_others(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    (data_dir / "secret_key").write_text("an-old-key-that-sessions-were-signed-with\n")
    (data_dir / "newsroom.sqlite3").touch(mode=0o644)
    for name in ("secret_key", "newsroom.sqlite3"):
        (data_dir / name).chmod(0o644)
    run_python("manage.py", "check", data_dir=data_dir)
    assert (mode(data_dir), mode(data_dir / "secret_key"), mode(data_dir / "newsroom.sqlite3")) == (0o700, 0o600, 0o600)
    assert (data_dir / "secret_key").read_text().strip() == "an-old-key-that-sessions-were-signed-with"


def test_sqlite_wal_and_shm_files_are_as_private_as_the_database(tmp_path):
    data_dir = tmp_path / "data"
    code = (
        "import json, stat; from django.db import connection; from django.conf import settings\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('CREATE TABLE probe (x)'); cursor.execute('INSERT INTO probe VALUES (1)')\n"
        "print(json.dumps({p.name: stat.S_IMODE(p.stat().st_mode) for p in settings.DATA_DIR.iterdir()}))"
    )
    modes = json.loads(run_python("manage.py", "shell", "-c", code, data_dir=data_dir))
    assert {"newsroom.sqlite3-wal", "newsroom.sqlite3-shm"} <= set(modes)
    assert {name: 0o600 for name in modes} == modes


def start_and_report_key(data_dir, barrier, keys):
    """One process starting up as an entry point does: prepare the data folder, then read the settings."""
    os.environ["NEWSROOM_DATA_DIR"] = str(data_dir)
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        os.environ.pop(name, None)
    import newsroom.settings
    from newsroom import bootstrap

    barrier.wait(timeout=30)
    bootstrap.prepare_data_dir()
    keys.put(importlib.reload(newsroom.settings).SECRET_KEY)


def test_two_processes_starting_at_once_end_with_one_private_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_number in range(KEY_ROUNDS):
        data_dir = tmp_path / str(round_number) / "data"
        barrier, keys = context.Barrier(2), context.Queue()
        processes = [context.Process(target=start_and_report_key, args=(data_dir, barrier, keys)) for _ in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert [process.exitcode for process in processes] == [0, 0]
        first, second = keys.get(timeout=5), keys.get(timeout=5)
        key_file = data_dir / "secret_key"
        assert first == second == key_file.read_text().strip(), f"round {round_number}"
        assert mode(key_file) == 0o600
        assert sorted(path.name for path in data_dir.iterdir()) == ["newsroom.sqlite3", "secret_key"]


@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_is_readable_by_its_owner_only(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite online-backup path; this run's database is PostgreSQL (see the pg_dump test)")
    backup = tmp_path / "backups" / "newsroom.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    assert backup.stat().st_size > 0
    assert (mode(backup.parent), mode(backup)) == (0o700, 0o600)


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_backup_is_readable_by_its_owner_only(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only; this run's database is SQLite (no PostgreSQL DATABASE_URL)")
    backup = tmp_path / "newsroom.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    assert backup.stat().st_size > 0
    assert mode(backup) == 0o600


def settings_from_environment(monkeypatch, **env):
    """A fresh copy of newsroom/settings.py as the environment env would have it (without touching the loaded one)."""
    for name in ("NEWSROOM_BEHIND_PROXY", "NEWSROOM_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("newsroom_settings_copy", ROOT / "newsroom" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply_client_address_settings(settings, monkeypatch, **env):
    """Use what settings.py says about proxies and login throttling under env."""
    module = settings_from_environment(monkeypatch, **env)
    for name in ("AXES_CLIENT_IP_CALLABLE", "NEWSROOM_PROXY_COUNT", "SECURE_PROXY_SSL_HEADER"):
        setattr(settings, name, getattr(module, name, None))
    for name, value in vars(module).items():
        if name.startswith("AXES_"):
            setattr(settings, name, value)


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    apply_client_address_settings(settings, monkeypatch, NEWSROOM_BEHIND_PROXY="1")


@pytest.fixture
def served_directly(settings, monkeypatch):
    apply_client_address_settings(settings, monkeypatch)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "e@example.com", "the-right-pass-phrase")


def login(client, password, forwarded_for, remote_addr="10.0.0.1"):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password},
                       REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_behind_the_proxy_failures_lock_out_the_client_not_everyone_using_the_proxy(client, editor, behind_proxy):
    for _ in range(4):
        assert login(client, "wrong", "203.0.113.1").status_code == 200
    assert login(client, "wrong", "203.0.113.1").status_code == 429
    assert login(client, "the-right-pass-phrase", "203.0.113.1").status_code == 429
    assert login(client, "the-right-pass-phrase", "198.51.100.7, 203.0.113.1").status_code == 429
    assert login(client, "the-right-pass-phrase", "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_served_directly_a_client_cannot_dodge_the_lock_with_x_forwarded_for(client, editor, served_directly):
    for number in range(4):
        assert login(client, "wrong", f"203.0.113.{number}").status_code == 200
    assert login(client, "wrong", "203.0.113.50").status_code == 429
    assert login(client, "the-right-pass-phrase", "198.51.100.7").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client_address"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "198.51.100.7, 203.0.113.1", "203.0.113.1"),
        (2, "198.51.100.7, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (2, "203.0.113.1", "203.0.113.1"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_the_proxy_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    settings, monkeypatch, proxies, forwarded_for, client_address
):
    apply_client_address_settings(settings, monkeypatch, NEWSROOM_BEHIND_PROXY="1", NEWSROOM_PROXY_COUNT=str(proxies))
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/admin/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert get_client_ip_address(request) == client_address
