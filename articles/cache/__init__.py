"""The page cache: whole public pages for anonymous readers, dropped whenever content changes.

* ``generation``: the content generation, a number in the database raised (on
  commit) by every change a reader could see, so every server's cached pages go
  stale at once whatever cache backend holds them; and when the next scheduled
  change falls due.
* ``keys``: what a cached page is keyed by, in one place.

The middleware that serves and stores pages is ``articles.middleware``; what
raises the generation is ``articles.signals``.
"""
