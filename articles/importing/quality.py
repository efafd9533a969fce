"""Quality flags: problems in an article's text that an editor should look at.

Machine-translation artefacts are flagged, never rewritten: only a person who
knows what the source meant can fix "65438+1 October1" or "202 1".
"""

import re

FLAG_LABELS = {
    "65438": "Garbled number (65438)",
    "kloc-0": "Garbled number (kloc-0)",
    "split-year": "Year split by a space",
    "20021": "Year with an extra digit",
    "double 1 1": "Festival number split (double 1 1)",
    "doubtful-encoding": "Encoding was guessed and may be wrong",
    "title-differs-from-breadcrumb": "Title differs from the breadcrumb",
}

ARTEFACT_PATTERNS = {
    "65438": re.compile(r"65438"),
    "kloc-0": re.compile(r"kloc-0"),
    # "202 1", "20 17": a year broken by a space. Only 19xx/20xx shapes, so
    # "20 19-year-olds" is the price; an editor decides.
    "split-year": re.compile(r"(?<![\d+])(?:(?:19|20) \d{2}|20[0-2] \d)(?![\d+])"),
    "20021": re.compile(r"(?<!\d)200[12]\d(?!\d)"),
    "double 1 1": re.compile(r"\bdouble 1 1\b", re.IGNORECASE),
}


def artefact_flags(text):
    """The kinds of machine-translation artefact found in ``text``, in a stable order."""
    return [name for name, pattern in ARTEFACT_PATTERNS.items() if pattern.search(text)]
