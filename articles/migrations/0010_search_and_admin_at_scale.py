"""Indexes for search and the admin at 100,000 articles: published() by id, newest first, language, flagged."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_media_library'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['id', 'status', 'publish_at', 'unpublish_at'], name='article_visible_by_id'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['publish_at', 'id'], name='article_publish_at'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['language', 'publish_at'], name='article_language'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('quality_flags', []), _negated=True), fields=['publish_at'], name='article_flagged'),
        ),
    ]
