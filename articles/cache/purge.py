"""Purging the HTTP caches in front of the site (Varnish, see deploy/varnish.vcl) by surrogate key.

Pages name their keys in ``Surrogate-Key`` (articles/middleware.py): ``site``
on every page, ``listing`` on every page that lists articles (home, sections,
tags, people, organisations, search, corrections, feeds, sitemaps), and on an
article's page ``article-<id>`` and ``section-<category id>`` (its "related"
box lists that section's articles). ``article_keys`` says which keys a change
to one article reaches; anything else purges ``site``.

The caches are the URLs in ``NEWSROOM_HTTP_CACHE_URLS``; with none, nothing is
sent. A purge is one ``PURGE`` request per cache with the keys in an ``xkey``
header, sent after the transaction commits (generation.content_changed). It is
bounded by a short timeout and never raises: a cache that is down or slow is
logged, and the editor's save stands (the pages then expire by their
Surrogate-Control max-age).
"""

import logging
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

SITE = "site"
LISTING = "listing"
TIMEOUT = 2.0  # seconds per cache, connect and answer


def article_keys(article_id, category_id=None):
    """The keys of the pages a change to one article can alter: its page, its section's article pages
    (their related box), and every list."""
    keys = {f"article-{article_id}", LISTING}
    if category_id is not None:
        keys.add(f"section-{category_id}")
    return keys


def page_keys(article_id, category_id):
    """What an article's page is tagged with, beyond ``site`` (the middleware adds that)."""
    return f"article-{article_id} section-{category_id}"


def purge(keys):
    """Send one PURGE naming ``keys`` to every cache in NEWSROOM_HTTP_CACHE_URLS; failures are logged, not raised."""
    keys = sorted(set(keys))
    if SITE in keys:
        keys = [SITE]  # everything: the other keys add nothing
    for url in settings.NEWSROOM_HTTP_CACHE_URLS:
        try:
            _send(url, keys)
        except Exception:  # a cache that is down must never fail the save that already committed
            logger.exception("Purging %s from the HTTP cache at %s failed", " ".join(keys), url)


def _send(url, keys):
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request("PURGE", parts.path or "/", headers={"xkey": " ".join(keys)})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            logger.error("The HTTP cache at %s answered %s %s to a purge of %s",
                         url, response.status, response.reason, " ".join(keys))
    finally:
        connection.close()
