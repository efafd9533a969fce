"""Import speed and memory: N seed-sized files into a fresh SQLite database.

    .venv/bin/python bench/import_speed.py            # 1,000 and 10,000 files
    .venv/bin/python bench/import_speed.py --files 10000 --only
    DATABASE_URL=postgres://postgres@127.0.0.1/newsroom_bench .venv/bin/python bench/import_speed.py --files 10000

Each size runs in its own process, so peak memory (max RSS) is that run's own.
Prints files/s for a first import (everything created, entity linking and
search indexing on) and for a re-run over the same files (everything unchanged).
With --only it also prints the first import's CPU seconds per 1,000 files: of
this process, of its worker processes and, on PostgreSQL, of the server
process serving it. On a shared machine files/s moves with the load; the CPU
seconds are the figures to compare between two versions.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_c6f02d5226f12f52.txt"


def make_files(folder, count):
    seed = SEED.read_text(encoding="utf-8")
    head, _, body = seed.partition("\n\n")
    for i in range(count):
        # A unique title and sentence per file: distinct checksums and slugs,
        # the seed's size and shape otherwise.
        text = head.replace("Honey pomelo live app", f"Honey pomelo live app {i}") + f"\n\nEdition {i} of the story.\n\n" + body
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")


def cpu_seconds():
    """{part: CPU seconds so far} for this process, its finished child processes and the database server's process."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import's workers, once it has ended them
    seconds = {"parent": own.ru_utime + own.ru_stime, "workers": children.ru_utime + children.ru_stime, "server_pid": None}
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = seconds["server_pid"] = cursor.fetchone()[0]
        try:  # the server on this machine, as the bench expects; its /proc entry says how busy it was
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds["postgres"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return seconds


def run_one(count):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["NEWSROOM_DATA_DIR"] = str(tmp / "data")
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            # A fresh database each run.
            name = url.rsplit("/", 1)[1]
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        import django

        from newsroom.bootstrap import prepare_data_dir

        prepare_data_dir()  # what manage.py does before Django starts
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        folder = tmp / "files"
        folder.mkdir()
        make_files(folder, count)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        timings, cpu = {}, {}
        for label in ("first", "rerun"):
            before = cpu_seconds()
            started = time.perf_counter()
            call_command("import_articles", str(folder), "--publish", verbosity=0, stdout=open(os.devnull, "w"))
            timings[label] = time.perf_counter() - started
            after = cpu_seconds()
            cpu[label] = {part: after[part] - before[part] for part in ("parent", "workers")}
            # The server's figure counts only if the import kept the connection it was read on.
            if "postgres" in after and after["server_pid"] == before["server_pid"]:
                cpu[label]["postgres"] = after["postgres"] - before["postgres"]
        from articles.models import Article

        assert Article.objects.count() == count
        return {
            "files": count,
            "first_files_per_s": round(count / timings["first"]),
            "rerun_files_per_s": round(count / timings["rerun"]),
            "first_seconds": round(timings["first"], 2),
            **{f"first_cpu_s_per_1000_{k}": round(v * 1000 / count, 2) for k, v in cpu["first"].items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_before_import_mb": round(rss_before / 1024, 1),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--only", action="store_true", help="run in this process (used by the parent run)")
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run_one(args.files[0])))
        return
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}")
    print(f"{'files':>7} {'first import':>14} {'re-run':>10} {'peak RSS':>10}   CPU s per 1,000 files (first import)")
    for count in args.files:
        out = subprocess.run([sys.executable, __file__, "--only", "--files", str(count)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        cpu = ", ".join(f"{k.rsplit('_', 1)[1]} {v}" for k, v in r.items() if k.startswith("first_cpu_s_per_1000_"))
        print(f"{r['files']:>7} {r['first_files_per_s']:>9} f/s {r['rerun_files_per_s']:>6} f/s {r['peak_rss_mb']:>7} MB   {cpu}")


if __name__ == "__main__":
    main()
