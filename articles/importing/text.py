"""Tidy decoded text: line endings, Unicode form, control characters, whitespace, paragraphs."""

import re
import unicodedata

from ..text import CJK_CHAR

# Control characters (but tab and newline), and the direction overrides and
# isolates that can make text display differently from what it is (a trick
# used to disguise links): none of them belongs in an article.
UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def clean_text(text: str) -> str:
    """LF line endings, NFC, no control characters, spaces collapsed, lines trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    lines = []
    for line in text.split("\n"):
        # Every space but " " is unprintable, so a printable line without a
        # double, leading or trailing space is clean already: most lines are,
        # and the checks cost a fraction of splitting and joining them.
        if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
            lines.append(line)
            continue
        # str.split() collapses every kind of space in C; the regex only runs
        # on the rare line that still holds something unprintable.
        line = " ".join(line.split())
        if not line.isprintable():
            line = " ".join(UNWANTED.sub("", line).split())
        lines.append(line)
    return "\n".join(lines)


def clean_line(text: str) -> str:
    return clean_text(text).replace("\n", " ").strip()


def join_lines(lines):
    """Join a hard-wrapped paragraph; no space is put between two CJK characters."""
    out = ""
    for line in lines:
        if out and not (CJK_CHAR.match(out[-1]) and CJK_CHAR.match(line[0])):
            out += " "
        out += line
    return out


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are runs of non-blank lines; an identical repeat is kept once."""
    seen, paragraphs = set(), []
    for block in BLANK_LINE.split(text.strip("\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        paragraph = join_lines(lines)
        if paragraph not in seen:
            seen.add(paragraph)
            paragraphs.append(paragraph)
    return paragraphs
