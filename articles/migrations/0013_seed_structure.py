"""The first article's reorganisation as structure through time, cited to that article.

Alibaba Group > China Digital Commerce (Dai Shan, president from 6 December
2021) > Big Taobao, whose Taobao and Tmall business groups became, on
6 December 2021, three centres with their heads; Taobao Live and Guangguang
moved from under Taobao to report to Dai Shan; Alimama continues under Jia
Luo; Lu Su, the group's CTO, is also Big Taobao's. Plus Alibaba Group's
identifiers (Wikidata, LEI, listings).

Self-contained: the data is frozen here and written with the historical
models. The seed article is found by its file's SHA-256; on a fresh install it
is imported after this runs, so each fact also keeps that checksum and the
importer links the article when the file comes in.
"""

from datetime import date

from django.contrib.auth.management import create_permissions
from django.db import migrations

SEED_CHECKSUM = "1266f82b395c055185cf3edf9dad66a30253dfab7d3b28c6d3309c2327be0a97"
REORGANISED = date(2021, 12, 6)

NEW_ORGANIZATIONS = [
    # slug, name, current parent, founded, dissolved, aliases, description
    ("taobao-business-group", "Taobao Business Group", "big-taobao", None, REORGANISED, [],
     "Ran Taobao's business until it merged with the Tmall business group into three centres in December 2021."),
    ("tmall-business-group", "Tmall Business Group", "big-taobao", None, REORGANISED, [],
     "Ran Tmall's business until it merged with the Taobao business group into three centres in December 2021."),
    ("guangguang", "Guangguang", "china-digital-commerce", None, None, ["逛逛"],
     "Taobao's content-shopping channel, reporting directly to Dai Shan since December 2021."),
]

FACTS = [
    # organisation, kind, parent (under/into), previous parent, note
    ("china-digital-commerce", "created", "alibaba-group", None, "Set up to run Alibaba's shopping businesses in China."),
    ("international-digital-commerce", "created", "alibaba-group", None, "Set up to run Alibaba's shopping businesses abroad."),
    ("big-taobao", "moved", "china-digital-commerce", "alibaba-group", "Dai Shan took charge of it from Fan Jiang."),
    ("taobao-business-group", "merged", None, None, "Merged with the Tmall business group into three centres."),
    ("tmall-business-group", "merged", None, None, "Merged with the Taobao business group into three centres."),
    ("user-operation-development-center", "created", "big-taobao", None, "For consumers."),
    ("industrial-operation-development-center", "created", "big-taobao", None, "For merchants."),
    ("platform-strategy-operation-center", "created", "big-taobao", None, "Links consumers and merchants."),
    ("taobao-live", "moved", "china-digital-commerce", "taobao", "Reports directly to Dai Shan."),
    ("guangguang", "moved", "china-digital-commerce", "taobao", "Reports directly to Dai Shan."),
]

CREATED_ON_THE_DAY = ["china-digital-commerce", "international-digital-commerce", "user-operation-development-center",
                      "industrial-operation-development-center", "platform-strategy-operation-center"]

ROLES = [
    # person, organisation, title, head, start date (None: not reported)
    ("dai-shan", "china-digital-commerce", "President", True, REORGANISED),
    ("fan-jiang", "international-digital-commerce", "President", True, REORGANISED),
    ("xuande", "user-operation-development-center", "Head", True, REORGANISED),
    ("chuixue", "industrial-operation-development-center", "Head", True, REORGANISED),
    ("sixin", "platform-strategy-operation-center", "Head", True, REORGANISED),
    ("daofang", "taobao-live", "Head", True, None),
    ("qiancheng", "guangguang", "Head", True, None),
    ("jia-luo", "alimama", "Head", True, None),
    ("lu-su", "big-taobao", "Chief Technology Officer", False, REORGANISED),
]
# Qiancheng's role was first recorded on Taobao; Guangguang is a unit of its own now.
MOVED_ROLES = [("qiancheng", "taobao", "Head of content shopping (Guangguang)", "guangguang", "Head")]
HEADS_WITHOUT_SOURCE = [("zhang-yong", "alibaba-group", "Chairman and Chief Executive Officer")]

