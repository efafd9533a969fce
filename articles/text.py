"""Text helpers every layer shares: which characters are CJK, what a word character is, and
folding text for matching. Nothing here knows of models, requests or settings.

Two character sets, both defined here once:

* ``IDEOGRAPHS``: Chinese characters (CJK Unified Ideographs, Extension A, the compatibility
  blocks and the supplementary planes). Search cuts runs of them into bigrams.
* ``CJK``: CJK text as a whole: ideographs plus radicals, kana, CJK punctuation and full-width
  forms. Between two of these no space belongs (joining hard-wrapped lines), and their share of a
  text tells Chinese from English.
"""

import re
from functools import lru_cache

IDEOGRAPH_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))
# Ideographic punctuation and full-width forms: what Chinese text uses in place of ASCII punctuation.
CJK_PUNCTUATION_RANGES = ((0x3000, 0x303F), (0xFF00, 0xFFEF))


def _character_class(ranges):
    return "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges)


IDEOGRAPHS = _character_class(IDEOGRAPH_RANGES)
CJK = _character_class(CJK_RANGES)
IDEOGRAPH_RUN = re.compile(f"[{IDEOGRAPHS}]+")
CJK_CHAR = re.compile(f"[{CJK}]")


def in_ranges(ch, ranges):
    code = ord(ch)
    return any(first <= code <= last for first, last in ranges)


def is_word_char(ch):
    """What regular expressions call \\w, for one character: letters and digits of any script, and _."""
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Lower case, and simplified Chinese characters in place of traditional ones (OpenCC), so
    張勇 matches 张勇 and "Taobao" matches "taobao"."""
    if not text.isascii() and CJK_CHAR.search(text):
        text = _to_simplified().convert(text)
    return text.lower()


def cjk_share(text: str, sample: int = 4000) -> float:
    """The share of non-space characters that are CJK, judged on the start of the text."""
    text = text[:sample]
    visible = len(text) - text.count(" ") - text.count("\n")
    return len(CJK_CHAR.findall(text)) / visible if visible else 0.0
