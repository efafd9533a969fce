"""Receivers for "something partners follow changed": webhooks, WebSub pings and takedown records.

Wired in ArticlesConfig.ready() beside articles.signals. An article's save is
compared with what was stored just before it (read in pre_save): not live to
live is "published", live to live "updated" (unless the save only set a
rework aside as pending: readers see nothing new), live to not live
"unpublished". A scheduled article saved after its time came but before the
worker announced it is "published" (the worker will not announce it then).
A deleted article leaves its id for the read API's takedowns.
The rows are written in the save's own transaction (articles/webhooks/events.py).
"""

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .models import Article, Category, CategoryTree, Correction, DeletedArticle
from .webhooks import events

# What readers see of an article: a save that changes none of these on a live article (a rework set
# aside as pending, a new preview key) is no update for partners.
LIVE_FIELDS = ("title", "slug", "standfirst", "body", "byline", "language", "category_id", "publish_at",
               "unpublish_at", "status", "lead_image_id")


def _live(values, now):
    return (values["status"] == Article.Status.PUBLISHED and values["publish_at"] is not None
            and values["publish_at"] <= now and (values["unpublish_at"] is None or values["unpublish_at"] > now))


def note_before(sender, instance, raw=False, **kwargs):
    instance._stored_live = None
    if raw or not instance.pk:
        return
    instance._stored_live = Article.objects.filter(pk=instance.pk).values(*LIVE_FIELDS, "updated_at").first()


def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    stored = getattr(instance, "_stored_live", None)
    now = timezone.now()
    was_live = stored is not None and _live(stored, now)
    is_live = instance.is_live
    if is_live and (not was_live or events.went_live_unannounced(stored)):
        events.article_event(events.PUBLISHED, instance)
    elif is_live and was_live:
        current = {name: getattr(instance, name) for name in LIVE_FIELDS}
        if current != {name: stored[name] for name in LIVE_FIELDS}:
            events.article_event(events.UPDATED, instance)
    elif was_live:
        events.article_event(events.UNPUBLISHED, instance)


def article_deleting(sender, instance, **kwargs):
    instance._was_live = Article.objects.published().filter(pk=instance.pk).exists()


def article_deleted(sender, instance, **kwargs):
    DeletedArticle.objects.update_or_create(article_id=instance.pk, defaults={"deleted_at": timezone.now()})
    if getattr(instance, "_was_live", False):
        events.article_event(events.UNPUBLISHED, instance)


def correction_saved(sender, instance, raw=False, **kwargs):
    if not raw and Article.objects.published().filter(pk=instance.article_id).exists():
        events.article_event(events.CORRECTED, instance.article)


def category_saved(sender, instance, raw=False, **kwargs):
    """A section readers can see was renamed, moved or described anew (a section of drafts stays unnamed)."""
    if raw:
        return
    # Read here, not from the cache of public sections: inside this transaction the answer may differ
    # from what readers are shown, and must not be stored for them.
    live = Article.objects.published().filter(category=OuterRef("pk"))
    live_ids = set(Category.objects.filter(Exists(live)).values_list("pk", flat=True))
    if CategoryTree(live_ids=live_ids).is_public(instance):
        events.enqueue(events.CATEGORY_CHANGED, category_id=instance.pk,
                       context={"path": instance.path, "name": instance.name, "full_name": instance.full_name})


def connect():
    pre_save.connect(note_before, sender=Article, dispatch_uid="newsroom-notify-before")
    post_save.connect(article_saved, sender=Article, dispatch_uid="newsroom-notify-article")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid="newsroom-notify-deleting")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="newsroom-notify-deleted")
    post_save.connect(correction_saved, sender=Correction, dispatch_uid="newsroom-notify-correction")
    post_save.connect(category_saved, sender=Category, dispatch_uid="newsroom-notify-category")
