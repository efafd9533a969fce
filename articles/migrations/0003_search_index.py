"""The full-text index, its SQL frozen as it was when this migration was written.

articles/search/sqlite.py and articles/search/postgres.py carried the same
statements then; they may change since, and this migration must not change
with them. A different index design needs a new migration (and
`manage.py rebuild_search_index`).
"""

from django.db import migrations

# SQLite: an FTS5 table (title, standfirst, body, tags, people), its automerge setting, and a
# trigger so a deleted article leaves the index however it was deleted.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_search USING fts5(title, standfirst, body, tags, people, "
    "tokenize='unicode61 remove_diacritics 2', detail=column)",
    "INSERT INTO articles_search(articles_search, rank) VALUES ('automerge', 8)",
    "CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article "
    "BEGIN DELETE FROM articles_search WHERE rowid = old.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_search_delete",
    "DROP TABLE IF EXISTS articles_search",
]

# PostgreSQL: the table is the SearchEntry model's (0001); this adds its GIN index.
POSTGRES_CREATE = ["CREATE INDEX IF NOT EXISTS articles_search_pg_document ON articles_search_pg USING gin(document)"]
POSTGRES_DROP = ["DROP INDEX IF EXISTS articles_search_pg_document"]


def run(schema_editor, sqlite_statements, postgres_statements):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in postgres_statements if postgresql else sqlite_statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    run(schema_editor, SQLITE_CREATE, POSTGRES_CREATE)


def drop(apps, schema_editor):
    run(schema_editor, SQLITE_DROP, POSTGRES_DROP)


class Migration(migrations.Migration):
    """The full-text index: an FTS5 table on SQLite, a GIN-indexed tsvector table on PostgreSQL.

    Fill it for existing articles with `manage.py rebuild_search_index`.
    """

    dependencies = [("articles", "0002_corpus_entities")]

    operations = [migrations.RunPython(create, drop)]
