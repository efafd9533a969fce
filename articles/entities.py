"""Load the shipped people and organisations (articles/data/entities.json).

Used by a data migration, so every install starts with the entities of the
first article, and by the ``load_entities`` command to re-apply the file after
editing it. Existing rows are matched by slug and never duplicated.
"""

import json
from datetime import date
from pathlib import Path

ENTITIES_FILE = Path(__file__).resolve().parent / "data" / "entities.json"


def load_entities(Person, PersonAlias, Organization, OrganizationAlias, Role, path=ENTITIES_FILE):
    """Create or update the entities in ``path``; the models are passed in so migrations can use historical ones."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    orgs = {}
    for item in data["organizations"]:
        org, _ = Organization.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "parent": orgs.get(item["parent"]) if item.get("parent") else None,
            },
        )
        orgs[org.slug] = org
        for alias in item.get("aliases", []):
            OrganizationAlias.objects.get_or_create(organization=org, name=alias)
    for item in data["people"]:
        person, _ = Person.objects.update_or_create(
            slug=item["slug"],
            defaults={"name": item["name"], "job_title": item.get("job_title", ""), "bio": item.get("bio", "")},
        )
        for alias in item.get("aliases", []):
            PersonAlias.objects.get_or_create(person=person, name=alias)
        for role in item.get("roles", []):
            start = role.get("start_date")
            found, _ = Role.objects.get_or_create(
                person=person,
                organization=orgs[role["organization"]],
                title=role["title"],
                defaults={"start_date": date.fromisoformat(start) if start else None},
            )
            if role.get("head") and not getattr(found, "head", True):  # historical models before 0009 have no head
                found.head = True
                found.save(update_fields=["head"])
    return len(data["people"]), len(orgs)
