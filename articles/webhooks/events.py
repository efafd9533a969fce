"""What happened, as Delivery rows written in the caller's transaction.

Called by the receivers in articles/notifications.py (every save or delete
of an article, correction or category, whichever path made it: the admin,
the publishing services, an import, a restore), by the importer's bulk path
(which sends no signals), and by the worker for what changes by the clock
alone: an article going live at its publish time, or leaving at its unpublish
time (``announce_due``). Because the rows share the change's transaction, a
rolled-back change sends nothing and a committed one is never lost.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ..models import Article, Delivery, Endpoint, ScheduleMark

PUBLISHED = "article.published"
UPDATED = "article.updated"
UNPUBLISHED = "article.unpublished"
CORRECTED = "article.corrected"
CATEGORY_CHANGED = "category.changed"
# What changes a feed: these events ping the WebSub hubs.
FEED_EVENTS = frozenset({PUBLISHED, UPDATED, UNPUBLISHED, CORRECTED})


def enqueue(event, *, article_id=None, category_id=None, context=None, category_path=None):
    """Queue ``event`` for every active endpoint that asked for it, and ping the hubs if a feed changed."""
    now = timezone.now()
    rows = deliveries(list(Endpoint.objects.filter(active=True)), event, now, article_id=article_id,
                      category_id=category_id, context=context or {})
    if event in FEED_EVENTS:
        rows.extend(hub_pings([category_path], now))
    Delivery.objects.bulk_create(rows)
    return rows


def deliveries(endpoints, event, now, **about):
    return [Delivery(endpoint=endpoint, url=endpoint.url, event=event, occurred_at=now, next_attempt_at=now, **about)
            for endpoint in endpoints if event in (endpoint.events or [])]


def hub_pings(category_paths, now):
    """WebSub "publish" pings for the feeds an article change touches, one per hub and feed.

    A ping still waiting to go out already tells the hub to fetch that feed,
    so a burst of changes (an import) adds no second one.
    """
    hubs, origin = settings.NEWSROOM_WEBSUB_HUBS, settings.NEWSROOM_SITE_URL
    if not hubs or not origin:  # a hub fetches topics by absolute URL: without the site's origin there is none
        return []
    topics = [reverse("articles:feed"), reverse("articles:feed_atom")]
    for path in sorted({p for p in category_paths if p}):
        topics += [reverse("articles:category_feed", args=[path]), reverse("articles:category_feed_atom", args=[path])]
    rows = []
    for hub in hubs:
        for topic in topics:
            body = urlencode({"hub.mode": "publish", "hub.url": origin + topic})
            waiting = Delivery.objects.filter(kind=Delivery.Kind.WEBSUB, url=hub, body=body,
                                              status=Delivery.Status.PENDING, attempts=0)
            if not waiting.exists():
                rows.append(Delivery(kind=Delivery.Kind.WEBSUB, url=hub, event="websub.publish", body=body,
                                     occurred_at=now, next_attempt_at=now))
    return rows


def article_event(event, article):
    return enqueue(event, article_id=article.pk, context={"path": article.get_absolute_url()},
                   category_path=article.category.path)


def articles_published(articles):
    """The importer's bulk path: announce the articles that are live now (scheduled ones go out at their time),
    with one look at the endpoints and one hub ping per feed for the whole batch."""
    live = [a for a in articles if a.is_live]
    if not live:
        return []
    now = timezone.now()
    endpoints = list(Endpoint.objects.filter(active=True))
    rows = [row for a in live for row in deliveries(endpoints, PUBLISHED, now, article_id=a.pk,
                                                    context={"path": a.get_absolute_url()})]
    rows.extend(hub_pings([a.category.path for a in live], now))
    return Delivery.objects.bulk_create(rows)


def went_live_unannounced(stored):
    """Did the stored article go live by its time alone, and has the worker not announced it yet?

    ``stored``: its status, publish_at and updated_at before a save. Such an
    article's save announces it, since announce_due() skips articles saved
    after their publish time.
    """
    if stored["status"] != Article.Status.PUBLISHED or stored["publish_at"] is None:
        return False
    if stored["updated_at"] >= stored["publish_at"]:
        return False  # saved while live already: that save announced it
    checked = ScheduleMark.objects.filter(pk=1).values_list("checked_until", flat=True).first()
    return checked is None or checked < stored["publish_at"]


def announce_due(now=None):
    """Announce what the clock alone changed since the last call: articles gone live or expired by their times.

    An article saved while already live was announced by that save; one that
    went live (or left) with no save at that moment is announced here, once:
    the mark of how far the clock has been checked moves in the same
    transaction as the deliveries it makes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        mark, created = ScheduleMark.objects.select_for_update().get_or_create(pk=1, defaults={"checked_until": now})
        if created or mark.checked_until >= now:
            return 0
        since = mark.checked_until
        went_live = (Article.objects.published(now).select_related("category")
                     .filter(publish_at__gt=since, publish_at__lte=now, updated_at__lt=F("publish_at")))
        expired = (Article.objects.select_related("category")
                   .filter(status=Article.Status.PUBLISHED, unpublish_at__gt=since, unpublish_at__lte=now,
                           updated_at__lt=F("unpublish_at")))
        count = 0
        for article in went_live:
            article_event(PUBLISHED, article)
            count += 1
        for article in expired:
            article_event(UNPUBLISHED, article)
            count += 1
        mark.checked_until = now
        mark.save(update_fields=["checked_until"])
    return count
