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
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Min, Q
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

from .origin import site_origin

MAX_AGE = 60  # what browsers and CDNs may reuse without asking
PENDING_CHECK_SECONDS = 5
_next_pending_check = 0.0
PAGE_TTL = 600  # how long this server keeps a page at most
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/healthz")
# The query parameters each page reads; every other parameter (utm_source=...,
# a cache-busting random value) is dropped before the page is looked up or
# rendered, so it can neither split the cache nor show up in the page.
QUERY_PARAMETERS = {
    "articles:search": ("q", "page"),
    "articles:path": ("page",),
    "articles:tag": ("page",),
    "articles:person": ("page",),
    "articles:organization": ("page",),
    "articles:corrections": ("page",),
    "articles:sitemap_section": ("p",),
}


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
        key = page_key(request, generation)
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
        return (
            settings.NEWSROOM_PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(SKIP_PREFIXES)
            and not logged_in(request)
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
        # Keys a CDN or Varnish can purge by: "site" (everything) and what the page shows.
        response["Surrogate-Key"] = " ".join(["site", *response.get("Surrogate-Key", "").split()])
        response["ETag"] = '"%s"' % hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["Last-Modified"] = http_date(changed_at.timestamp())
        patch_cache_control(response, public=True, max_age=MAX_AGE, stale_while_revalidate=30)


def page_key(request, generation):
    """What a cached page is keyed by, in one place: the content generation, the origin the page's
    absolute URLs name (articles/origin.py; it validates the host, so a hit never answers a host
    a miss would refuse), the path, and the query parameters the page reads (see normalise_query)."""
    parts = f"{site_origin(request)}{request.path}?{normalise_query(request)}"
    return "page:%d:%s" % (generation, hashlib.sha256(parts.encode()).hexdigest())


def normalise_query(request):
    """Reduce the request's query to the parameters its page reads, one value each, in a fixed order.

    The view then sees exactly what the key was made of: a page cannot
    differ by a parameter the key ignores.
    """
    try:
        names = QUERY_PARAMETERS.get(resolve(request.path_info).view_name, ())
    except Resolver404:
        names = ()
    kept = QueryDict(mutable=True)
    for name in names:
        value = request.GET.get(name)
        if value is None:
            continue
        value = " ".join(value.split())
        kept[name] = str(int(value)) if value.isdigit() and len(value) < 10 else value
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()
    return request.META["QUERY_STRING"]


def logged_in(request):
    """Does the request carry the session of a logged-in user? Readers carry none; a made-up
    or expired session cookie is a reader's too, and does not bypass the cache.

    Only a request with a session cookie costs a session read (one query with
    database sessions), so readers' hits stay one statement and one cache read.
    """
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    return SESSION_KEY in import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _parse_date(response):
    value = response.get("Last-Modified")
    return parse_http_date_safe(value) if value else None
