from django.db import migrations

# On SQLite, altering articles_article (0006 added a column) rebuilds the table, and the rebuild drops
# its triggers: the one 0003 made, which removes a deleted article's full-text row, is made again here.
CREATE = (
    "CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article "
    "BEGIN DELETE FROM articles_search WHERE rowid = old.id; END"
)
ORPHANS = "DELETE FROM articles_search WHERE rowid NOT IN (SELECT id FROM articles_article)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        schema_editor.execute(ORPHANS)  # rows left behind while the trigger was missing


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_preview_key")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
