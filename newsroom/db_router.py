"""Send reads to read replicas when REPLICA_DATABASE_URLS names some; writes always to the primary.

The admin (every request under /admin/) and imports are pinned to the
primary, so editors always see what they just saved.
"""

import contextvars
import random
from contextlib import contextmanager

from django.conf import settings

_pinned = contextvars.ContextVar("pinned_to_primary", default=False)


@contextmanager
def use_primary():
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class PrimaryForAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") or request.method not in ("GET", "HEAD"):
            with use_primary():
                return self.get_response(request)
        return self.get_response(request)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or not settings.REPLICA_ALIASES:
            return "default"
        return random.choice(settings.REPLICA_ALIASES)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
