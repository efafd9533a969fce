"""Tidy decoded text: line endings, Unicode form, control characters, whitespace, paragraphs."""

import re
import unicodedata

# Direction overrides and isolates can make text display differently from
# what it is (a trick used to disguise links); they never belong in an article.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\ufeff"))
CONTROL_CHARS = dict.fromkeys(c for c in range(0x20) if chr(c) not in "\n\t")
CONTROL_CHARS.update(dict.fromkeys(range(0x7F, 0xA0)))
CONTROL_CHARS.update(BIDI_CONTROLS)
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")


def clean_text(text: str) -> str:
    """LF line endings, NFC, no control characters, spaces collapsed, lines trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(CONTROL_CHARS)
    return "\n".join(SPACES.sub(" ", line).strip() for line in text.split("\n"))


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


LETTER = re.compile(r"[^\W\d_]")


def cjk_share(text: str) -> float:
    """The share of letters that are CJK characters (0..1)."""
    letters = len(LETTER.findall(text))
    return len(CJK_CHAR.findall(text)) / letters if letters else 0.0
