"""The site's own state: the content generation that keys the page cache (articles/cache/)."""

from django.db import models
from django.utils import timezone


class SiteState(models.Model):
    """One row: the content generation that keys the page cache (see articles/cache/generation.py)."""

    generation = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"generation {self.generation}"
