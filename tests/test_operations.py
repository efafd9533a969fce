"""Production plumbing: health check, request ids and logs, the replica router, deploy checks."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test import override_settings

from newsroom.db_router import ReplicaRouter, use_primary
from newsroom.observability import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_the_page_cache(client):
    response = client.get("/healthz")
    assert (response.status_code, json.loads(response.content)) == (200, {"status": "ok"})
    assert "X-Cache" not in response
    assert response["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "unavailable"


def test_favicon_ico_redirects_permanently_to_the_hashed_svg(client):
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg") and response["Location"].endswith(".svg")


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/"), client.get("/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/", HTTP_X_REQUEST_ID="proxy-id-12345")["X-Request-ID"] == "proxy-id-12345"
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_errors_are_logged_as_json_with_the_request_id(client, caplog):
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-abcdef123")
    assert response.status_code == 404
    record = next(r for r in caplog.records if r.name == "django.request")
    request_filter.filter(record)
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "WARNING" and entry["path"] == "/no-such-page/" and entry["status"] == 404
    assert entry["request_id"] in ("trace-abcdef123", "-")


def test_router_reads_from_replicas_and_pins_the_admin_to_the_primary():
    router = ReplicaRouter()
    with override_settings(REPLICA_ALIASES=["replica1", "replica2"]):
        assert router.db_for_read(None) in {"replica1", "replica2"}
        assert router.db_for_write(None) == "default"
        with use_primary():
            assert router.db_for_read(None) == "default"
        assert not router.allow_migrate("replica1", "articles")
    assert router.db_for_read(None) == "default"  # no replicas configured


def run_manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-" + "x" * 30,
    "DJANGO_DEBUG": "",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "NEWSROOM_HTTPS": "1",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "NEWSROOM_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_replica_urls_become_database_aliases(tmp_path):
    code = "from django.conf import settings; print(sorted(settings.DATABASES), settings.REPLICA_ALIASES)"
    result = run_manage("shell", "-c", code, env={
        "NEWSROOM_DATA_DIR": str(tmp_path),
        "REPLICA_DATABASE_URLS": f"sqlite:///{tmp_path}/r1.sqlite3,sqlite:///{tmp_path}/r2.sqlite3",
    })
    assert result.stdout.strip().splitlines()[-1] == "['default', 'replica1', 'replica2'] ['replica1', 'replica2']", result.stderr


def test_cache_keys_are_prefixed_by_the_database_so_sites_can_share_a_redis(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"

    def prefix(**env):
        result = run_manage("shell", "-c", code, env={"NEWSROOM_DATA_DIR": str(tmp_path), **env})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    site_a = prefix(DATABASE_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    assert site_a == prefix(DATABASE_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    assert site_a != prefix(DATABASE_URL=f"sqlite:///{tmp_path}/b.sqlite3")
    assert prefix(DATABASE_URL=f"sqlite:///{tmp_path}/a.sqlite3", CACHE_KEY_PREFIX="staging") == "staging"


def test_one_request_reads_from_one_replica_only(rf):
    """A page built from two replicas at different lag could be cached stale under the new generation."""
    from newsroom.db_router import ReadDatabaseMiddleware

    router = ReplicaRouter()
    seen = []

    def view(request):
        seen.append({router.db_for_read(None) for _ in range(50)})
        return None

    with override_settings(REPLICA_ALIASES=["replica1", "replica2", "replica3"]):
        for _ in range(20):
            ReadDatabaseMiddleware(view)(rf.get("/"))
        ReadDatabaseMiddleware(view)(rf.get("/admin/"))
        ReadDatabaseMiddleware(view)(rf.post("/search/"))
    assert all(len(aliases) == 1 for aliases in seen)
    assert len(set().union(*seen[:20])) > 1  # requests still spread over the replicas
    assert seen[20] == seen[21] == {"default"}
