"""The editors' article admin at scale: each view's time with Django's test client, logged in as an Editor.

    .venv/bin/python bench/admin_scale.py                     # 10,000 and 100,000 articles, SQLite
    .venv/bin/python bench/admin_scale.py --articles 100000
    DATABASE_URL=postgres://postgres@127.0.0.1/newsroom_bench .venv/bin/python bench/admin_scale.py

For each size it builds a fresh database (bench/search_data.py), then in one
warm process times the article list, its search, each filter, a date
drill-down, the change form and the tag autocomplete: one warm-up request,
then --repeat timed ones, printing the median and the slowest in ms, the
median CPU time of this process (the part a busy machine cannot stretch;
SQLite's work is in it, PostgreSQL's is not), the median time spent in SQL
and the number of SQL queries. Every response must be a 200.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def views(Article, Category, Tag):
    from search_data import common_words, rare_words

    article = Article.objects.order_by("-pk").first()
    category = Category.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    year = article.publish_at.year
    base = "/admin/articles/article/"
    return [
        ("list", base, {}),
        ("list, page 50", base, {"p": "50"}),
        ("search, common word", base, {"q": common_words()[0]}),
        ("search, rare word", base, {"q": rare_words()[0]}),
        ("search, no match", base, {"q": "zzzzqqq"}),
        ("filter state=live", base, {"state": "live"}),
        ("filter state=draft", base, {"state": "draft"}),
        ("filter state=scheduled", base, {"state": "scheduled"}),
        ("filter status", base, {"status__exact": "published"}),
        ("filter category", base, {"category__id__exact": str(category.pk)}),
        ("filter tag", base, {"tags__id__exact": str(tag.pk)}),
        ("filter quality flag", base, {"flag": "no_date"}),
        ("filter language", base, {"language__exact": "en"}),
        ("date: year", base, {"publish_at__year": str(year)}),
        ("date: month", base, {"publish_at__year": str(year), "publish_at__month": str(article.publish_at.month)}),
        ("change form", f"{base}{article.pk}/change/", {}),
        ("tag autocomplete", "/admin/autocomplete/", {"term": "topic 1", "app_label": "articles",
                                                        "model_name": "article", "field_name": "tags"}),
    ]


IN_PROCESS = r"""
import os, statistics, sys, time
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import django
django.setup()
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag
from articles.models import Article, Category
from admin_scale import views
connection.force_debug_cursor = True  # query times, for the SQL column
user = User.objects.create_user("bench-editor", password="x", is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
client = Client()
client.force_login(user)
repeat = int(sys.argv[1])
print(f"{'view':26} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'SQL ms':>8} {'queries':>8}")
for label, path, params in views(Article, Category, Tag):
    response = client.get(path, params)
    assert response.status_code == 200, (label, response.status_code)
    times, cpu, sql = [], [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    print(f"{label:26} {statistics.median(times):10.1f} {max(times):8.1f} {statistics.median(cpu):8.1f} {statistics.median(sql):8.1f} {len(queries):8d}",
          flush=True)
"""


def bench(count, repeat, env_base):
    with tempfile.TemporaryDirectory() as tmp:
        env = {**env_base, "NEWSROOM_DATA_DIR": str(Path(tmp) / "data"), "DJANGO_DEBUG": "",
               "NEWSROOM_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
        url = env.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            name = url.rsplit("/", 1)[1]
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        python = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([python, "bench/search_data.py", "--articles", str(count)], env=env, cwd=ROOT, check=True)
        print(f"\n{count:,} articles ({url.split('@')[-1] or 'SQLite'}), {repeat} timed requests per view", flush=True)
        subprocess.run([python, "-c", IN_PROCESS, str(repeat)], env=env, cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), f"{os.cpu_count()} cores", flush=True)
    for count in args.articles:
        bench(count, args.repeat, dict(os.environ))


if __name__ == "__main__":
    main()
