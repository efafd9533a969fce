"""Reading the API's query string: every bad value answers 400 with a message naming the parameter."""

from datetime import datetime, timezone as dt_timezone
import re

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import Article, Correction

ISO_HINT = "an ISO 8601 time such as 2026-12-01T09:30:00Z"
# In a query string "+" means a space: "...T09:30:00+08:00" arrives as "...T09:30:00 08:00".
_SPACED_OFFSET = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


class BadParameter(ValueError):
    pass


def moment(name, value):
    """An ISO 8601 date-time (a zone-less one is UTC), or BadParameter naming ``name``."""
    text = _SPACED_OFFSET.sub(r"\1+\2", value.strip())
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadParameter(f"{name} must be {ISO_HINT}, not {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt_timezone.utc)


def language(value):
    codes = [code for code, _ in Article.Language.choices]
    if value not in codes:
        raise BadParameter(f"language must be one of {', '.join(codes)}, not {value!r}")
    return value


def changed_since(articles, since):
    """Articles changed at or after ``since``: edited, gone live (a scheduled one needs no edit), or corrected."""
    corrected = Correction.objects.filter(article=OuterRef("pk"), published_at__gte=since)
    return articles.filter(Q(updated_at__gte=since) | Q(publish_at__gte=since) | Exists(corrected))


def taken_down_since(since=None, now=None):
    """Ids of articles readers no longer see, changed since ``since``: unpublished, expired, or made a draft.

    Whatever is not in ``published()`` and was saved (or reached its
    unpublish time) after ``since``. A client drops the ids it holds; an id it
    never held (a new draft) it ignores.
    """
    now = now or timezone.now()
    hidden = Article.objects.exclude(pk__in=Article.objects.published(now).values("pk"))
    if since is not None:
        hidden = hidden.filter(Q(updated_at__gte=since) | Q(unpublish_at__gte=since, unpublish_at__lte=now))
    return hidden
