"""Where an uncached page's time goes, beside the bare Django app: one warm process each, Django's test client.

    .venv/bin/python bench/profile_pages.py --articles 3000            # builds both databases in a temporary folder
    NEWSROOM_DATA_DIR=/somewhere .venv/bin/python bench/profile_pages.py --keep   # reuse (or make) them there
    .venv/bin/python bench/profile_pages.py --profile article --top 30  # cProfile one page of Newsroom, by cumulative time
    .venv/bin/python bench/profile_pages.py --profile article --app bare  # ... or of the bare app

Prints CPU milliseconds per request (median of --repeat runs; CPU time, not
wall time, so other programs on the machine move it less) and queries per
page, for Newsroom (page cache off) and for the bare app (bench/bare/) with
the same corpus (bench/corpus.py), on the pages bench/compare.py loads, and
their ratio: bare ms ÷ Newsroom ms, which is Newsroom's throughput ÷ the bare
app's when the CPU is the limit (issue 18's goal: at least 1.5). With SQLite
the database runs in the process and its time is counted too.
"""

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", help="a page label to run under cProfile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="use NEWSROOM_DATA_DIR as it is if it holds the databases")
    parser.add_argument("--app", choices=APPS, help="measure (or --profile) this app alone, in this process")
    args = parser.parse_args()
    data = Path(os.environ.get("NEWSROOM_DATA_DIR") or tempfile.mkdtemp())
    envs = environments(data)
    if args.app and args.profile:
        os.environ.update(envs[args.app])
        return measure(args)
    args.app = args.app or ("newsroom" if args.profile else None)
    if not (args.keep and (data / "built").exists()):
        build(data, args.articles, envs)
    if args.app:
        os.environ.update(envs[args.app])
        return measure(args)
    figures = {}
    for app in APPS:
        out = subprocess.run([sys.executable, __file__, "--keep", "--app", app, "--repeat", str(args.repeat)],
                             env=envs[app], check=True, capture_output=True, text=True).stdout
        figures[app] = json.loads(out.strip().splitlines()[-1])
    count = figures["newsroom"].pop("_count")
    figures["bare"].pop("_count")
    print(f"{count:,} articles, {os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}; CPU ms per request in one "
          f"warm process, median of {args.repeat}; queries per request")
    print(f"  {'page':22} {'bare':>16} {'Newsroom':>16}   bare ÷ Newsroom")
    for label, (bare_ms, bare_queries) in figures["bare"].items():
        ms, queries = figures["newsroom"][label]
        print(f"  {label:22} {bare_ms:7.2f} ms {bare_queries:3d} q {ms:7.2f} ms {queries:3d} q   {bare_ms / ms:6.2f}")


APPS = ("newsroom", "bare")


def environments(data):
    """{app: environment}: Newsroom with its page cache off, and the bare app on its own database beside it."""
    newsroom = {**os.environ, "NEWSROOM_DATA_DIR": str(data), "DJANGO_DEBUG": "", "NEWSROOM_LOG_LEVEL": "WARNING",
                "NEWSROOM_PAGE_CACHE": "0", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    bare = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare.settings", "BARE_DATABASE": str(data / "bare.sqlite3"),
            "PYTHONPATH": f"{HERE / 'bare'}:{HERE}"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        bare["BARE_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_bare"
    return {"newsroom": newsroom, "bare": bare}


def build(data, count, envs):
    import compare
    import corpus

    folder = data / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    corpus.generate(folder, count)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        for name in compare.postgres_names(url):
            compare.recreate_postgres(name)
    (data / "bare.sqlite3").unlink(missing_ok=True)
    (data / "newsroom.sqlite3").unlink(missing_ok=True)
    python = str(ROOT / ".venv" / "bin" / "python")
    newsroom = envs["newsroom"]
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=newsroom, check=True)
    subprocess.run([python, "manage.py", "import_articles", str(folder), "--publish", "-v0"], cwd=ROOT, env=newsroom,
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([python, str(HERE / "bare" / "load.py"), str(folder)], env=envs["bare"], check=True)
    (data / "built").touch()


def measure(args):
    """The pages of one app, in this process: a JSON line of {label: [CPU ms, queries]}, or a profile."""
    import django

    if args.app == "bare":
        sys.path.insert(0, str(HERE / "bare"))
    else:
        from newsroom.bootstrap import prepare_data_dir

        prepare_data_dir()
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import compare
    import corpus

    compare.CORPUS = Path(tempfile.mkdtemp())
    corpus.generate(compare.CORPUS, 2)  # article 1's title names the article page
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM " + ("articles_article" if args.app != "bare" else "bare_article"))
        (count,) = cursor.fetchone()
    client = Client(HTTP_HOST="127.0.0.1")  # an address both apps' ALLOWED_HOSTS name
    paths = compare.pages(count)
    if args.profile:
        path = paths[args.profile]
        for _ in range(20):
            client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        return
    figures = {"_count": count}
    for label, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (args.app, path, response.status_code)
        for _ in range(10):
            client.get(path)
        times = []
        for _ in range(args.repeat):
            started = time.process_time()
            client.get(path)
            times.append((time.process_time() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        figures[label] = [round(statistics.median(times), 3), len(queries)]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
