import re
from html import escape

from django.db import migrations, models

BLANK_LINE = re.compile(r"\n\s*\n")
BATCH = 500


def text_to_html(text):
    """Plain text as escaped paragraphs: every character kept, none of it markup (frozen for this migration)."""
    paragraphs = [" ".join(part.split()) for part in BLANK_LINE.split((text or "").replace("\r\n", "\n"))]
    return "".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs if paragraph)


def forwards(apps, schema_editor):
    """Bodies were plain text, paragraphs apart by blank lines: each paragraph becomes an escaped <p>."""
    Article = apps.get_model("articles", "Article")
    changed = []
    for article in Article.objects.only("pk", "body", "pending_changes").iterator(chunk_size=BATCH):
        article.body = text_to_html(article.body)
        if article.pending_changes and "body" in article.pending_changes:
            article.pending_changes = {**article.pending_changes, "body": text_to_html(article.pending_changes["body"])}
        changed.append(article)
        if len(changed) == BATCH:
            Article.objects.bulk_update(changed, ["body", "pending_changes"])
            changed = []
    Article.objects.bulk_update(changed, ["body", "pending_changes"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_delete_trigger")]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(
                help_text="Paragraphs, subheadings, bold, italic, links, quotes, lists and tables; anything else is removed."
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
