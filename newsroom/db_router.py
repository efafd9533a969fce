"""Send reads to read replicas when REPLICA_DATABASE_URLS names some; writes always to the primary.

Each request reads from one database only, chosen when it starts: the
primary for the admin and for anything but GET and HEAD (editors see what
they just saved), otherwise one replica. A page built from two replicas at
different lag could pair one replica's content generation with the other's
older content, and the page cache would keep that stale page under the new
generation. Imports and the scheduler pin themselves to the primary with
``use_primary()``.
"""

import contextvars
import random
from contextlib import contextmanager

from django.conf import settings

PRIMARY = "default"
_pinned = contextvars.ContextVar("read_database", default=None)


@contextmanager
def use_database(alias):
    token = _pinned.set(alias)
    try:
        yield
    finally:
        _pinned.reset(token)


def use_primary():
    return use_database(PRIMARY)


def database_for_request(request):
    if not settings.REPLICA_ALIASES or request.path.startswith("/admin/") or request.method not in ("GET", "HEAD"):
        return PRIMARY
    return random.choice(settings.REPLICA_ALIASES)


class ReadDatabaseMiddleware:
    """Pins the request's reads to one database (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with use_database(database_for_request(request)):
            return self.get_response(request)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        pinned = _pinned.get()
        if pinned is not None:
            return pinned
        return random.choice(settings.REPLICA_ALIASES) if settings.REPLICA_ALIASES else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