IDENTIFIERS = {
    "alibaba-group": {"wikidata_id": "Q1359568", "lei": "5493001NTNQJDH60PM02", "listings": [("9988", "HKEX"), ("BABA", "NYSE")]},
}


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Organization = apps.get_model("articles", "Organization")
    OrganizationAlias = apps.get_model("articles", "OrganizationAlias")
    Person = apps.get_model("articles", "Person")
    Role = apps.get_model("articles", "Role")
    StructureFact = apps.get_model("articles", "StructureFact")
    Listing = apps.get_model("articles", "Listing")

    orgs = {o.slug: o for o in Organization.objects.all()}
    needed = {"alibaba-group", "china-digital-commerce", "big-taobao", "taobao", "alimama", "taobao-live"}
    if not needed <= orgs.keys():
        return  # the seed entities were removed: nothing to describe
    source = Article.objects.filter(source_checksum=SEED_CHECKSUM).first()
    cited = {"source": source, "source_checksum": SEED_CHECKSUM}

    for slug, name, parent, founded, dissolved, aliases, description in NEW_ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "parent": orgs[parent], "founded": founded, "dissolved": dissolved,
                      "description": description},
        )
        orgs[slug] = org
        for alias in aliases:
            OrganizationAlias.objects.get_or_create(organization=org, name=alias)
    for slug in CREATED_ON_THE_DAY:
        if slug in orgs and orgs[slug].founded is None:
            orgs[slug].founded = REORGANISED
            orgs[slug].save(update_fields=["founded"])
    for slug, kind, parent, previous, note in FACTS:
        if slug not in orgs:
            continue
        StructureFact.objects.get_or_create(
            organization=orgs[slug], kind=kind, date=REORGANISED,
            defaults={"parent": orgs.get(parent), "previous_parent": orgs.get(previous), "note": note, **cited},
        )

    people = {p.slug: p for p in Person.objects.all()}
    for person, old_org, old_title, new_org, new_title in MOVED_ROLES:
        if person in people:
            Role.objects.filter(person=people[person], organization=orgs[old_org], title=old_title).update(
                organization=orgs[new_org], title=new_title
            )
    for person, org, title, head, start in ROLES:
        if person not in people or org not in orgs:
            continue
        role, _ = Role.objects.get_or_create(person=people[person], organization=orgs[org], title=title)
        role.head = head
        role.start_date = role.start_date or start
        role.source, role.source_checksum = source, SEED_CHECKSUM
        role.save()
    for person, org, title in HEADS_WITHOUT_SOURCE:
        if person in people and org in orgs:
            Role.objects.filter(person=people[person], organization=orgs[org], title=title).update(head=True)

    for slug, ids in IDENTIFIERS.items():
        org = orgs[slug]
        org.wikidata_id = org.wikidata_id or ids["wikidata_id"]
        org.lei = org.lei or ids["lei"]
        org.save(update_fields=["wikidata_id", "lei"])
        for ticker, exchange in ids["listings"]:
            Listing.objects.get_or_create(ticker=ticker, exchange=exchange, defaults={"organization": org})


# The models 0009 added, and what each role may do with them (as 0005 gave for the others).
NEW_MODELS = ["structurefact", "listing", "articleperson", "articleorganization"]
GRANTS = {"Editor": "*", "Admin": "*", "Writer": ["view_structurefact", "view_listing"]}


def grant_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    new = Permission.objects.filter(content_type__app_label="articles", content_type__model__in=NEW_MODELS)
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*(new if codenames == "*" else new.filter(codename__in=codenames)))


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_structure_grades_identifiers")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
