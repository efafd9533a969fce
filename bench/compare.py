"""Newsroom side by side with a bare Django app, nginx and Varnish, in one run: the ratios of issue 18.

    .venv/bin/python bench/compare.py                          # 10,000 articles, 10 s per page and target, SQLite
    .venv/bin/python bench/compare.py --articles 2000 --duration 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench .venv/bin/python bench/compare.py

One corpus (bench/corpus.py: N English articles, article 0 the entity-dense
19 KB seed) goes into Newsroom (``import_articles``) and into the bare Django
app (bench/bare/: one model per table, function views, Django templates). Then,
side by side on 127.0.0.1 (each page loaded on every target in turn), each served the same way (gunicorn, 2 sync
workers, DEBUG off) and loaded with wrk (2 threads, 16 connections):

* ``bare``: the bare Django app;
* ``newsroom``: Newsroom with its page cache off (every request renders);
* ``nginx``: nginx serving each page Newsroom rendered, as a static file;
* ``varnish``: Newsroom behind Varnish with deploy/varnish.vcl (hot pages);
* ``plain-varnish``: Varnish with a three-line VCL caching nginx's copies: what
  Varnish itself does on this machine, the ceiling for ``varnish``.

It prints req/s and p99 per page and target, and the ratios: Newsroom
uncached ÷ bare (goal ≥ 1.5; the entity-dense article ÷ a bare article ≥ 1.0)
and Varnish ÷ nginx (goal ≥ 0.8, p99 < 25 ms), with the errors of every run.
On PostgreSQL the bare app gets its own database, DATABASE_URL's name + "_bare".
Every server is stopped by the script.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.utils.text import slugify

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from serve_speed import wrk  # noqa: E402

PORTS = {"bare": 8302, "newsroom": 8303, "nginx": 8301, "varnish": 6081, "varnish-admin": 6091, "newsroom-behind": 8304,
         "plain-varnish": 6082, "plain-varnish-admin": 6092}
TARGETS = ("bare", "newsroom", "nginx", "varnish", "plain-varnish")
# Varnish's own ceiling here: a three-line VCL caching nginx's copies of the pages for an hour, nothing else.
PLAIN_VCL = """vcl 4.1;
backend default { .host = "127.0.0.1"; .port = "%d"; }
sub vcl_backend_response { set beresp.ttl = 1h; }
"""
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def pages(count):
    """{label: path}: the same addresses on every target."""
    per_business = count // len(corpus.SECTIONS) * 2
    deep = max(1, min(50, per_business // 20))
    rng_title = corpus_title(count, 1)
    return {
        "article": f"/business/logistics/{slugify(rng_title)}/",
        "entity-dense article": f"/business/e-commerce/{corpus.SEED_SLUG}/",
        "section p1": "/business/",
        f"section p{deep}": f"/business/?page={deep}",
        "home": "/",
        "tag": "/tag/markets-1/",
        "person": "/people/dai-shan/",
        "organisation": "/organisations/alibaba-group/",
    }


def corpus_title(count, index):
    path = Path(CORPUS) / f"{index:06d}.txt"
    return path.read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Title: ")


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def wait_for(url, timeout=60):
    """Until ``url`` answers 200."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:  # refused, or an error status (Varnish before its backend answers)
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def gunicorn(env, port, app="newsroom.wsgi", *extra):
    return subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", *extra, app],
                            env={**env, "WEB_CONCURRENCY": "2", "NEWSROOM_BIND": f"127.0.0.1:{port}",
                                 "GUNICORN_ACCESS_LOG": "/dev/null"},
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(*processes):
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def postgres_names(url):
    name = url.rsplit("/", 1)[1]
    return name, f"{name}_bare"


def recreate_postgres(name):
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def build(tmp, count):
    """Generate the corpus and load it into Newsroom and the bare app; returns (newsroom env, bare env)."""
    global CORPUS
    CORPUS = tmp / "corpus"
    corpus.generate(CORPUS, count)
    env = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp / "data"), "DJANGO_DEBUG": "", "NEWSROOM_LOG_LEVEL": "WARNING"}
    bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare.settings", "BARE_DATABASE": str(tmp / "bare.sqlite3"),
                "PYTHONPATH": f"{HERE / 'bare'}:{HERE}"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name, bare_name = postgres_names(url)
        recreate_postgres(name)
        recreate_postgres(bare_name)
        bare_env["BARE_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + bare_name
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "shell", "-v0", "-c", "from django.core.cache import cache; cache.clear()"], env)
    started = time.perf_counter()
    run([PYTHON, "manage.py", "import_articles", str(CORPUS), "--publish", "-v0"], env, stdout=subprocess.DEVNULL)
    print(f"{count:,} articles imported into Newsroom in {time.perf_counter() - started:.0f} s "
          f"({url.split('@')[-1] or 'SQLite'})", flush=True)
    started = time.perf_counter()
    run([PYTHON, str(HERE / "bare" / "load.py"), str(CORPUS)], bare_env)
    print(f"... and into the bare app in {time.perf_counter() - started:.0f} s", flush=True)
    return env, bare_env


def load(base, paths, duration, results, target):
    for label, path in paths.items():
        fetch(base + path)  # warm up, and a 404 stops the run here
        fetch(base + path)
        results[(target, label)] = wrk(base + path, duration)
        rps, p50, p99, failures = results[(target, label)]
        print(f"  {target:9} {label:22} {rps:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  {failures} errors", flush=True)


