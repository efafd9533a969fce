"""What proposing grades costs the importer: EntityMatcher.grades() against find() on the seed article.

    .venv/bin/python bench/grading_speed.py [--rounds 2000]

find() (the linking the importer did before grades: one pass over the whole
text) is the baseline, measured in the same run on the same text and the
same names; grades() makes two passes (title and standfirst, then body) and
counts occurrences (up to three per spelling). Prints the best microseconds
per article of ten alternating batches for each, and the ratio.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def names():
    """Every seed name and alias as (spelling, key), from the shipped entities file (no database needed)."""
    import json

    data = json.loads((ROOT / "articles" / "data" / "entities.json").read_text(encoding="utf-8"))
    pairs = []
    for kind, items in (("organization", data["organizations"]), ("person", data["people"])):
        for pk, item in enumerate(items, start=1):
            pairs += [(spelling, (kind, pk)) for spelling in [item["name"], *item["aliases"]]]
    return pairs


REPEATS = 10


def per_article(call, rounds):
    call()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - start) / rounds * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds

    import django

    django.setup()
    from articles.importing.link import EntityMatcher
    from articles.text import fold

    matcher = EntityMatcher(names())
    lines = (ROOT / "samples" / "000_c6f02d5226f12f52.txt").read_text(encoding="utf-8").splitlines()
    title, standfirst, body = lines[1], lines[2], "\n".join(lines[4:])
    full = f"{title}\n{standfirst}\n{body}"
    # Alternating batches, best of each: the machine is shared, so a slow moment must not favour either.
    baseline, graded = float("inf"), float("inf")
    for _ in range(REPEATS):
        baseline = min(baseline, per_article(lambda: matcher.find(full, fold(full.replace("\n", " "))), rounds // REPEATS))
        graded = min(graded, per_article(lambda: matcher.grades(f"{title}\n{standfirst}", body), rounds // REPEATS))
    print(f"seed article, {len(full):,} characters, {len(matcher.keys)} names, {rounds} rounds")
    print(f"find()   (baseline): {baseline:8.1f} µs per article")
    print(f"grades()           : {graded:8.1f} µs per article")
    print(f"ratio grades/find  : {graded / baseline:8.2f}")


if __name__ == "__main__":
    main()
