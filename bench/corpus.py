"""The articles every benchmark target serves: N English articles, the same for Newsroom and the bare Django app.

    .venv/bin/python bench/corpus.py FOLDER --articles 10000

Each article is a header-format text file (what ``import_articles`` reads):
a unique title, one of twelve sections (two levels), two tags out of fifty,
a date spread over five years, a byline, a summary and four to eight
paragraphs of English that name one to three of the people and
organisations in ``articles/data/entities.json``. Article 0 carries the
body of the 19 KB seed sample: a hundred mentions of people and
organisations, the entity-dense page of the benchmark. ``read()`` parses the
files back for the bare app's loader, so both sites hold the same text.
"""

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_c6f02d5226f12f52.txt"
SECTIONS = [
    "Business / E-commerce", "Business / Logistics", "Finance / Earnings", "Finance / Markets",
    "Technology / Cloud and AI", "Technology / Devices", "Retail", "Logistics / Cross-border",
    "Policy", "Media", "Energy", "Autos",
]
TAGS = [f"{word} {n}" for n in range(1, 11) for word in ("markets", "retail", "platforms", "cloud", "freight")]
WORDS = (
    "quarter revenue growth platform merchants consumers shipping warehouse payments market share "
    "investors profit margin logistics network expansion strategy pricing competition regulators "
    "subscribers advertising services customers delivery suppliers factories exports analysts forecast "
    "demand inventory capacity partners retail stores online sales cost savings results outlook"
).split()
VERBS = ["reported", "expanded", "cut", "raised", "announced", "expected", "opened", "reviewed", "doubled", "slowed"]
SEED_TITLE = "Taobao and Tmall complete their merger into one platform"
SEED_SLUG = "taobao-and-tmall-complete-their-merger-into-one-platform"


def entity_names():
    data = json.loads((ROOT / "articles" / "data" / "entities.json").read_text(encoding="utf-8"))
    return [p["name"] for p in data["people"]], [o["name"] for o in data["organizations"]]


def seed_body():
    text = SEED.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return text.split("\n", 2)[2].strip()  # after the breadcrumb line and the title line


def paragraph(rng, names):
    sentences = []
    for _ in range(rng.randint(3, 6)):
        subject = rng.choice(names) if rng.random() < 0.3 else f"The {rng.choice(WORDS)} team"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        sentences.append(f"{subject} {rng.choice(VERBS)} {words}.")
    return " ".join(sentences)


def article(i, count, rng, people, organizations):
    day = date(2021, 1, 1) + timedelta(days=(i * 1826) // max(count, 1))
    section = SECTIONS[i % len(SECTIONS)]
    names = rng.sample(people, rng.randint(1, 2)) + rng.sample(organizations, rng.randint(1, 2))
    if i == 0:
        title, section, body = SEED_TITLE, "Business / E-commerce", seed_body()
        day = date(2026, 6, 1)  # the newest: found at the top of the home page
    else:
        title = f"Market report {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)} at {names[-1]}"
        body = "\n\n".join(paragraph(rng, names) for _ in range(rng.randint(4, 8)))
    return {
        "title": title,
        "section": section,
        "tags": [TAGS[i % len(TAGS)], TAGS[(i * 7 + 3) % len(TAGS)]],
        "date": day.isoformat(),
        "byline": "Bench desk",
        "summary": f"Summary of report {i}: {names[0]} and the {rng.choice(WORDS)} outlook.",
        "body": body,
    }


def generate(folder, count):
    """Write ``count`` header-format files into ``folder`` (made if missing); the same files for the same count."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(18)
    people, organizations = entity_names()
    for i in range(count):
        a = article(i, count, rng, people, organizations)
        (folder / f"{i:06d}.txt").write_text(
            f"Title: {a['title']}\nCategory: {a['section']}\nTags: {', '.join(a['tags'])}\nDate: {a['date']}\n"
            f"Byline: {a['byline']}\nSummary: {a['summary']}\n\n{a['body']}\n",
            encoding="utf-8",
        )


def read(folder):
    """The articles of ``generate``'s files, as dicts (title, section, tags, date, byline, summary, body)."""
    for path in sorted(Path(folder).glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        yield {
            "title": fields["Title"], "section": fields["Category"], "tags": fields["Tags"].split(", "),
            "date": fields["Date"], "byline": fields["Byline"], "summary": fields["Summary"], "body": body.strip(),
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    generate(args.folder, args.articles)
