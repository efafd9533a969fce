"""60 seconds of mixed reads at 32 connections against gunicorn: zero errors, p99 printed."""

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
DURATION = int(os.environ.get("NEWSROOM_LOAD_SECONDS", 60))


def test_mixed_reads_at_32_connections_have_no_errors(tmp_path, capsys):
    if not shutil.which("wrk"):
        if os.environ.get("CI"):
            pytest.fail("wrk is missing in CI; .ci/run installs Debian's wrk")
        pytest.skip("the load test needs wrk (apt-get install wrk)")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the load test runs once per CI run, on SQLite (make test); bench/serve_speed.py measures PostgreSQL")
    env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp_path / "data"), "NEWSROOM_LOG_LEVEL": "WARNING"}
    run = lambda *args: subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: E731
                                       capture_output=True, timeout=600)
    run("migrate", "-v0")
    run("collectstatic", "--noinput", "-v0")
    run("import_articles", str(ROOT / "samples"), "--publish", "-v0")
    paths = ["/", "/dietary-recipes/", "/dietary-recipes/honey-pomelo-live-app/", "/search/?q=taobao",
             "/search/?q=%E6%B7%98%E5%AE%9D", "/feed/", "/feed/atom/", "/business/e-commerce/", "/people/dai-shan/"]
    with gunicorn(env, 8900) as (base, _):
        for path in paths:
            assert urllib.request.urlopen(base + path, timeout=10).status == 200, path
        result = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{DURATION}s", "--timeout", "5s", "--latency", "-s", str(ROOT / "tests" / "mixed_reads.lua"),
             base, "--", *paths],
            capture_output=True, text=True, timeout=DURATION + 60,
        )
    out = result.stdout
    assert "Non-2xx or 3xx responses" not in out, out
    assert "Socket errors" not in out, out
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    rate = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    assert requests > DURATION * 50
    with capsys.disabled():
        print(f"\nmixed reads, 32 connections, {DURATION} s: {requests} requests, {rate} req/s, p99 {p99}, 0 errors")
