"""Keyset pagination: each page starts after the last row of the one before, found through an index.

An OFFSET makes the database read and throw away every row before the page,
so page 5,000 of a list costs 5,000 pages of reading; a keyset condition
("older than the last one you saw") costs the same on every page. The cursor
in ``next`` is the last row's sort values, base64-encoded JSON: opaque to
clients, checked on the way back in.
"""

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class BadCursor(ValueError):
    pass


def encode_cursor(values):
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, order):
    """The sort values a cursor holds, typed as the ``order`` fields need; BadCursor if it is not one of ours."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor("cursor is not one this API gave out; start again without it") from None
    if not isinstance(values, list) or len(values) != len(order):
        raise BadCursor("cursor is not one this API gave out; start again without it")
    typed = []
    for value, (_, kind) in zip(values, order):
        try:
            if kind is datetime:
                value = datetime.fromisoformat(value)
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError
        except (TypeError, ValueError):
            raise BadCursor("cursor is not one this API gave out; start again without it") from None
        typed.append(value)
    return typed


def after(order, values):
    """Rows that come after ``values`` in ``order``: (a < x) or (a = x and b < y) ..., for descending fields."""
    condition = Q()
    for i, (field, _) in enumerate(order):
        name, descending = field.lstrip("-"), field.startswith("-")
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        for earlier, (earlier_field, _) in enumerate(order[:i]):
            step &= Q(**{earlier_field.lstrip("-"): values[earlier]})
        condition |= step
    return condition


def keyset_page(queryset, order, cursor=None, limit=DEFAULT_LIMIT):
    """(rows, next cursor or None): at most ``limit`` rows of ``queryset`` in ``order`` after ``cursor``.

    ``order`` lists (field, type) pairs, "-field" for descending; the last
    one must be unique (the primary key) so the order is total and stable.
    One query: it asks for one row more than the page to know whether
    another page follows.
    """
    queryset = queryset.order_by(*(field for field, _ in order))
    if cursor:
        queryset = queryset.filter(after(order, decode_cursor(cursor, order)))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([_value(last, field.lstrip("-")) for field, _ in order])


def _value(row, name):
    for part in name.split("__"):
        row = getattr(row, part)
    return row
