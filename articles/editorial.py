"""Editorial services shared by the admin, the import and the public preview: revisions, diffs,
conflicts between editors, and signed preview links."""

import difflib
import re
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.models import Version

from .models import Article

# The fields an editor compares between revisions, in the order a page shows them.
COMPARED_FIELDS = [
    ("title", "Title"),
    ("standfirst", "Standfirst"),
    ("body", "Body"),
    ("category", "Category"),
    ("byline", "Byline"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
    ("unpublish_at", "Unpublish time"),
    ("lead_image", "Lead image"),
    ("lead_image_alt", "Alt text"),
    ("lead_image_caption", "Caption"),
    ("lead_image_credit", "Credit"),
    ("people", "People"),
    ("organizations", "Organisations"),
]
PREVIEW_SALT = "newsroom.preview"
WORDS = re.compile(r"\S+|\s+")


def versions_of(article_pk):
    """Revisions of an article, newest first, with who made them."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def comparable(fields):
    return {name: fields.get(name) for name, _ in COMPARED_FIELDS}


def current_fields(article):
    data = {name: getattr(article, name, None) for name, _ in COMPARED_FIELDS if name not in ("category", "people", "organizations")}
    data["category"] = article.category_id
    data["people"] = sorted(article.people.values_list("pk", flat=True)) if article.pk else []
    data["organizations"] = sorted(article.organizations.values_list("pk", flat=True)) if article.pk else []
    data["lead_image"] = article.lead_image.name if article.lead_image else ""
    return data


def field_dict(version):
    data = dict(version.field_dict)
    data["category"] = data.pop("category_id", data.get("category"))
    for name in ("people", "organizations"):
        data[name] = sorted(data.get(name) or [])
    image = data.get("lead_image")
    data["lead_image"] = getattr(image, "name", image) or ""
    return comparable(data)


def changed_fields(before, after):
    return [label for name, label in COMPARED_FIELDS if _norm(before.get(name)) != _norm(after.get(name))]


def _norm(value):
    return "" if value is None else value


def changed_since(article, base_version):
    """What changed in ``article`` since the revision that had ``base_version``, and who saved last.

    Returns (labels of changed fields, the newest Version or None).
    """
    versions = list(versions_of(article.pk)[:50])
    newest = versions[0] if versions else None
    base = next((v for v in versions if v.field_dict.get("version") == base_version), None)
    if base is None:
        return [], newest
    return changed_fields(field_dict(base), current_fields(article)), newest


def word_diff(old, new):
    """An HTML word-by-word diff, every piece escaped: <del> for removed words, <ins> for added ones."""
    old_words, new_words = WORDS.findall(old or ""), WORDS.findall(new or "")
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(out))


def compare(old, new):
    """Rows of (label, old value, new value, html diff or None, changed?) for two field dicts."""
    rows = []
    for name, label in COMPARED_FIELDS:
        a, b = _norm(old.get(name)), _norm(new.get(name))
        diff = word_diff(str(a), str(b)) if isinstance(a, str) and isinstance(b, str) and a != b else None
        rows.append((label, a, b, diff, a != b))
    return rows


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


def publish_due_pending_changes(now=None):
    """Publish every pending rework whose time has come; returns how many.

    Called from the public request path at most every few seconds (see
    PageCacheMiddleware), so scheduled changes go live without any cron job,
    like scheduled articles do.
    """
    import reversion
    from django.db import transaction
    from django.utils import timezone

    from .search import index_articles

    now = now or timezone.now()
    due = list(Article.objects.filter(pending_publish_at__lte=now, pending_changes__isnull=False).values_list("pk", flat=True)[:50])
    done = []
    for pk in due:
        with transaction.atomic(), reversion.create_revision():
            article = Article.objects.select_for_update().filter(pk=pk, pending_publish_at__lte=now).first()
            if article is None or not article.pending_changes:
                continue
            article.publish_pending_changes()
            article.version += 1
            article.save()
            index_articles([article])
            reversion.set_comment("Published pending changes at their scheduled time.")
            done.append(article)
    return len(done)
