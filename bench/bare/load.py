"""Load the benchmark corpus into the bare app's database: tables made by syncdb, rows by bulk_create.

    DJANGO_SETTINGS_MODULE=bare.settings python bench/bare/load.py CORPUS_FOLDER

People and organisations (articles/data/entities.json) are linked to the
articles whose text names them or one of their aliases, as Newsroom's importer
links them, so both sites list the same articles on those pages.
"""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils.text import slugify  # noqa: E402

import corpus  # noqa: E402
from bare.models import Article, Organization, Person, Section, Tag  # noqa: E402


def main(folder):
    call_command("migrate", run_syncdb=True, verbosity=0)
    entities = json.loads((corpus.ROOT / "articles" / "data" / "entities.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        people = [Person(name=p["name"], slug=p["slug"]) for p in entities["people"]]
        orgs = [Organization(name=o["name"], slug=o["slug"]) for o in entities["organizations"]]
        Person.objects.bulk_create(people)
        Organization.objects.bulk_create(orgs)
        names = {p.slug: [p.name.lower(), *(a.lower() for a in e.get("aliases", []))] for p, e in zip(people, entities["people"])}
        org_names = {o.slug: [o.name.lower(), *(a.lower() for a in e.get("aliases", []))] for o, e in zip(orgs, entities["organizations"])}
        people = {p.slug: p for p in Person.objects.all()}
        orgs = {o.slug: o for o in Organization.objects.all()}
        sections, tags, rows, links = {}, {}, [], []
        for item in corpus.read(folder):
            parent = None
            parts = [part.strip() for part in item["section"].split("/")]
            for depth in range(len(parts)):
                path = "/".join(slugify(p) for p in parts[: depth + 1])
                if path not in sections:
                    sections[path] = Section.objects.create(name=parts[depth], path=path, parent=parent)
                parent = sections[path]
            for name in item["tags"]:
                if slugify(name) not in tags:
                    tags[slugify(name)] = Tag.objects.create(name=name, slug=slugify(name))
            text = f"{item['title']}\n{item['summary']}\n{item['body']}".lower()
            rows.append(Article(
                title=item["title"], slug=slugify(item["title"]), section=parent, summary=item["summary"],
                body=item["body"], byline=item["byline"],
                published_at=datetime.fromisoformat(item["date"]).replace(tzinfo=timezone.utc),
            ))
            links.append((
                [tags[slugify(t)] for t in item["tags"]],
                [people[s] for s, n in names.items() if any(x in text for x in n)],
                [orgs[s] for s, n in org_names.items() if any(x in text for x in n)],
            ))
        Article.objects.bulk_create(rows, batch_size=500)
        by_slug = {a.slug: a.pk for a in Article.objects.only("pk", "slug")}
        through = (Article.tags.through, Article.people.through, Article.organizations.through)
        fields = ("tag_id", "person_id", "organization_id")
        for index, (model, field) in enumerate(zip(through, fields)):
            model.objects.bulk_create(
                [model(article_id=by_slug[row.slug], **{field: obj.pk}) for row, link in zip(rows, links) for obj in link[index]],
                batch_size=1000,
            )


if __name__ == "__main__":
    main(sys.argv[1])
