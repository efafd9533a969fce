"""Turn a file's bytes into text without ever losing characters silently.

Order: a byte-order mark decides; then strict UTF-8; then the encoding the
caller forces; then charset-normalizer's guess, checked against GB18030, Big5
and Windows-1252 by how plausible each decoding reads. A guess that had to be
second-guessed, or reads poorly, is reported as doubtful so an editor looks.

Guessing reads only the first SAMPLE_BYTES (it costs about a second of CPU per
megabyte); the encoding it picks must then decode the whole file strictly, or
the next one that read the sample as well is tried, or the file is refused.
"""

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from ..text import CJK_PUNCTUATION_RANGES, IDEOGRAPH_RANGES, in_ranges
from .errors import ImportFailure

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of files that are often renamed .txt by mistake.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
)

FALLBACK_ENCODINGS = ("gb18030", "big5", "cp1252")
PLAUSIBLE = 0.9
READABLE = 0.5
MARGIN = 0.05
SAMPLE_BYTES = 64 * 1024
MAYBE_INSIDE_A_CHARACTER = bytes(range(0x30, 0x100))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    doubtful: bool = False


def decode(raw: bytes, encoding: str | None = None) -> Decoded:
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFailure("the file is empty or holds only whitespace")
    for signature, what in SIGNATURES:
        if raw.startswith(signature):
            raise ImportFailure(f"this is {what}, not a text file")
    if raw.startswith(b"RIFF") and raw[8:12] == b"WEBP":
        raise ImportFailure("this is a WebP image, not a text file")

    for bom, name in BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(_reject_binary(raw[len(bom):].decode(name)), name)
            except UnicodeDecodeError as exc:
                raise ImportFailure(f"the file starts with a {name} byte-order mark but is not valid {name} ({exc.reason} at byte {exc.start + len(bom)})")

    try:
        return Decoded(_reject_binary(raw.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass

    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFailure(f"unknown encoding {encoding!r}")
        try:
            return Decoded(_reject_binary(raw.decode(codec)), codec)
        except UnicodeDecodeError as exc:
            raise ImportFailure(f"the file is not valid {codec} ({exc.reason} at byte {exc.start})")

    if b"\x00" in raw:
        raise ImportFailure("the file holds binary data (NUL bytes), not text")
    return _guess(raw)


@dataclass(frozen=True)
class Candidate:
    name: str
    score: float
    sample: str
    guessed: bool


def _guess(raw: bytes) -> Decoded:
    sample = _sample(raw)
    candidates = _candidates(sample, whole=len(sample) == len(raw))
    if not candidates:
        raise ImportFailure("the bytes are not valid in any supported encoding (UTF-8, UTF-16, GB18030, Big5, Windows-1252)")
    best = candidates[0]
    if best.score < READABLE:
        raise ImportFailure("the file does not read as text in any supported encoding (binary data?)")
    contenders = [c for c in candidates if c.score >= max(READABLE, best.score - MARGIN)]
    return _decode_whole(raw, contenders, candidates)


def _decode_whole(raw: bytes, contenders: list[Candidate], candidates: list[Candidate]) -> Decoded:
    """The whole file, strictly decoded by the first contender that can; else ImportFailure saying where each failed.

    The sample vouches only for itself: the rest of the file may hold bytes the
    best reading of the sample cannot decode. Only contenders that read the
    sample nearly as well are tried next, so falling back never settles for a worse reading.
    """
    failures = []
    for candidate in contenders:
        try:
            text = raw.decode(candidate.name)
        except UnicodeDecodeError as exc:
            failures.append(f"{candidate.name} ({exc.reason} at byte {exc.start})")
            continue
        return Decoded(_reject_binary(text), candidate.name, doubtful=_doubtful(candidate, candidates))
    raise ImportFailure(
        f"the start of the file reads as {contenders[0].name} but the file is not valid {failures[0]}"
        + "".join(f", nor {failure}" for failure in failures[1:])
        + "; if you know its encoding, name it"
    )


def _sample(raw: bytes) -> bytes:
    """The first SAMPLE_BYTES of raw or a little less, ending after a whole character where it can.

    charset-normalizer rules out an encoding in which the sample ends in half a
    character. A byte below 0x30 (ASCII controls, space, punctuation) is never
    inside a character in GB18030, Big5, Shift_JIS, EUC or UTF-8, so the sample
    ends after the last one, unless that would halve it.
    """
    if len(raw) <= SAMPLE_BYTES:
        return raw
    head = raw[:SAMPLE_BYTES]
    cut = head.rstrip(MAYBE_INSIDE_A_CHARACTER)
    return cut if len(cut) >= SAMPLE_BYTES // 2 else head


def _candidates(sample: bytes, whole: bool) -> list[Candidate]:
    """The encodings that decode the sample, the most plausible reading first.

    Ties (cp1250 against cp1252 on English text, say) go to the encodings this
    importer supports by name, then to the detector's guess. A sample cut short
    is decoded incrementally, so half a character at its end is no error.
    """
    best = charset_normalizer.from_bytes(sample).best()
    guessed = codecs.lookup(best.encoding).name if best else None
    found = []
    for name in dict.fromkeys([guessed, *FALLBACK_ENCODINGS]):
        if name is None:
            continue
        try:
            text = codecs.getincrementaldecoder(name)().decode(sample, final=whole)
        except (UnicodeDecodeError, LookupError):
            continue
        found.append(Candidate(name, plausibility(text), text, name == guessed))
    return sorted(found, key=lambda c: (round(c.score, 2), c.name in FALLBACK_ENCODINGS, c.guessed), reverse=True)


def _doubtful(chosen: Candidate, candidates: list[Candidate]) -> bool:
    """Whether an editor should check the chosen encoding.

    It reads poorly; or it overruled the detector's guess, which read the sample
    differently and worse; or a better reading failed on the rest of the file.
    """
    overruled = any(c.guessed and c.sample != chosen.sample and c.score < chosen.score - MARGIN for c in candidates)
    return chosen.score < PLAUSIBLE or overruled or chosen.sample != candidates[0].sample


CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _reject_binary(text: str) -> str:
    controls = len(CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise ImportFailure("the file holds binary data (control characters), not text")
    return text


def _is_common_han(ch: str) -> bool:
    """True for the few thousand characters that make up nearly all real Chinese text.

    GB2312 level 1 (simplified) and Big5's frequent block (traditional) each
    hold the most used ~4,000-5,400 characters. Text decoded with the wrong
    codec scatters over the rare rest.
    """
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def plausibility(text: str) -> float:
    """The share of characters that look like real text (0..1)."""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return 0.0
    good = 0.0
    latin_extra = 0
    for ch in chars:
        code = ord(ch)
        if code < 0x80:
            good += ch.isprintable()
        elif in_ranges(ch, IDEOGRAPH_RANGES):
            good += 1.0 if _is_common_han(ch) else 0.3
        elif in_ranges(ch, CJK_PUNCTUATION_RANGES) or 0x2010 <= code <= 0x206F:  # and general punctuation
            good += 1.0
        elif 0xA0 <= code <= 0x24F:
            latin_extra += 1
            good += 1.0
        elif code == 0xFFFD or unicodedata.category(ch) in {"Cc", "Co", "Cn", "Cs"}:
            good -= 1.0
    # Real Latin-script text has few accented letters; mojibake is full of them.
    if latin_extra / len(chars) > 0.2:
        good -= latin_extra
    return max(0.0, good / len(chars))