def nginx_site(tmp, rendered):
    """nginx serving each rendered page as a file at its own address (?page=N picks indexN.html)."""
    root = tmp / "www"
    for path, content in rendered.items():
        address, _, query = path.partition("?page=")
        folder = root / address.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"index{query}.html").write_bytes(content)
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type "text/html; charset=utf-8";
    server {{
        listen 127.0.0.1:{PORTS['nginx']};
        root {root};
        location / {{ try_files ${{uri}}index${{arg_page}}.html =404; }}
    }}
}}
""")
    for folder in [tmp, *root.rglob("*")]:
        folder.chmod(0o755)  # nginx's workers run as an unprivileged user
    return subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def varnish(tmp, backend_port, name="varnish", vcl_text=None):
    """Varnish with deploy/varnish.vcl in front of ``backend_port`` (or with ``vcl_text``)."""
    vcl = tmp / f"{name}.vcl"
    if vcl_text is None:
        vcl_text = (ROOT / "deploy" / "varnish.vcl").read_text().replace('.port = "8000";', f'.port = "{backend_port}";')
    vcl.write_text(vcl_text)
    return subprocess.Popen(["varnishd", "-F", "-j", "none", "-n", str(tmp / name),
                             "-a", f"127.0.0.1:{PORTS[name]}", "-T", f"127.0.0.1:{PORTS[name + '-admin']}",
                             "-f", str(vcl), "-s", "malloc,256m"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def report(results, paths, targets):
    print("\nreq/s (p99 ms) per page and target; ratios within this run")
    header = f"{'page':22}" + "".join(f"{t:>17}" for t in targets)
    if {"bare", "newsroom"} <= set(targets):
        header += f"{'newsroom÷bare':>15}"
    if {"nginx", "varnish"} <= set(targets):
        header += f"{'varnish÷nginx':>15}"
    if {"nginx", "plain-varnish"} <= set(targets):
        header += f"{'plain÷nginx':>13}"
    print(header)
    for label in paths:
        line = f"{label:22}"
        for target in targets:
            rps, _, p99, failures = results[(target, label)]
            line += f"{rps:9.0f} ({p99:5.1f})" + ("!" if failures else " ")
        if {"bare", "newsroom"} <= set(targets):
            base = results[("bare", "article" if label == "entity-dense article" else label)][0]
            line += f"{results[('newsroom', label)][0] / base:15.2f}"
        if {"nginx", "varnish"} <= set(targets):
            line += f"{results[('varnish', label)][0] / results[('nginx', label)][0]:15.2f}"
        if {"nginx", "plain-varnish"} <= set(targets):
            line += f"{results[('plain-varnish', label)][0] / results[('nginx', label)][0]:13.2f}"
        print(line)
    print("(entity-dense article: Newsroom's ÷ the bare app's ordinary article, the issue's measure; "
          "plain-varnish: Varnish with a three-line VCL over nginx's copies, Varnish's own ceiling here; "
          "! marks a run with errors)")
    errors = sum(r[3] for r in results.values())
    print(f"errors in all runs: {errors}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page and target")
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}")
    args = parser.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    missing = [tool for tool, needed in (("wrk", True), ("nginx", "nginx" in targets or "plain-varnish" in targets),
                                         ("varnishd", "varnish" in targets or "plain-varnish" in targets))
               if needed and not shutil.which(tool)]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (apt-get install wrk nginx varnish varnish-modules)")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], dict(os.environ))
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env, bare_env = build(tmp, args.articles)
        paths = pages(args.articles)
        results = {}
        print(f"\n{args.articles:,} articles, {args.duration} s per page, wrk 2 threads 16 connections, "
              f"gunicorn 2 sync workers; load average before: {load_average:.1f}", flush=True)
        processes, bases = [], {}
        try:
            # Every server runs from the start (an idle one costs nothing), and each page is loaded on
            # every target in turn, so a change in the machine's speed during the run hits all alike.
            if "bare" in targets:
                processes.append(gunicorn(bare_env, PORTS["bare"], "bare.wsgi:application"))
                bases["bare"] = f"http://127.0.0.1:{PORTS['bare']}"
            processes.append(gunicorn({**env, "NEWSROOM_PAGE_CACHE": "0"}, PORTS["newsroom"]))
            uncached = f"http://127.0.0.1:{PORTS['newsroom']}"
            if "newsroom" in targets:
                bases["newsroom"] = uncached
            if "nginx" in targets or "plain-varnish" in targets:
                wait_for(uncached + "/")
                processes.append(nginx_site(tmp, {p: fetch(uncached + p) for p in paths.values()}))
                bases["nginx"] = f"http://127.0.0.1:{PORTS['nginx']}"
            if "varnish" in targets:
                cache_url = f"http://127.0.0.1:{PORTS['varnish']}"
                processes.append(gunicorn({**env, "NEWSROOM_HTTP_CACHE_URLS": cache_url}, PORTS["newsroom-behind"]))
                wait_for(f"http://127.0.0.1:{PORTS['newsroom-behind']}/")
                processes.append(varnish(tmp, PORTS["newsroom-behind"]))
                bases["varnish"] = cache_url
            if "plain-varnish" in targets:
                processes.append(varnish(tmp, PORTS["nginx"], "plain-varnish", PLAIN_VCL % PORTS["nginx"]))
                bases["plain-varnish"] = f"http://127.0.0.1:{PORTS['plain-varnish']}"
            for base in bases.values():
                wait_for(base + "/")
            for label, path in paths.items():
                for target in targets:
                    load(bases[target], {label: path}, args.duration, results, target)
        finally:
            stop(*reversed(processes))
        if "DATABASE_URL" in os.environ and os.environ["DATABASE_URL"].startswith("postgres"):
            for name in postgres_names(os.environ["DATABASE_URL"]):
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=False)
        report(results, paths, targets)


if __name__ == "__main__":
    main()
