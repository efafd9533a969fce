"""Telling other systems: webhook endpoints, the delivery queue, and the record of deleted articles.

A Delivery row is written in the same transaction as the change it reports
(articles/webhooks/), so a rolled-back change sends nothing and a committed one
is never lost; a worker (``manage.py deliver_webhooks``) sends it later.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

EVENTS = [
    ("article.published", "Article published"),
    ("article.updated", "Article updated while live"),
    ("article.unpublished", "Article unpublished"),
    ("article.corrected", "Article corrected"),
    ("category.changed", "Category changed"),
]
EVENT_NAMES = frozenset(name for name, _ in EVENTS)


def validate_events(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event.")
    unknown = sorted(set(value) - EVENT_NAMES)
    if unknown:
        raise ValidationError(f"Unknown events: {', '.join(unknown)}.")


class Endpoint(models.Model):
    """A partner's URL that receives signed POSTs for the events it asked for."""

    url = models.URLField("URL", max_length=1000, help_text="Where the POSTs go (https:// in production).")
    secret = models.CharField(
        max_length=200, help_text="Shared with the receiver: each body is signed with HMAC-SHA256 under it."
    )
    events = models.JSONField(default=list, help_text="Which events it receives.")
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self):
        return self.description or self.url

    def clean(self):
        try:
            validate_events(self.events)
        except ValidationError as error:
            raise ValidationError({"events": error.messages}) from None


class Delivery(models.Model):
    """One POST to send: a webhook event for an endpoint, or a WebSub ping for a hub."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        WEBSUB = "websub", "WebSub ping"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, related_name="deliveries", on_delete=models.CASCADE)
    url = models.URLField("URL", max_length=1000)
    event = models.CharField(max_length=40)
    # What the event is about; the body is built from it at the first attempt and then kept, so every
    # retry sends the same bytes.
    article_id = models.BigIntegerField(null=True, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.event} → {self.url}"


class DeletedArticle(models.Model):
    """An article deleted for good: the read API lists its id among takedowns, so sync clients drop it."""

    article_id = models.BigIntegerField(primary_key=True)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"article {self.article_id}, deleted {self.deleted_at:%Y-%m-%d %H:%M}"


class ScheduleMark(models.Model):
    """One row: up to when the worker has announced articles that went live or expired by their times."""

    checked_until = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"checked until {self.checked_until:%Y-%m-%d %H:%M:%S}"
