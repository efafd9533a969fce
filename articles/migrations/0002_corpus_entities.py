from django.db import migrations

from articles.entities import load_entities


def forwards(apps, schema_editor):
    load_entities(
        apps.get_model("articles", "Person"),
        apps.get_model("articles", "PersonAlias"),
        apps.get_model("articles", "Organization"),
        apps.get_model("articles", "OrganizationAlias"),
        apps.get_model("articles", "Role"),
    )


class Migration(migrations.Migration):
    """Every install starts with the people and organisations of the first article."""

    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
