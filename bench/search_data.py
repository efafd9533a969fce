"""Generated articles for the search and admin benchmarks, written straight into a migrated database.

    .venv/bin/python bench/search_data.py --articles 100000     # into the database the environment names

Words follow a Zipf distribution over a fixed made-up vocabulary (rank r is
drawn with weight 1/r), so a few words occur in nearly every article and the
tail in a handful: `common_words()` and `rare_words()` give the benchmarks
queries of both kinds. Titles are drawn from the same words, so common words
match titles too. Twelve sections, 500 tags (three per article), publish
times over five years in id order, one article in twenty a draft. Rows go in
with bulk_create and the search index is written by the search backend's own
`store()`, so the benchmark measures the index the site builds. Deterministic
for a given count.
"""

import argparse
import itertools
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = 6000
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "an", "pe", "qui", "bra", "zu", "hel", "mon", "tri",
             "cas", "el", "nor", "fi", "gu", "lex", "or", "pra", "su", "tan", "vi", "wen", "xa", "yo"]
SECTIONS = ["Business", "Markets", "Technology", "Retail", "Logistics", "Policy", "Broadcast", "Energy", "Autos",
            "Finance", "Health", "Travel"]
BATCH = 2000


def vocabulary():
    """VOCABULARY distinct lower-case words, the same every run (rank 0 most frequent)."""
    words = []
    for length in (2, 3, 4):
        for parts in itertools.product(SYLLABLES, repeat=length):
            words.append("".join(parts))
            if len(words) == VOCABULARY * 3:
                break
    rng = random.Random(1)
    return list(dict.fromkeys(rng.sample(words, VOCABULARY * 2)))[:VOCABULARY]


WORDS = vocabulary()
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))


def common_words():
    """Words ranked 3-40: each in most articles' bodies."""
    return WORDS[3:40]


def rare_words():
    """Words ranked 3000-6000: each in well under one article in a hundred."""
    return WORDS[3000:6000]


def draw(rng, count):
    return rng.choices(WORDS, cum_weights=CUMULATIVE, k=count)


def generate(count, seed=7):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Category
    from articles.search import backend, document

    rng = random.Random(seed)
    sections = [Category.objects.get_or_create(slug=name.lower(), parent=None, defaults={"name": name})[0] for name in SECTIONS]
    Tag.objects.bulk_create([Tag(name=f"topic {i}", slug=f"topic-{i}") for i in range(500)])
    tags = list(Tag.objects.filter(slug__startswith="topic-").order_by("pk"))
    article_type = ContentType.objects.get_for_model(Article)
    start = datetime(2021, 1, 1, tzinfo=timezone.utc)
    span = timedelta(days=1800)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        rows = []
        for i in range(made, made + size):
            title = " ".join(draw(rng, 6)).capitalize() + f" {i}"
            paragraphs = [" ".join(draw(rng, 60)).capitalize() + "." for _ in range(4)]
            rows.append(Article(
                title=title, slug=f"article-{i}", standfirst=" ".join(draw(rng, 14)).capitalize() + ".",
                body="\n\n".join(paragraphs), category=sections[i % len(sections)],
                status=Article.Status.DRAFT if i % 20 == 19 else Article.Status.PUBLISHED,
                publish_at=start + span * i / count, byline="Bench desk", source_name=f"bench/{i:06d}.txt",
            ))
        with transaction.atomic():
            Article.objects.bulk_create(rows)
            stored = list(Article.objects.filter(slug__in=[a.slug for a in rows]).order_by("pk"))
            links, names = [], {}
            for article in stored:
                chosen = rng.sample(tags, 3)
                names[article.pk] = [t.name for t in chosen]
                links.extend(TaggedItem(tag=t, content_type=article_type, object_id=article.pk) for t in chosen)
            TaggedItem.objects.bulk_create(links)
            backend().store([(a.pk, document(a, names[a.pk], [])) for a in stored], new=True)
        made += size
    with connection.cursor() as cursor:  # as the importer leaves a big import: statistics fresh, index merged
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("INSERT INTO articles_search(articles_search) VALUES ('optimize')")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    generate(args.articles)
    print(f"{args.articles:,} articles generated in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
