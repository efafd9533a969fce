"""Signed preview links: what someone without an account may read before readers do.

A link names the article, its preview key and what it shows (the draft, or a
live article's pending changes). Publishing, unpublishing, publishing pending
changes and "Revoke preview links" replace the key (Article.revoke_previews),
so every older link stops working; a link also stops once it would show
nothing readers cannot see, and after NEWSROOM_PREVIEW_MAX_AGE.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..models import Article

PREVIEW_SALT = "newsroom.preview"
PREVIEW_DRAFT, PREVIEW_PENDING = "draft", "pending"


def preview_kind(article):
    """What a preview link made now would show: the draft (or scheduled) article, or a live article's
    pending changes; None when there is nothing readers cannot already see."""
    if article.is_live:
        return PREVIEW_PENDING if article.pending_changes else None
    if article.state_label == "Expired":
        return None
    return PREVIEW_DRAFT


def preview_url(article):
    """A signed link that lets anyone holding it read what ``preview_kind`` says, until it expires.

    The link names the article's preview key, which publishing, unpublishing,
    publishing pending changes and "Revoke preview links" replace: every older
    link then stops working.
    """
    kind = preview_kind(article) or PREVIEW_DRAFT
    token = signing.TimestampSigner(salt=PREVIEW_SALT).sign(f"{article.pk}:{article.preview_key}:{kind}")
    return reverse("articles:preview", args=[token])


def article_from_preview_token(token):
    """(article, kind) for a valid preview token, or None if it is forged, expired, revoked, or shows nothing now."""
    try:
        value = signing.TimestampSigner(salt=PREVIEW_SALT).unsign(token, max_age=settings.NEWSROOM_PREVIEW_MAX_AGE)
        pk, key, kind = value.split(":")
        key = uuid.UUID(key)
    except (signing.BadSignature, ValueError):
        return None
    article = Article.objects.select_related("category").filter(pk=pk, preview_key=key).first()
    if article is None or preview_kind(article) != kind:
        return None
    return article, kind
