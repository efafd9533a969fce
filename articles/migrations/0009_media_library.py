"""The media library: lead images and people's photos move into it, keeping their files, texts and renditions.

Each article's lead image becomes a library image holding the article's alt
text, caption and credit; each person's photo likewise. Revisions saved
before name the image's file; they are rewritten to name the library image,
so older revisions still show, compare and restore. Fixed-ratio crops do not
exist yet for migrated images: ``manage.py make_renditions`` makes them (pages
use the image itself until then).
"""

import json

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.core.files.images import get_image_dimensions
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import articles.models

BATCH = 500
# Removing the lead image's columns rebuilds articles_article on SQLite, which drops its triggers: the one
# that removes a deleted article's full-text row (0003, made again by 0007) is made again here (frozen SQL).
SEARCH_DELETE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS articles_search_delete AFTER DELETE ON articles_article "
    "BEGIN DELETE FROM articles_search WHERE rowid = old.id; END"
)


def recreate_search_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SEARCH_DELETE_TRIGGER)


def image_size(file_name, storage, renditions):
    """Width and height of a stored picture (its header is read), else what the renditions recorded."""
    try:
        with storage.open(file_name, "rb") as handle:
            width, height = get_image_dimensions(handle)
    except OSError:
        width = height = None
    return (width or renditions.get("width", 0)), (height or renditions.get("height", 0))


def forwards(apps, schema_editor):
    Image = apps.get_model("articles", "Image")
    ImageUse = apps.get_model("articles", "ImageUse")
    Article = apps.get_model("articles", "Article")
    Person = apps.get_model("articles", "Person")
    storage = Image._meta.get_field("file").storage
    by_file = {}

    def library_image(name, alt, caption="", credit="", renditions=None):
        if name not in by_file:
            width, height = image_size(name, storage, renditions or {})
            by_file[name] = Image.objects.create(
                file=name, alt=alt or "Image", caption=caption, credit=credit,
                renditions=renditions or {}, width=width, height=height,
            )
        return by_file[name]

    for article in Article.objects.exclude(lead_image="").exclude(lead_image__isnull=True).iterator(chunk_size=BATCH):
        image = library_image(article.lead_image.name, article.lead_image_alt, article.lead_image_caption,
                              article.lead_image_credit, article.lead_image_renditions)
        Article.objects.filter(pk=article.pk).update(lead_image_ref=image)
        ImageUse.objects.get_or_create(image=image, article_id=article.pk, kind="lead")
    for person in Person.objects.exclude(photo="").exclude(photo__isnull=True).iterator(chunk_size=BATCH):
        image = library_image(person.photo.name, person.photo_alt)
        Person.objects.filter(pk=person.pk).update(photo_ref=image)
    rewrite_revisions(apps, {name: image.pk for name, image in by_file.items()})


def rewrite_revisions(apps, ids_by_file):
    """Old revisions name the file; the field now names the library image (None for a file no longer stored)."""
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    fields = {"article": ("lead_image", ("lead_image_alt", "lead_image_caption", "lead_image_credit",
                                         "lead_image_renditions")),
              "person": ("photo", ("photo_alt",))}
    for model, (field, dropped) in fields.items():
        content_type = ContentType.objects.filter(app_label="articles", model=model).first()
        if content_type is None:
            continue
        changed = []
        for version in Version.objects.filter(content_type=content_type).iterator(chunk_size=BATCH):
            if version.format != "json":
                continue
            data = json.loads(version.serialized_data)
            for item in data:
                values = item.get("fields", {})
                if field in values:
                    values[field] = ids_by_file.get(values[field]) if values[field] else None
                for name in dropped:
                    values.pop(name, None)
            version.serialized_data = json.dumps(data)
            changed.append(version)
            if len(changed) == BATCH:
                Version.objects.bulk_update(changed, ["serialized_data"])
                changed = []
        Version.objects.bulk_update(changed, ["serialized_data"])


def grant(apps, schema_editor):
    """Writers add and describe images for their stories; editors and admins also delete them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    grants = {"Writer": ["add_image", "change_image", "view_image"],
              "Editor": ["add_image", "change_image", "delete_image", "view_image", "view_imageuse"],
              "Admin": ["add_image", "change_image", "delete_image", "view_image", "view_imageuse"]}
    for name, codenames in grants.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_body_as_rich_text"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Image",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.ImageField(height_field="height", upload_to=articles.models.upload_path, width_field="width")),
                ("alt", models.CharField(help_text="What the picture shows, for readers who cannot see it.", max_length=300, verbose_name="alt text")),
                ("caption", models.CharField(blank=True, help_text="Shown under the image unless a story gives its own.", max_length=500)),
                ("credit", models.CharField(blank=True, help_text="Photographer or agency, e.g. “Reuters/Ann Wang”.", max_length=300)),
                ("focal_x", models.FloatField(default=0.5, help_text="0 is the left edge, 1 the right: crops keep this point in the picture.", validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name="focal point, across")),
                ("focal_y", models.FloatField(default=0.5, help_text="0 is the top edge, 1 the bottom.", validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name="focal point, down")),
                ("width", models.PositiveIntegerField(default=0, editable=False)),
                ("height", models.PositiveIntegerField(default=0, editable=False)),
                ("renditions", models.JSONField(blank=True, default=dict, editable=False)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("uploaded_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-uploaded_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="ImageUse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("lead", "Lead image"), ("body", "In the body")], max_length=4)),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="image_uses", to="articles.article")),
                ("image", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="uses", to="articles.image")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("image", "article", "kind"), name="image_use_unique")]},
        ),
        migrations.AddField(
            model_name="article",
            name="lead_image_ref",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="articles.image"),
        ),
        migrations.AddField(
            model_name="person",
            name="photo_ref",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="articles.image"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="article", name="lead_image"),
        migrations.RemoveField(model_name="article", name="lead_image_alt"),
        migrations.RemoveField(model_name="article", name="lead_image_caption"),
        migrations.RemoveField(model_name="article", name="lead_image_credit"),
        migrations.RemoveField(model_name="article", name="lead_image_renditions"),
        migrations.RemoveField(model_name="person", name="photo"),
        migrations.RemoveField(model_name="person", name="photo_alt"),
        migrations.RenameField(model_name="article", old_name="lead_image_ref", new_name="lead_image"),
        migrations.RenameField(model_name="person", old_name="photo_ref", new_name="photo"),
        migrations.AlterField(
            model_name="article",
            name="lead_image",
            field=models.ForeignKey(blank=True, help_text="Chosen from the media library, which holds its alt text, caption and credit.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="articles.image"),
        ),
        migrations.AlterField(
            model_name="person",
            name="photo",
            field=models.ForeignKey(blank=True, help_text="Chosen from the media library.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="articles.image"),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(recreate_search_trigger, migrations.RunPython.noop),
    ]
