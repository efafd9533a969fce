"""Slugs, made one way for categories, articles, people and organisations.

A slug is what ``slugify(allow_unicode=True)`` makes of a name: letters of any
script, digits, ``-`` and ``_``. A clash gets -2, -3, ... appended; an existing
row is never taken over. Top-level category slugs must also keep clear of the
site's own first path segments (``reserved_first_segments``), read from the URL
configuration itself so the two cannot drift apart.
"""

from collections import Counter
from functools import lru_cache

from django.conf import settings
from django.utils.text import slugify


def slug_base(text, max_length=200, fallback="item"):
    return slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback


def slug_candidates(base, max_length=200, tries=11):
    """``base`` first, then base-2, base-3, ... each cut to fit ``max_length``."""
    yield base
    for n in range(2, tries + 1):
        yield f"{base[: max_length - len(str(n)) - 1]}-{n}"


@lru_cache(maxsize=1)
def reserved_first_segments():
    """The first path segments the site's own pages use (admin, search, tag, feed, sitemap.xml, ...)."""
    from django.urls import URLResolver, get_resolver

    segments = {settings.STATIC_URL.strip("/").split("/")[0], settings.MEDIA_URL.strip("/").split("/")[0]}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver) and not route:
                walk(pattern.url_patterns, route)
                continue
            first = route.split("/", 1)[0].rstrip("$").replace("\\", "")
            if first and "<" not in first and "(" not in first:
                segments.add(first)

    walk(get_resolver().url_patterns, "")
    return frozenset(segments - {""})


def unique_slug(queryset, text, *, max_length=200, reserved=frozenset(), fallback="item"):
    """A slug for ``text`` not yet used in ``queryset`` (the rows it must differ from) nor in ``reserved``."""
    return free_slugs(queryset, [text], max_length=max_length, reserved=reserved, fallback=fallback)[0]


def free_slugs(queryset, texts, *, max_length=200, reserved=frozenset(), fallback="item"):
    """A distinct free slug for each text, with one query (two if some bases are taken: -2, -3, ...).

    Exact lookups use the slug index; a LIKE 'base%' scan is the fallback for
    a base used more than a few times.
    """
    bases = [slug_base(text, max_length, fallback) for text in texts]
    taken = set(queryset.filter(slug__in=set(bases)).values_list("slug", flat=True)) | reserved
    clashing = {base for base, count in Counter(bases).items() if count > 1 or base in taken}
    if clashing:
        suffixed = {slug for base in clashing for slug in slug_candidates(base, max_length)}
        taken |= set(queryset.filter(slug__in=suffixed).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = next((c for c in slug_candidates(base, max_length) if c not in taken), None)
        if slug is None:
            taken |= set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
            slug = next(c for c in slug_candidates(base, max_length, tries=len(taken) + 2) if c not in taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs
