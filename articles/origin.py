"""The site's public origin: the one source of every absolute URL readers and crawlers get.

With NEWSROOM_SITE_URL set (production), every canonical link, og:url,
JSON-LD URL, feed and sitemap entry and robots.txt line names that origin,
whatever Host header a request carried. Without it (a developer's machine),
the request's own scheme and host are used, after Django has checked the host
against ALLOWED_HOSTS; the page cache then keys pages by that origin too
(articles/cache.py), so a page built for one host is never served to another.
"""

from urllib.parse import urlsplit

from django.conf import settings


def configured_origin():
    """(scheme, host) of NEWSROOM_SITE_URL, or None when it is not set."""
    if not settings.NEWSROOM_SITE_URL:
        return None
    parts = urlsplit(settings.NEWSROOM_SITE_URL)
    return parts.scheme, parts.netloc


def site_origin(request):
    """``scheme://host`` for absolute URLs. Raises DisallowedHost (a 400) for a host ALLOWED_HOSTS refuses.

    Kept on the request once known: a page with many entities asks for it dozens of times.
    """
    known = getattr(request, "_site_origin", None)
    if known is not None:
        return known
    host = request.get_host()  # validates the host, whatever origin is then used
    configured = configured_origin()
    origin = "%s://%s" % configured if configured else f"{request.scheme}://{host}"
    request._site_origin = origin
    return origin


def absolute_url(request, path):
    """``path`` (site-relative) as an absolute URL on the site's origin."""
    return site_origin(request) + path
