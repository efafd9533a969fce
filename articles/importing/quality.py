"""Quality flags: problems in an article's text that an editor should look at.

Machine-translation artefacts are flagged, never rewritten: only a person who
knows what the source meant can fix "65438+1 October1" or "202 1".
"""

import re

from ..text import is_word_char

FLAG_LABELS = {
    "65438": "Garbled number (65438)",
    "kloc-0": "Garbled number (kloc-0)",
    "split-year": "Year split by a space",
    "20021": "Year with an extra digit",
    "double 1 1": "Festival number split (double 1 1)",
    "doubtful-encoding": "Encoding was guessed and may be wrong",
    "title-differs-from-breadcrumb": "Title differs from the breadcrumb",
}


def _digit_or_plus(ch):
    return ch.isdigit() or ch == "+"


# Each pattern starts with a literal, so the regex engine can skip ahead fast;
# what must not stand just before a match is checked on the few matches
# instead of with a look-behind at every position.
ARTEFACT_PATTERNS = {
    "65438": (re.compile(r"65438"), None),
    "kloc-0": (re.compile(r"kloc-0"), None),
    # "202 1", "20 17": a year broken by a space. Only 19xx/20xx shapes, so
    # "20 19-year-olds" is the price; an editor decides.
    "split-year": (re.compile(r"(?:19 \d\d|20(?: \d\d|[0-2] \d))(?![\d+])"), _digit_or_plus),
    "20021": (re.compile(r"200[12]\d(?!\d)"), str.isdigit),
    "double 1 1": (re.compile(r"(?i:d)ouble 1 1\b"), is_word_char),
}


def _occurs(pattern, bad_before, text):
    for match in pattern.finditer(text):
        start = match.start()
        if bad_before is None or start == 0 or not bad_before(text[start - 1]):
            return True
    return False


def artefact_flags(text):
    """The kinds of machine-translation artefact found in ``text``, in a stable order."""
    return [name for name, (pattern, bad_before) in ARTEFACT_PATTERNS.items() if _occurs(pattern, bad_before, text)]
