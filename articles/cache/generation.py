"""The content generation: one number that keys every cached page, raised by every change readers could see.

Raising it makes every cached page stale at once, in every server process,
whatever backend holds the pages (local memory by default, Redis with
CACHE_URL=redis://...). Pages also expire by themselves the moment the next
scheduled article goes live, an article reaches its unpublish time, or
pending changes fall due (``seconds_until_next_change``).
"""

import threading
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Article, SiteState
from . import purge

# Keys to purge from the HTTP caches once the current transaction commits, per thread and database.
_pending_purges = {}


def content_changed(keys=None, using=None):
    """Mark the public site as changed, once the current transaction commits.

    The generation moves (every cached page of this site goes stale), and the
    HTTP caches in front (NEWSROOM_HTTP_CACHE_URLS) are purged of the pages
    ``keys`` name (purge.article_keys), or of the whole site when the change
    has no narrower keys. The keys of one transaction go out in one purge.
    """
    transaction.on_commit(_raise_generation, using=using)
    if settings.NEWSROOM_HTTP_CACHE_URLS:
        pending = (threading.get_ident(), using or router.db_for_write(SiteState))
        _pending_purges.setdefault(pending, set()).update(keys or {purge.SITE})
        transaction.on_commit(lambda: _send_purges(pending), using=using)


def _send_purges(pending):
    # The first callback of a transaction sends every key gathered in it; the
    # others find nothing left. Keys left by a rolled-back transaction only
    # widen the next purge.
    keys = _pending_purges.pop(pending, None)
    if keys:
        purge.purge(keys)


def _raise_generation():
    if not SiteState.objects.filter(pk=1).update(generation=F("generation") + 1, changed_at=timezone.now()):
        SiteState.objects.get_or_create(pk=1, defaults={"generation": 1})


def current_state(request=None):
    """(generation, changed_at), read with one plain SQL statement (once per ``request``).

    Every request the page cache may answer asks this, so it bypasses the
    ORM, whose query building cost three times the query itself. Read before
    rendering: a change committed while the page renders then makes the page
    stale at once instead of it being stored under the new generation.
    """
    if request is not None:
        if not hasattr(request, "content_state"):
            request.content_state = current_state()
        return request.content_state
    with connections[router.db_for_read(SiteState)].cursor() as cursor:
        cursor.execute(f"SELECT generation, changed_at FROM {SiteState._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return 0, timezone.now().replace(microsecond=0)
    generation, changed_at = row
    if isinstance(changed_at, str):  # SQLite hands the column back as text
        changed_at = parse_datetime(changed_at)
    if timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, dt_timezone.utc)
    return generation, changed_at


def seconds_until_next_change(now, request=None):
    """Seconds until a scheduled article goes live, an article reaches its unpublish time, or pending changes
    fall due; None if nothing is scheduled. The time is looked up once per ``request``."""
    if request is not None:
        if not hasattr(request, "next_change_at"):
            request.next_change_at = next_change_at(now)
        at = request.next_change_at
    else:
        at = next_change_at(now)
    return max(1, int((at - now) / timedelta(seconds=1)) + 1) if at else None


def next_change_at(now):
    upcoming = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        goes_live=Min("publish_at", filter=Q(publish_at__gt=now)),
        goes_away=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
        changes=Min("pending_publish_at", filter=Q(pending_publish_at__gt=now)),
    )
    times = [t for t in upcoming.values() if t is not None]
    return min(times) if times else None
