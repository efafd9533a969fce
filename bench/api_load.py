"""Mixed read API traffic: wrk, 32 connections for 30 s against gunicorn, zero errors expected.

    .venv/bin/python bench/api_load.py [--duration 30] [--connections 32]

Builds a fresh database (migrations, the samples imported and published),
starts gunicorn (2 sync workers, DEBUG off) on 127.0.0.1:8120, and cycles
wrk through a mix of API reads: article lists (plain, filtered by section,
tag, person, language and updated_since, a second page by cursor, limit=100),
article details and their ninjs, takedowns, sections, tags, people,
organisations and corrections. Runs once with the page cache on (repeat
reads, as production) and once with it off (every request builds its JSON).
As a baseline measured in the same run on the same machine, it first loads
the reader's HTML pages the same way (home, a section, an article, search,
feeds: tests/test_load.py's mix) with the page cache on. Prints requests,
requests/s, p50 / p99 latency and errors (non-2xx/3xx and socket errors) for
each run, and each API run's requests/s as a ratio of the baseline's; exits 1
on any error.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8120
PAGES = ["/", "/dietary-recipes/", "/dietary-recipes/honey-pomelo-live-app/", "/search/?q=taobao",
         "/search/?q=%E6%B7%98%E5%AE%9D", "/feed/", "/feed/atom/", "/business/e-commerce/", "/people/dai-shan/"]


def api_paths(base):
    def get(path):
        return json.loads(urllib.request.urlopen(base + path, timeout=30).read())

    articles = get("/api/v1/articles/?limit=100")["results"]
    first = articles[0]
    paths = [
        "/api/v1/articles/", "/api/v1/articles/?limit=100", "/api/v1/articles/?limit=5",
        f"/api/v1/articles/?category={first['category']['path'].split('/')[0]}",
        "/api/v1/articles/?language=zh", "/api/v1/articles/?updated_since=2020-01-01T00:00:00Z",
        "/api/v1/articles/takedowns/?since=2020-01-01T00:00:00Z", "/api/v1/categories/", "/api/v1/tags/",
        "/api/v1/people/", "/api/v1/organisations/", "/api/v1/corrections/",
    ]
    following = get("/api/v1/articles/?limit=5")["next"]
    if following:
        paths.append(following.removeprefix(base))
    tagged = next((a for a in articles if a["tags"]), None)
    if tagged:
        paths.append(f"/api/v1/articles/?tag={urllib.parse.quote(tagged['tags'][0]['slug'])}")
    people = get("/api/v1/people/?limit=3")["results"]
    for person in people:
        paths += [f"/api/v1/people/{urllib.parse.quote(person['slug'])}/",
                  f"/api/v1/articles/?person={urllib.parse.quote(person['slug'])}"]
    for article in articles[:8]:
        paths += [f"/api/v1/articles/{article['id']}/", f"/api/v1/articles/{article['id']}/ninjs/"]
    for path in paths:
        assert urllib.request.urlopen(base + path, timeout=30).status == 200, path
    return paths


def wrk(base, paths, duration, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency",
         "-s", str(ROOT / "tests" / "mixed_reads.lua"), base, "--", *paths],
        capture_output=True, text=True, timeout=duration + 60,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(\w+)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return requests, rps, pct(50), pct(99), failures


def main():
    import urllib.parse  # noqa: F401  (used in api_paths)

    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    python = str(ROOT / ".venv" / "bin" / "python")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NEWSROOM_DATA_DIR": str(Path(tmp) / "data"), "NEWSROOM_LOG_LEVEL": "WARNING",
               "DJANGO_DEBUG": ""}
        env.pop("DATABASE_URL", None)
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                        ["import_articles", str(ROOT / "samples"), "--publish", "-v0"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{PORT}"
        print(f"{'run':22} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs pages':>9}")
        baseline = None
        for label, cache in (("reader pages, cached", "on"), ("API, page cache on", "on"), ("API, page cache off", "off")):
            server = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "newsroom.wsgi"], cwd=ROOT,
                env={**env, "WEB_CONCURRENCY": "2", "NEWSROOM_BIND": f"127.0.0.1:{PORT}",
                     "GUNICORN_ACCESS_LOG": "/dev/null", "NEWSROOM_PAGE_CACHE": "1" if cache == "on" else "0"},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(150):
                    try:
                        urllib.request.urlopen(base + "/healthz", timeout=2)
                        break
                    except OSError:
                        time.sleep(0.2)
                paths = api_paths(base) if baseline is not None else PAGES
                requests, rps, p50, p99, failures = wrk(base, paths, args.duration, args.connections)
                baseline = baseline or rps
                print(f"{label:22} {requests:9d} {rps:8.0f} {p50:8.1f} {p99:8.1f} {failures:7d} {rps / baseline:8.2f}x"
                      f"   ({len(paths)} addresses, {args.connections} connections, {args.duration} s)", flush=True)
                failed |= failures > 0
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
