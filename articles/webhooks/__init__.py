"""Webhooks and WebSub pings: queued with the change that caused them, sent by a worker.

* ``events``: what happened (published, updated while live, unpublished, corrected, category changed) becomes
  Delivery rows in the caller's transaction, one per endpoint that asked for it, plus WebSub hub pings;
  and what went live or expired by its own time is announced by the worker (``announce_due``)
* ``signing``: the HMAC-SHA256 signature a receiver checks
* ``transport``: one POST, refused to private addresses after DNS resolution, no redirects, with a timeout
* ``worker``: claims due deliveries under a lease (a killed worker loses nothing), sends, retries with backoff

``manage.py deliver_webhooks`` runs the worker.
"""
