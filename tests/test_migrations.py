"""Migrations are history: they carry what they need and run the same however the live code changes.

A migration that imports the project's code (the search backends' SQL, the
entities loader and its JSON file) would silently do something else once that
code changes, so an install migrated next year would not be the install
migrated today.
"""

import ast
import json
import importlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from articles.models import Organization, Person, Role

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "articles" / "migrations"
PROJECT_PACKAGES = {"articles", "newsroom"}
# The one project import a migration cannot drop: Django writes a field's callable by reference
# (upload_to=articles.models.upload_path in 0001 and 0009), and pointing it elsewhere would be a model change.
# Only that name may be used through it, so the allowance covers nothing else.
FIELD_CALLABLES = {name: {"articles.models": {"upload_path"}} for name in ("0001_initial.py", "0009_media_library.py")}


def third_party_apps():
    """Top-level packages of the installed apps that are neither Django's nor the project's (taggit, axes, ...)."""
    tops = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    return tops - PROJECT_PACKAGES - {"django"}


def allowed(module):
    top = module.split(".")[0]
    return bool(top) and (top == "django" or top in sys.stdlib_module_names or top in third_party_apps())


def imports(tree):
    """(line, module, statement) for every import anywhere in the tree, in functions too, and import_module() calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, "." * node.level + (node.module or ""), ast.unparse(node)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value, ast.unparse(node)


def dotted(node):
    """'a.b.c' for an attribute chain a.b.c, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def migration_files():
    files = sorted(MIGRATIONS.glob("*.py"))
    assert any(path.name == "0003_search_index.py" for path in files)
    return files


def test_migrations_import_only_django_the_standard_library_and_third_party_apps():
    offending = []
    for path in migration_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        exempt = FIELD_CALLABLES.get(path.name, {})
        for line, module, statement in imports(tree):
            if not allowed(module) and module not in exempt:
                offending.append(f"articles/migrations/{path.name}:{line} imports {module or '.'} ({statement})")
        for module, names in exempt.items():
            used = {chain[len(module) + 1 :].split(".")[0]
                    for chain in filter(None, (dotted(node) for node in ast.walk(tree) if isinstance(node, ast.Attribute)))
                    if chain.startswith(module + ".")}
            offending.extend(f"articles/migrations/{path.name} uses {module}.{name}, not a field's callable"
                             for name in sorted(used - names))
    assert not offending, "migrations must not use the project's live code:\n" + "\n".join(offending)


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("from articles.search import postgres, sqlite", "imports articles.search"),
        ("def forwards(apps, schema_editor):\n    from articles.entities import load_entities\n", "imports articles.entities"),
        ("import newsroom.settings", "imports newsroom.settings"),
        ("from . import helpers", "imports ."),
        ("import importlib\nimportlib.import_module('articles.search.sqlite')", "imports articles.search.sqlite"),
    ],
)
def test_the_import_check_names_what_it_finds(source, reported):
    found = [f"imports {module or '.'}" for _, module, _ in imports(ast.parse(source)) if not allowed(module)]
    assert found == [reported]


def frozen(name):
    return importlib.import_module(f"articles.migrations.{name}")


def test_the_entities_migration_carries_its_own_data():
    entities = frozen("0002_corpus_entities").ENTITIES
    assert {"alibaba-group", "big-taobao", "user-operation-development-center"} <= {o["slug"] for o in entities["organizations"]}
    assert {"dai-shan", "zhang-yong"} <= {p["slug"] for p in entities["people"]}


@pytest.mark.django_db
def test_the_migrated_database_holds_every_seed_entity_with_its_aliases_and_roles():
    """As 0002 wrote them, with the changes the structure seed (0010) makes to roles."""
    entities = frozen("0002_corpus_entities").ENTITIES
    structure = frozen("0013_seed_structure")
    moved = {(person, org, title): (new_org, new_title) for person, org, title, new_org, new_title in structure.MOVED_ROLES}
    starts = {(person, org, title): start for person, org, title, _, start in structure.ROLES}

    def expected_role(person, role):
        key = (person, role["organization"], role["title"])
        org, title = moved.get(key, key[1:])
        start = date.fromisoformat(role["start_date"]) if role.get("start_date") else starts.get((person, org, title))
        return org, title, start

    for item in entities["organizations"]:
        org = Organization.objects.get(slug=item["slug"])
        assert (org.name, org.description, org.parent.slug if org.parent else None) == (
            item["name"], item["description"], item["parent"])
        assert set(org.aliases.values_list("name", flat=True)) == set(item["aliases"])
    for item in entities["people"]:
        person = Person.objects.get(slug=item["slug"])
        assert (person.name, person.job_title, person.bio) == (item["name"], item["job_title"], item["bio"])
        assert set(person.aliases.values_list("name", flat=True)) == set(item["aliases"])
        assert {(r.organization.slug, r.title, r.start_date) for r in Role.objects.filter(person=person)} == {
            expected_role(item["slug"], r) for r in item["roles"]
        }


