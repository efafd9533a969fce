"""Middleware of the public site: the page cache, and the scheduler that publishes what falls due.

The page cache answers anonymous readers' GET and HEAD requests from the
configured Django cache, keyed as articles/cache/keys.py says; a miss renders
the page and stores its bytes and headers until the content generation moves
on or the next scheduled change (articles/cache/generation.py). The same
pages tell the HTTP caches in front how long to keep them (Surrogate-Control)
and by which keys to purge them (Surrogate-Key).
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from newsroom.db_router import use_primary

from .cache.generation import current_state, seconds_until_next_change
from .cache.keys import logged_in, page_key
from .publishing.workflow import publish_due

MAX_AGE = 60  # what browsers and CDNs may reuse without asking
PAGE_TTL = 600  # how long this server keeps a page at most
HTTP_CACHE_TTL = 3600  # how long a purged cache in front (Varnish, a CDN) may keep a page at most
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/healthz")


class SchedulerMiddleware:
    """At most every few seconds per process, publish what has fallen due (pending changes at their time).

    Scheduled articles need no job: published() lets them in once their time
    has come. Pending changes must be written, so a reader's request does it,
    on the primary, with no cron job to install.
    """

    INTERVAL = 5
    next_check = 0.0

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.path.startswith(SKIP_PREFIXES):
            clock = time.monotonic()
            if clock >= SchedulerMiddleware.next_check:
                SchedulerMiddleware.next_check = clock + self.INTERVAL
                with use_primary():
                    publish_due()
        return self.get_response(request)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.cacheable(request):
            return self.get_response(request)
        # Read before rendering: a change committed while the page renders
        # then makes this page stale at once instead of being stored under
        # the new generation.
        generation, changed_at = current_state(request)
        key = page_key(request, generation)
        stored = cache.get(key)
        if stored is None:
            response = self.get_response(request)
            change_at = None
            if self.storable(response):
                self.prepare(response, changed_at)
                timeout = PAGE_TTL
                now = timezone.now()
                until = seconds_until_next_change(now, request)
                if until is not None:
                    timeout = min(timeout, until)
                    change_at = now.timestamp() + until
                self.freshness(response, until)
                stored = (response.content, list(response.items()), change_at)
                cache.set(key, stored, timeout)
            response["X-Cache"] = "MISS"
        else:
            # Pages are stored as their bytes and headers, not as pickled
            # response objects: a hit unpickles less and sends fewer bytes
            # from Redis.
            content, headers, *more = stored  # pages stored before the third item was added have two
            change_at = more[0] if more else None
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            if change_at is not None:  # what is left of the time until the next scheduled change
                self.freshness(response, max(1, math.ceil(change_at - time.time())))
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
        # Keys a CDN or Varnish can purge by (articles/cache/purge.py): "site" (everything), and
        # "listing" on every page but an article's, which names its own.
        response["Surrogate-Key"] = " ".join(["site", *(response.get("Surrogate-Key", "").split() or ["listing"])])
        response["ETag"] = '"%s"' % hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["Last-Modified"] = http_date(changed_at.timestamp())
        patch_cache_control(response, public=True, max_age=MAX_AGE, stale_while_revalidate=30)


    @staticmethod
    def freshness(response, until):
        """How long browsers (Cache-Control) and the HTTP caches in front (Surrogate-Control) may keep the page.

        Never past the next scheduled change (``until`` seconds, or None), so
        an article going live or reaching its unpublish time reaches readers
        through Varnish or a CDN within a second with no purge. When the app
        purges those caches (NEWSROOM_HTTP_CACHE_URLS) they may keep a page for
        HTTP_CACHE_TTL; otherwise as long as a browser does.
        """
        shared = HTTP_CACHE_TTL if settings.NEWSROOM_HTTP_CACHE_URLS else MAX_AGE
        if until is not None:
            patch_cache_control(response, max_age=min(MAX_AGE, until))
            shared = min(shared, until)
        response["Surrogate-Control"] = f"max-age={shared}"


def _parse_date(response):
    value = response.get("Last-Modified")
    return parse_http_date_safe(value) if value else None
