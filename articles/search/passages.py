"""The passage shown under a search result, with the query's terms marked.

Built in Python from the stored text (not the index's bigram form), escaped
piece by piece, so only our own <mark> elements are markup.
"""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..richtext import plain_text
from ..text import fold

from .text import highlight_terms

WINDOW = 220


@lru_cache(maxsize=256)
def searchable_text(body):
    """(the body as one line of plain text, the same folded for matching): the newest articles are the
    results most searches show, so each body's HTML is parsed once, not on every results page."""
    text = " ".join(plain_text(body).split())
    folded = fold(text)
    if len(folded) != len(text):  # a folding that changed lengths: positions would not line up
        folded = text.lower()
    return text, folded


def passage(article, query):
    terms = [t for t in highlight_terms(query) if t]
    text, folded = searchable_text(article.body)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))) if terms else None
    first = pattern.search(folded) if pattern else None
    start = max(0, first.start() - WINDOW // 3) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + WINDOW)
    out = ["…" if start else ""]
    cursor = start
    if pattern:
        for match in pattern.finditer(folded, start, end):
            out.append(escape(text[cursor : match.start()]))
            out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
            cursor = match.end()
    out.append(escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))
