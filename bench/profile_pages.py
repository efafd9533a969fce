"""Where an uncached page's time goes: one warm process, Django's test client, the page cache off.

    .venv/bin/python bench/profile_pages.py --articles 3000            # builds a database in a temporary folder
    NEWSROOM_DATA_DIR=/somewhere .venv/bin/python bench/profile_pages.py --keep   # reuse (or make) one there
    .venv/bin/python bench/profile_pages.py --profile article --top 30  # cProfile one page, by cumulative time

Prints CPU milliseconds per request (median of --repeat runs; CPU time, not wall time, so other
programs on the machine move it less) and queries per page
for the pages bench/compare.py loads, with the same corpus (bench/corpus.py).
"""

import argparse
import cProfile
import os
import pstats
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
    parser.add_argument("--keep", action="store_true", help="use NEWSROOM_DATA_DIR as it is if it holds a database")
    args = parser.parse_args()
    data = os.environ.get("NEWSROOM_DATA_DIR") or tempfile.mkdtemp()
    env = {**os.environ, "NEWSROOM_DATA_DIR": data, "DJANGO_DEBUG": "", "NEWSROOM_LOG_LEVEL": "WARNING",
           "NEWSROOM_PAGE_CACHE": "0"}
    os.environ.update(env)
    import corpus

    built = (Path(data) / "newsroom.sqlite3").exists() or os.environ.get("DATABASE_URL")
    if not (args.keep and built):
        folder = Path(tempfile.mkdtemp())
        corpus.generate(folder, args.articles)
        python = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "manage.py", "import_articles", str(folder), "--publish", "-v0"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import compare

    compare.CORPUS = Path(tempfile.mkdtemp())
    corpus.generate(compare.CORPUS, 2)  # article 1's title names the article page
    from articles.models import Article

    count = Article.objects.count()
    client = Client()
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
    print(f"{count:,} articles; CPU ms per request (this process: SQLite runs in it), median of {args.repeat}; queries per request")
    for label, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        for _ in range(10):
            client.get(path)
        times = []
        for _ in range(args.repeat):
            started = time.process_time()
            client.get(path)
            times.append((time.process_time() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(f"  {label:22} {statistics.median(times):7.2f} ms  {len(queries):3d} queries", flush=True)


if __name__ == "__main__":
    main()