@pytest.mark.django_db
def test_dai_shan_zhang_yong_and_the_three_centres_of_big_taobao():
    dai_shan = Person.objects.get(slug="dai-shan")
    assert set(dai_shan.aliases.values_list("name", flat=True)) == {"Daishan", "戴珊"}
    role = Role.objects.get(person=dai_shan)
    assert (role.organization.name, role.title, role.start_date) == ("China Digital Commerce", "President", date(2021, 12, 6))
    zhang_yong = Person.objects.get(slug="zhang-yong")
    assert set(zhang_yong.aliases.values_list("name", flat=True)) == {"Zhangyong", "Daniel Zhang", "张勇"}
    assert [(r.organization.slug, r.title) for r in Role.objects.filter(person=zhang_yong)] == [
        ("alibaba-group", "Chairman and Chief Executive Officer")]
    heads = {
        "industrial-operation-development-center": ("Chuixue", "产业运营发展中心"),
        "platform-strategy-operation-center": ("Sixin", "平台策略中心"),
        "user-operation-development-center": ("Xuande", "用户运营发展中心"),
    }
    for slug, (head, chinese) in heads.items():
        centre = Organization.objects.get(slug=slug)
        assert centre.parent.slug == "big-taobao"
        assert chinese in centre.aliases.values_list("name", flat=True)
        assert Role.objects.get(organization=centre).person.name == head


@pytest.mark.django_db
def test_the_search_index_is_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_search'")
            assert "USING fts5(title, standfirst, body, tags, people" in cursor.fetchone()[0]
            cursor.execute("SELECT v FROM articles_search_config WHERE k = 'automerge'")
            assert cursor.fetchone() == (8,)
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_search_pg_document'")
            assert "USING gin (document)" in cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_sqlite_delete_trigger_survives_the_later_migrations(make_article):
    """SQLite drops a table's triggers when a migration rebuilds it (0006 did): 0007 makes it again."""
    if connection.vendor != "sqlite":
        pytest.skip("the delete trigger is SQLite's; PostgreSQL's index rows go with the article by foreign key")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_search_delete'")
        assert cursor.fetchone() is not None
        article = make_article("Soon gone")
        cursor.execute("SELECT count(*) FROM articles_search WHERE rowid = %s", [article.pk])
        assert cursor.fetchone() == (1,)
        article.delete()
        cursor.execute("SELECT count(*) FROM articles_search WHERE rowid = %s", [article.pk])
        assert cursor.fetchone() == (0,)


# From zero, in a database of its own: up to 0003 (its CREATE statements), back to 0002 (its DROP
# statements), then all the way (what an install runs).
CYCLE = """
from django.core.management import call_command
from django.db import connection

def search_objects():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name IN ('articles_search', 'articles_search_delete')")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'articles_search_pg_document'")
        return sorted(row[0] for row in cursor.fetchall())

from articles.models import Organization, Person
call_command("migrate", "articles", "0003", verbosity=0)
report = [search_objects()]
call_command("migrate", "articles", "0002", verbosity=0)
report.append(search_objects())
call_command("migrate", verbosity=0)
index = "articles_search" if connection.vendor == "sqlite" else "articles_search_pg_document"
report += [Person.objects.count(), Organization.objects.count(), index in search_objects()]
print(report)
"""


@pytest.fixture
def fresh_database(tmp_path):
    """Environment for a database nobody has migrated: a new SQLite file, or a new PostgreSQL database on a PostgreSQL run."""
    environment = {**os.environ, "NEWSROOM_DATA_DIR": str(tmp_path / "data"), "NEWSROOM_LOG_LEVEL": "WARNING"}
    name = None
    if connection.vendor == "postgresql":
        name = f"newsroom_migrations_{os.getpid()}"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        environment["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        environment.pop("DATABASE_URL", None)
    yield environment
    if name:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=False)


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_migrating_from_zero_seeds_the_entities_and_builds_the_search_index_which_0003_can_take_out(fresh_database):
    entities = frozen("0002_corpus_entities").ENTITIES
    index = ["articles_search", "articles_search_delete"] if connection.vendor == "sqlite" else ["articles_search_pg_document"]
    people = len(entities["people"])
    organizations = len(entities["organizations"]) + len(frozen("0013_seed_structure").NEW_ORGANIZATIONS)
    assert manage("shell", "-c", CYCLE, env=fresh_database).strip().splitlines()[-1] == str(
        [index, [], people, organizations, True])


