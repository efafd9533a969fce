"""What a cached page is keyed by, in one place (``page_key``).

The key is made of the content generation, the origin the page's absolute
URLs name (articles/origin.py; it validates the host, so a hit never answers a
host a miss would refuse), the path, and the query parameters that page reads.
Every other parameter (utm_source=..., a cache-busting random value) is
dropped before the page is looked up or rendered, so it can neither split the
cache nor show up in the page. Only the session of a logged-in user bypasses
the cache (``logged_in``).
"""

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import QueryDict
from django.urls import Resolver404, resolve

from ..origin import site_origin

# The query parameters each page reads, by URL name.
QUERY_PARAMETERS = {
    "articles:search": ("q", "page"),
    "articles:path": ("page",),
    "articles:tag": ("page",),
    "articles:person": ("page",),
    "articles:organization": ("page", "on"),  # ?on=2021-11-30: the chart at that date
    "articles:corrections": ("page",),
    "articles:sitemap_section": ("p",),
    # The read API (articles/api/): its lists' filters and cursors.
    "api:articles": ("category", "tag", "person", "organisation", "language", "updated_since", "limit", "cursor"),
    "api:takedowns": ("since", "limit", "cursor"),
    "api:tags": ("limit", "cursor"),
    "api:people": ("limit", "cursor"),
    "api:organisations": ("identifier", "limit", "cursor"),
    "api:corrections": ("limit", "cursor"),
}


def page_key(request, generation):
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
