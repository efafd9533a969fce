"""Reader-side speed: wrk against gunicorn (2 sync workers, DEBUG off) on 127.0.0.1.

    .venv/bin/python bench/serve_speed.py                    # 10,000 and 100,000 articles, SQLite
    .venv/bin/python bench/serve_speed.py --articles 10000 --duration 10
    DATABASE_URL=postgres://postgres@127.0.0.1/newsroom_bench .venv/bin/python bench/serve_speed.py

For each size it builds a fresh database with the importer (articles made from
the sample files, spread over 12 sections and five years), starts gunicorn,
and runs wrk (Debian package wrk; 2 threads, 16 connections) on the home page,
a category's page 1 and page 50, an article and a search, first with the page
cache off (every request renders) and then on (repeat views). It first
serves a fixed page with no Django behind the same gunicorn settings: the
server's own ceiling on the machine, which no cached page can pass. Prints
requests/s, p50 and p99 latency, and non-2xx/3xx responses per run. Every
server and load run is bounded in time and stopped by the script.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SECTIONS = [
    "Business / E-commerce", "Business / Logistics", "Finance / Earnings", "Finance / Markets",
    "Technology / Cloud and AI", "Technology / Devices", "Retail", "Logistics / Cross-border",
    "Policy", "Media", "Energy", "Autos",
]
PORT = 8011


def make_corpus(folder, count):
    """Header-format files built from the samples' bodies, each with a unique title and date."""
    bodies = []
    for path in sorted(SAMPLES.glob("0[0-2]*.txt")):
        try:
            text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue  # the UTF-16 sample; the others are enough
        bodies.append(text.split("\n\n", 1)[1])
    rng = random.Random(7)
    start = date(2021, 1, 1)
    for i in range(count):
        day = start + timedelta(days=(i * 1826) // count)
        body = bodies[i % len(bodies)]
        (folder / f"{i:06d}.txt").write_text(
            f"Title: Market report {i}: {rng.choice(['Taobao', 'Tmall', 'Cainiao', 'Alimama'])} update\n"
            f"Category: {SECTIONS[i % len(SECTIONS)]}\n"
            f"Tags: alibaba, report {i % 50}\n"
            f"Date: {day.isoformat()}\n"
            f"Byline: Bench desk\n"
            f"Summary: Summary of report {i} on Chinese e-commerce.\n\n"
            f"Edition {i}.\n\n{body}",
            encoding="utf-8",
        )


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def wait_for(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url, duration):
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "5s", "--latency", url],
        capture_output=True, text=True, timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(\w+)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return rps, pct(50), pct(99), failures


def start_gunicorn(env, app="newsroom.wsgi", *extra):
    return subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", *extra, app],
                            env={**env, "WEB_CONCURRENCY": "2", "NEWSROOM_BIND": f"127.0.0.1:{PORT}",
                                 "GUNICORN_ACCESS_LOG": "/dev/null"},
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(server):
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def server_ceiling(duration):
    """The same gunicorn serving a fixed page with no Django: no cached page can be faster."""
    server = start_gunicorn(dict(os.environ), "ceiling_app:application", "--pythonpath", "bench")
    try:
        wait_for(f"http://127.0.0.1:{PORT}/")
        rps, p50, p99, failures = wrk(f"http://127.0.0.1:{PORT}/", duration)
        print(f"gunicorn alone (fixed 11 KB page, bench/ceiling_app.py): {rps:.0f} req/s, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {failures} errors", flush=True)
    finally:
        stop(server)


def bench(count, duration, env_base):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**env_base, "NEWSROOM_DATA_DIR": str(tmp / "data"), "DJANGO_DEBUG": "", "NEWSROOM_LOG_LEVEL": "WARNING"}
        if "DATABASE_URL" in env and env["DATABASE_URL"].startswith("postgres"):
            name = env["DATABASE_URL"].rsplit("/", 1)[1]
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        python = str(ROOT / ".venv" / "bin" / "python")
        run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        # A database made afresh starts its generations again: pages a shared
        # cache (CACHE_URL=redis://...) holds from an earlier run must go.
        run([python, "manage.py", "shell", "-v0", "-c", "from django.core.cache import cache; cache.clear()"], env)
        corpus = tmp / "corpus"
        corpus.mkdir()
        make_corpus(corpus, count)
        started = time.perf_counter()
        run([python, "manage.py", "import_articles", str(corpus), "--publish", "-v0"], env, stdout=subprocess.DEVNULL)
        print(f"\n{count:,} articles imported in {time.perf_counter() - started:.0f} s "
              f"({os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]})")
        shutil.rmtree(corpus)
        base = f"http://127.0.0.1:{PORT}"
        urls = {
            "home": "/",
            "category p1": "/business/",
            "category p50": "/business/?page=50",
            "article": None,  # the newest article, found below
            "search": "/search/?q=cainiao+county",
        }
        print(f"{'page':14} {'cache':6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for cache in ("off", "on"):
            server = start_gunicorn({**env, "NEWSROOM_PAGE_CACHE": "1" if cache == "on" else "0"})
            try:
                wait_for(base + "/")
                article = urllib.request.urlopen(base + "/business/e-commerce/", timeout=10).read().decode()
                urls["article"] = re.search(r'<h3><a href="([^"]+)"', article).group(1)
                for label, path in urls.items():
                    urllib.request.urlopen(base + path, timeout=30).read()  # warm up
                    rps, p50, p99, failures = wrk(base + path, duration)
                    print(f"{label:14} {cache:6} {rps:8.0f} {p50:8.1f} {p99:8.1f} {failures:7d}", flush=True)
            finally:
                stop(server)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    server_ceiling(args.duration)
    for count in args.articles:
        bench(count, args.duration, dict(os.environ))


if __name__ == "__main__":
    main()
