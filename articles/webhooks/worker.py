"""Sending the queue: claim what is due under a lease, POST it, record the answer, retry with backoff.

Claiming raises the attempt count and pushes the next attempt a lease ahead
(the timeout and a margin) before anything is sent, in its own transaction.
A worker killed mid-delivery therefore leaves the row pending: once the lease
has passed, the next worker sends it again. Delivery is at least once; the
delivery id lets a receiver drop a repeat.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import representation
from ..models import Article, Category, Delivery
from ..publishing.visibility import category_tree
from . import events, signing, transport

log = logging.getLogger(__name__)
MAX_BACKOFF = 6 * 3600


def lease_seconds():
    return settings.NEWSROOM_WEBHOOK_TIMEOUT + 5


def backoff(attempts):
    """Seconds before attempt ``attempts + 1``: the base, doubled after each failure, at most six hours."""
    return min(MAX_BACKOFF, settings.NEWSROOM_WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1))


def claim(now, batch=20):
    """Take up to ``batch`` due deliveries for this worker: their attempt counted, their lease started."""
    with transaction.atomic():
        due = (Delivery.objects.select_for_update(skip_locked=True)
               .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch])
        ids = list(due)
        Delivery.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=lease_seconds()))
    return list(Delivery.objects.filter(pk__in=ids).select_related("endpoint").order_by("next_attempt_at", "pk"))


def payload(delivery, origin):
    """The JSON body: the event, its time, and the article as the API shows it (or its id and URL if it is gone)."""
    body = {"id": str(delivery.pk), "event": delivery.event, "occurred_at": representation.iso(delivery.occurred_at)}
    if delivery.article_id is not None:
        article = (Article.objects.published().select_related("category", "lead_image")
                   .prefetch_related(*representation.ARTICLE_DETAIL_RELATED).filter(pk=delivery.article_id).first())
        if article is not None and delivery.event != events.UNPUBLISHED:
            representation.with_tags([article])
            tree = category_tree()
            category = tree.by_pk.get(article.category_id, article.category)
            body["article"] = representation.article_detail(article, origin, [*tree.ancestors(category), category])
        else:
            body["article"] = {**representation.takedown(delivery.article_id, origin),
                               "canonical_url": origin + delivery.context.get("path", "")}
    if delivery.category_id is not None:
        category = Category.objects.filter(pk=delivery.category_id).first()
        body["category"] = {**delivery.context, "exists": category is not None}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def send(delivery, now=None):
    """One attempt at ``delivery`` (already claimed); records the outcome and returns it."""
    if not delivery.body:
        delivery.body = payload(delivery, settings.NEWSROOM_SITE_URL)
        Delivery.objects.filter(pk=delivery.pk).update(body=delivery.body)  # every retry sends the same bytes
    body = delivery.body.encode()
    if delivery.kind == Delivery.Kind.WEBSUB:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    else:
        timestamp = int(timezone.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            signing.EVENT_HEADER: delivery.event,
            signing.DELIVERY_HEADER: str(delivery.pk),
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(delivery.endpoint.secret, timestamp, body),
        }
    try:
        if delivery.endpoint is not None and not delivery.endpoint.active:
            raise transport.Refused("the endpoint was deactivated")
        result = transport.post(delivery.url, body, headers, settings.NEWSROOM_WEBHOOK_TIMEOUT)
        final = False
    except transport.Refused as exc:
        result, final = transport.Result(None, f"refused: {exc}"), True
    now = timezone.now()
    changes = {"response_code": result.status, "last_error": result.error[:500]}
    if result.ok:
        changes.update(status=Delivery.Status.DELIVERED, delivered_at=now)
    elif final or delivery.attempts >= settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS:
        changes.update(status=Delivery.Status.FAILED)
    else:
        changes.update(next_attempt_at=now + timedelta(seconds=backoff(delivery.attempts)))
    Delivery.objects.filter(pk=delivery.pk).update(**changes)
    log.info("delivery %s %s to %s: %s", delivery.pk, delivery.event, delivery.url,
             result.status or result.error, extra={"delivery": delivery.pk})
    for name, value in changes.items():
        setattr(delivery, name, value)
    return delivery


def run_once(now=None, batch=20):
    """Announce what fell due, then send one batch of due deliveries; returns how many were attempted."""
    events.announce_due(now)
    claimed = claim(now or timezone.now(), batch)
    for delivery in claimed:
        send(delivery)
    return len(claimed)


def resend(deliveries):
    """Queue each delivery again as a new one (same event, same body), for the admin's "Resend" action."""
    now = timezone.now()
    copies = [
        Delivery(kind=d.kind, endpoint=d.endpoint, url=d.url, event=d.event, article_id=d.article_id,
                 category_id=d.category_id, context=d.context,
                 body=d.body if d.kind == Delivery.Kind.WEBSUB else "",  # a webhook's body names its own id
                 occurred_at=d.occurred_at, next_attempt_at=now)
        for d in deliveries
    ]
    return Delivery.objects.bulk_create(copies)
