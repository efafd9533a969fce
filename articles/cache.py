"""The page cache: whole public pages for anonymous readers, dropped whenever content changes.

Every cached page is keyed by the site's content generation, a number kept in
the database and raised (on commit) by every change a reader could see: an
article, category, person, organisation or tag saved or deleted, an import.
Raising it makes every cached page stale at once, in every server process,
whatever cache backend holds the pages (local memory by default, Redis with
CACHE_URL=redis://...). Pages also expire by themselves the moment the next
scheduled article goes live or an article reaches its unpublish time.
"""

import hashlib
import time
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

MAX_AGE = 60  # what browsers and CDNs may reuse without asking
PENDING_CHECK_SECONDS = 5
_next_pending_check = 0.0
PAGE_TTL = 600  # how long this server keeps a page at most
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/healthz")


def content_changed():
    """Mark the public site as changed, once the current transaction commits."""
    transaction.on_commit(_raise_generation)


def _raise_generation():
    from .models import SiteState

    if not SiteState.objects.filter(pk=1).update(generation=F("generation") + 1, changed_at=timezone.now()):
        SiteState.objects.get_or_create(pk=1, defaults={"generation": 1})


def current_state():
    """(generation, changed_at), read with one plain SQL statement.

    Every request the page cache may answer asks this, so it bypasses the
    ORM, whose query building cost three times the query itself.
    """
    from .models import SiteState

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


def publish_due_changes():
    """At most every few seconds per process: publish pending reworks whose time has come."""
    global _next_pending_check
    clock = time.monotonic()
    if clock < _next_pending_check:
        return
    _next_pending_check = clock + PENDING_CHECK_SECONDS
    from .editorial import publish_due_pending_changes

    from newsroom.db_router import use_primary

    with use_primary():
        publish_due_pending_changes()


def seconds_until_next_change(now):
    """Seconds until a scheduled article goes live or an article reaches its unpublish time."""
    from .models import Article

    upcoming = Article.objects.filter(status=Article.Status.PUBLISHED).aggregate(
        goes_live=Min("publish_at", filter=Q(publish_at__gt=now)),
        goes_away=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
        changes=Min("pending_publish_at", filter=Q(pending_publish_at__gt=now)),
    )
    times = [t for t in upcoming.values() if t is not None]
    return max(1, int((min(times) - now) / timedelta(seconds=1)) + 1) if times else None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.path.startswith(SKIP_PREFIXES):
            publish_due_changes()
        if not self.cacheable(request):
            return self.get_response(request)
        # Read before rendering: a change committed while the page renders
        # then makes this page stale at once instead of being stored under
        # the new generation.
        generation, changed_at = current_state()
        key = "page:%d:%s" % (generation, hashlib.sha256(request.get_full_path().encode()).hexdigest())
        stored = cache.get(key)
        if stored is None:
            response = self.get_response(request)
            if self.storable(response):
                self.prepare(response, changed_at)
                timeout = PAGE_TTL
                until = seconds_until_next_change(timezone.now())
                if until is not None:
                    timeout = min(timeout, until)
                    patch_cache_control(response, max_age=min(MAX_AGE, until))
                stored = (response.content, list(response.items()))
                cache.set(key, stored, timeout)
            response["X-Cache"] = "MISS"
        else:
            # Pages are stored as their bytes and headers, not as pickled
            # response objects: a hit unpickles less and sends fewer bytes
            # from Redis.
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response["X-Cache"] = "HIT"
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=_parse_date(response), response=response
        )

    @staticmethod
    def cacheable(request):
        # Readers carry no session cookie (the public site never starts a
        # session); anyone who has one may be logged in and is served fresh
        # pages. Deciding on the cookie alone lets this middleware run before
        # the session and authentication ones, which a cached page never needs.
        return (
            settings.NEWSROOM_PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(SKIP_PREFIXES)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    @staticmethod
    def storable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and not response.cookies
        )

    @staticmethod
    def prepare(response, changed_at):
        response["ETag"] = '"%s"' % hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["Last-Modified"] = http_date(changed_at.timestamp())
        patch_cache_control(response, public=True, max_age=MAX_AGE, stale_while_revalidate=30)


def _parse_date(response):
    value = response.get("Last-Modified")
    return parse_http_date_safe(value) if value else None