LIBRARY_CYCLE = """
import io, json
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.migrations.executor import MigrationExecutor
from django.db import connection
from PIL import Image as Picture

call_command("migrate", "articles", "0008", verbosity=0)
call_command("migrate", "reversion", verbosity=0)
old = MigrationExecutor(connection).loader.project_state(
    [("articles", "0008_body_as_rich_text"), ("reversion", "0002_add_index_on_version_for_content_type_and_db")]).apps
Article, Category, Person = (old.get_model("articles", name) for name in ("Article", "Category", "Person"))
buffer = io.BytesIO()
Picture.new("RGB", (640, 360), "white").save(buffer, "JPEG")
name = default_storage.save("article/2026/01/lead.jpg", ContentFile(buffer.getvalue()))
category = Category.objects.create(name="News", slug="news", path="news")
article = Article.objects.create(title="Old", slug="old", standfirst="s", body="<p>b</p>", category=category,
    lead_image=name, lead_image_alt="A quay", lead_image_caption="Ningbo", lead_image_credit="Wire")
person = Person.objects.get(slug="dai-shan")
person.photo, person.photo_alt = name, "Dai Shan"
person.save()
ContentType = old.get_model("contenttypes", "ContentType")
Version = old.get_model("reversion", "Version")
Revision = old.get_model("reversion", "Revision")
revision = Revision.objects.create(comment="old", date_created="2026-01-01T00:00:00Z")
fields = {"title": "Old", "lead_image": name, "lead_image_alt": "A quay"}
Version.objects.create(revision=revision, object_id=str(article.pk), db="default", format="json", object_repr="Old",
    content_type=ContentType.objects.get(app_label="articles", model="article"),
    serialized_data=json.dumps([{"model": "articles.article", "pk": article.pk, "fields": fields}]))
call_command("migrate", verbosity=0)
from articles.models import Article, Image, ImageUse, Person
from reversion.models import Version
article = Article.objects.get(slug="old")
image = article.lead_image
version = Version.objects.get(object_id=str(article.pk))
print(json.dumps([Image.objects.count(), image.file.name == name, image.alt, image.caption, image.credit,
    [image.width, image.height], list(ImageUse.objects.values_list("article_id", "kind")) == [(article.pk, "lead")],
    Person.objects.get(slug="dai-shan").photo_id == image.pk, version.field_dict["lead_image_id"] == image.pk]))
"""


def test_lead_images_photos_and_their_revisions_move_into_the_library(fresh_database):
    output = manage("shell", "-c", LIBRARY_CYCLE, env=fresh_database).strip().splitlines()[-1]
    assert json.loads(output) == [1, True, "A quay", "Ningbo", "Wire", [640, 360], True, True, True]


# Links made before 0012 (the auto-made tables) survive it as graded links, graded "mention".
LINKS_KEPT = """
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", "articles", "0008", verbosity=0)
old = MigrationExecutor(connection).loader.project_state(("articles", "0008_body_as_rich_text")).apps
Category, Article = old.get_model("articles", "Category"), old.get_model("articles", "Article")
Person, Organization = old.get_model("articles", "Person"), old.get_model("articles", "Organization")
article = Article.objects.create(title="Before grades", slug="before-grades", standfirst="s", body="b",
                                 category=Category.objects.create(name="News", slug="news", path="news"))
article.people.add(Person.objects.get(slug="dai-shan"), Person.objects.get(slug="xuande"))
article.organizations.add(Organization.objects.get(slug="big-taobao"))
call_command("migrate", verbosity=0)
from articles.models import Article as Live
live = Live.objects.get(slug="before-grades")
print((sorted((l.person.slug, l.grade) for l in live.person_links.all()), [(l.organization.slug, l.grade) for l in live.organization_links.all()]))
"""


def test_links_made_before_grades_are_kept_as_mentions(fresh_database):
    assert manage("shell", "-c", LINKS_KEPT, env=fresh_database).strip().splitlines()[-1] == str(
        ([("dai-shan", "mention"), ("xuande", "mention")], [("big-taobao", "mention")]))
