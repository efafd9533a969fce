from django.db import migrations


def statements(schema_editor, name):
    from articles.search import postgres, sqlite

    module = postgres if schema_editor.connection.vendor == "postgresql" else sqlite
    return getattr(module, name)


def create(apps, schema_editor):
    for statement in statements(schema_editor, "CREATE"):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in statements(schema_editor, "DROP"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    """The full-text index: an FTS5 table on SQLite, a GIN-indexed tsvector table on PostgreSQL.

    Fill it for existing articles with `manage.py rebuild_search_index`.
    """

    dependencies = [("articles", "0002_corpus_entities")]

    operations = [migrations.RunPython(create, drop)]
