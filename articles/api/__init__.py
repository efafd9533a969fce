"""The public read API under /api/v1/ (django-ninja), for apps, partners and caches.

* ``endpoints``: the NinjaAPI and its operations (thin: filter, page, represent)
* ``pagination``: keyset pages with an opaque cursor (no OFFSET, stable order)
* ``filters``: reading the query string, with errors that name the parameter
* ``schemas``: the response shapes the OpenAPI schema is generated from

What an article looks like is articles/representation.py (shared with the
webhooks); what readers may see is ``Article.objects.published()`` alone.
Responses go through the page cache like pages (articles/middleware.py), keyed
by the query parameters listed in articles/cache/keys.py.
"""
