"""One file's bytes to a Prepared article with no database access, so it can run in a worker process.

The steps, in order: decode, clean, parse, check lengths against the
columns, flag artefacts, link people and organisations, tell the language,
and make the body's HTML and search text.
A file that cannot become an article stops here as a failed FileResult; one
that can is certain to fit its columns when it is written.
"""

from dataclasses import dataclass

from taggit.models import Tag

from ..models import Article, Category
from ..richtext import paragraphs_to_html
from ..text import cjk_share, fold
from .dates import DateReading
from .decode import decode
from .errors import ImportFailure
from .parse import ParsedArticle, parse
from .quality import artefact_flags
from .report import FAILED
from .sources import FileRef
from .text import clean_text

FIELD_LIMITS = {name: Article._meta.get_field(name).max_length for name in ("title", "byline")}
CATEGORY_NAME_LIMIT = Category._meta.get_field("name").max_length
TAG_LIMIT = Tag._meta.get_field("name").max_length
CHINESE_FROM = 0.3  # share of CJK characters in title and body


@dataclass(frozen=True)
class Prepared(FileRef):
    """One file, read and understood, ready to store."""

    checksum: str
    parsed: ParsedArticle
    flags: list[str]
    language: str
    people: dict[int, str]  # pk: proposed grade (importing/link.py)
    organizations: dict[int, str]
    # The body as stored and as searched: made here, in the worker, so the
    # writing process only writes (they were almost half of its time).
    body_html: str
    body_text: str


def prepare(loaded, matcher, encoding=None, dates=DateReading()):
    """Understand one file's bytes: a Prepared, or a failed FileResult.

    ``encoding`` is the one to try when the bytes are neither UTF-8 nor marked by a BOM;
    ``dates`` is how the run reads a Date header (its zone and day/month order).
    """
    try:
        decoded = decode(loaded.raw, encoding)
        parsed = parse(clean_text(decoded.text), dates)
        check_lengths(parsed)
        full_text = f"{parsed.title}\n{parsed.standfirst}\n{parsed.body}"
        flags = list(dict.fromkeys([*parsed.flags, *artefact_flags(full_text)]))
        if decoded.doubtful:
            flags.append("doubtful-encoding")
        # parse() gives a body of clean paragraphs (one space between words,
        # no line break inside one, one blank line between two), so it is
        # what richtext.text_to_plain would make of it, its paragraphs are
        # text_paragraphs' and it reads as one line with the breaks as spaces;
        # tests/test_importing_service.py holds parse to that.
        paragraphs = parsed.body.split("\n\n")
        people, organizations = matcher.grades(
            f"{parsed.title}\n{parsed.standfirst}", parsed.body, body_folded=fold(" ".join(paragraphs))
        )
    except ImportFailure as exc:
        return loaded.result(FAILED, str(exc))
    chinese = cjk_share(parsed.title + parsed.body) > CHINESE_FROM
    return Prepared(
        loaded.index, loaded.display, loaded.source_name,
        checksum=loaded.checksum,
        parsed=parsed,
        flags=flags,
        language=Article.Language.CHINESE if chinese else Article.Language.ENGLISH,
        people=people,
        organizations=organizations,
        body_html=paragraphs_to_html(paragraphs),  # the file is text: escaped into paragraphs, never markup
        body_text=parsed.body,
    )


def check_lengths(parsed: ParsedArticle):
    for name, limit in FIELD_LIMITS.items():
        value = getattr(parsed, name)
        if len(value) > limit:
            raise ImportFailure(f"the {name} is {len(value):,} characters long; the limit is {limit}")
    for name in parsed.category_path:
        if len(name) > CATEGORY_NAME_LIMIT:
            raise ImportFailure(f"a category name is {len(name):,} characters long; the limit is {CATEGORY_NAME_LIMIT}")
    for tag in parsed.tags:
        if len(tag) > TAG_LIMIT:
            raise ImportFailure(f"a tag is {len(tag):,} characters long; the limit is {TAG_LIMIT}")
