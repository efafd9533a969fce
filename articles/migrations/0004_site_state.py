from django.db import migrations


def create_site_state(apps, schema_editor):
    apps.get_model("articles", "SiteState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """The single row holding the page cache's content generation (articles/cache.py)."""

    dependencies = [("articles", "0003_search_index")]

    operations = [migrations.RunPython(create_site_state, migrations.RunPython.noop)]
