"""Search speed against an article page, in one run: wrk against gunicorn, and one client in process.

    .venv/bin/python bench/search.py                                  # 10,000 and 100,000 articles, SQLite
    .venv/bin/python bench/search.py --articles 10000 --duration 5
    DATABASE_URL=postgres://postgres@127.0.0.1/newsroom_bench .venv/bin/python bench/search.py

For each size it builds a fresh database (bench/search_data.py: Zipf-distributed
words, so common words match most articles and rare ones a handful), starts
gunicorn (2 sync workers, DEBUG off, page cache off so every request renders)
and runs wrk (2 threads, 16 connections) on:

  article       one article page: the baseline every search figure is divided by
  search common each request a random one of 37 words found in most articles (some two-word queries)
  search rare   each request a random one of 3,000 words found in a few articles

Prints req/s, p50 and p99 (wrk's, so with 16 connections queueing on 2 workers),
errors, and search req/s as a share of the article page's. Then one client in
process (Django's test client, no queueing) times the article page and
--samples random queries of each kind and prints p50 and p99 of the time per request, and of the process's
CPU time per request (what a busy machine stretches least; SQLite's work is in
it, PostgreSQL's is not), with the article page's CPU time divided by each
one's: the share of the article page's throughput, measured the steady way.
With --admin it then
times the admin views on the same database, as bench/admin_scale.py does.
"""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from admin_scale import IN_PROCESS as IN_PROCESS_ADMIN  # noqa: E402
from search_data import common_words, rare_words  # noqa: E402

PORT = 8400
LUA = """
paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


def queries(kind, count, seed=3):
    rng = random.Random(seed)
    if kind == "common":
        words = common_words()
        return [" ".join(rng.sample(words, rng.choice((1, 1, 2)))) for _ in range(count)]
    return [rng.choice(rare_words()) for _ in range(count)]


def wrk(url, duration, paths_file=None):
    cmd = ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "5s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if paths_file:
            script.write(LUA % (paths_file, 11))
            cmd += ["-s", script.name]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 30).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(\w+)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rps, pct(50), pct(99), (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)


def wait_for(url, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:  # after a load run the workers may still be draining its queue
            return urllib.request.urlopen(url, timeout=60).read().decode()
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


IN_PROCESS = """
import json, sys, time, django
django.setup()
from django.test import Client
client = Client()
from articles.models import Article
article = Article.objects.published().select_related("category").first().get_absolute_url()
out = {}
sample = json.load(sys.stdin)
for kind, qs in {"article": [None] * len(sample["common"]), **sample}.items():
    times, cpu = [], []
    for q in qs:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(article) if q is None else client.get("/search/", {"q": q})
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    cpu.sort()
    out[kind] = (times[len(times) // 2], times[int(len(times) * 0.99)], times[-1],
                 cpu[len(cpu) // 2], cpu[int(len(cpu) * 0.99)])
print(json.dumps(out))
"""


def bench(count, duration, env_base, samples=200, admin=False):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**env_base, "NEWSROOM_DATA_DIR": str(tmp / "data"), "DJANGO_DEBUG": "", "NEWSROOM_LOG_LEVEL": "WARNING",
               "NEWSROOM_PAGE_CACHE": "0"}
        url = env.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            name = url.rsplit("/", 1)[1]
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        python = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([python, "bench/search_data.py", "--articles", str(count)], env=env, cwd=ROOT, check=True)
        print(f"{count:,} articles ({url.split('@')[-1] or 'SQLite'})", flush=True)
        paths = {}
        for kind in ("common", "rare"):
            paths[kind] = tmp / f"{kind}.txt"
            paths[kind].write_text("\n".join("/search/?" + urllib.parse.urlencode({"q": q}) for q in queries(kind, 2000)))
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            env={**env, "WEB_CONCURRENCY": "2", "NEWSROOM_BIND": f"127.0.0.1:{PORT}", "GUNICORN_ACCESS_LOG": "/dev/null"},
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{PORT}"
        try:
            section = wait_for(base + "/business/")
            article = re.search(r'<h3><a href="([^"]+)"', section).group(1)
            rows = {}
            for label, path, paths_file in (("article", article, None), ("search common", "/", paths["common"]),
                                            ("search rare", "/", paths["rare"])):
                wait_for(base + (path if paths_file is None else "/search/?q=warm"))
                rows[label] = wrk(base + path, duration, paths_file)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        baseline = rows["article"][0]
        print(f"{'page':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ article':>10}")
        for label, (rps, p50, p99, failures) in rows.items():
            print(f"{label:14} {rps:8.0f} {p50:8.1f} {p99:8.1f} {failures:7d} {rps / baseline:10.2f}", flush=True)
        sample = {kind: queries(kind, samples, seed=5) for kind in ("common", "rare")}
        result = subprocess.run([python, "-c", IN_PROCESS], input=json.dumps(sample), capture_output=True, text=True,
                                env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}, cwd=ROOT, check=True)
        timed = json.loads(result.stdout)
        for kind, (p50, p99, worst, cpu50, cpu99) in timed.items():
            print(f"one client, {kind:7}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms; CPU of the process "
                  f"p50 {cpu50:.1f} ms, p99 {cpu99:.1f} ms, article CPU ÷ this {timed['article'][3] / cpu50:.2f} "
                  f"({samples} requests)", flush=True)
        if admin:
            print("admin, same database (bench/admin_scale.py's measurement):", flush=True)
            subprocess.run([python, "-c", IN_PROCESS_ADMIN, "5"], env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
                           cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row")
    parser.add_argument("--samples", type=int, default=200, help="queries of each kind timed in process")
    parser.add_argument("--admin", action="store_true", help="then time the admin views on the same database")
    args = parser.parse_args()
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), f"{os.cpu_count()} cores", flush=True)
    for count in args.articles:
        bench(count, args.duration, dict(os.environ), args.samples, args.admin)


if __name__ == "__main__":
    main()
