"""Read the two formats staff import (see samples/README.md) and a plain fallback.

* Breadcrumb (scraped pages): "Current location - SITE - CATEGORY [- SUB ...] - PAGE TITLE",
  then the title, the standfirst, and the body.
* Header (wire copy): "Key: value" lines up to the first blank line, then the body.
* Plain: the first line is the title, the rest is the body.

Only the header format carries a date (``Date:``); ``dates`` reads it in the
forms agencies write, in the run's time zone and day/month order.
"""

import re
import datetime
from dataclasses import dataclass, field

from .dates import DateReading, parse_date
from .errors import ImportFailure
from .text import clean_line, split_paragraphs

BREADCRUMB_START = "current location"
BREADCRUMB_SEPARATOR = " - "
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}):\s*(.*)$")
HEADER_KEYS = {"title", "category", "tags", "date", "byline", "summary"}
ELLIPSIS = re.compile(r"(\.\.\.|…)$")


@dataclass(frozen=True)
class ParsedArticle:
    format: str
    title: str
    standfirst: str
    body: str
    category_path: list[str] = field(default_factory=list)
    site: str = ""
    tags: list[str] = field(default_factory=list)
    published: datetime.datetime | None = None  # aware, to the second
    byline: str = ""
    flags: list[str] = field(default_factory=list)


def parse(text: str, dates: DateReading = DateReading()) -> ParsedArticle:
    """Parse cleaned text (LF endings, trimmed lines) into an article, or raise ImportFailure.

    ``dates`` says how the run reads a Date header (its zone, its day/month order).
    """
    lines = text.strip("\n").split("\n")
    first = lines[0]
    if first.lower().startswith(BREADCRUMB_START):
        return parse_breadcrumb(lines)
    match = HEADER_LINE.match(first)
    if match and match.group(1).strip().lower() in HEADER_KEYS:
        return parse_header(lines, dates)
    return parse_plain(lines)


def parse_breadcrumb(lines):
    trail = lines[0][len(BREADCRUMB_START):].lstrip(" :-")
    elements = [clean_line(e) for e in trail.split(BREADCRUMB_SEPARATOR)]
    elements = [e for e in elements if e]
    if len(elements) < 2:
        raise ImportFailure("the breadcrumb line names no site and page (expected “Current location - SITE - CATEGORY - TITLE”)")
    site, *category_path, crumb_title = elements
    rest = lines[1:]
    head = [line for line in rest[:3] if line.strip()][:2]
    if len(head) < 2:
        raise ImportFailure("the breadcrumb is not followed by a title and a standfirst line")
    title, standfirst = head
    body_start = rest.index(standfirst) + 1
    paragraphs = split_paragraphs("\n".join(rest[body_start:]))
    if not paragraphs:
        raise ImportFailure("the breadcrumb file has no body after its title and standfirst")
    flags = []
    if crumb_title != title and not (ELLIPSIS.search(crumb_title) and title.startswith(ELLIPSIS.sub("", crumb_title).rstrip())):
        flags.append("title-differs-from-breadcrumb")
    return ParsedArticle(
        format="breadcrumb",
        title=clean_line(title),
        standfirst=clean_line(standfirst),
        body="\n\n".join(paragraphs),
        category_path=category_path,
        site=site,
        flags=flags,
    )


def parse_header(lines, dates):
    headers = {}
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = HEADER_LINE.match(line)
        if not match:
            raise ImportFailure(f"header line {index + 1} is not “Key: value”: {line[:60]!r}")
        headers.setdefault(match.group(1).strip().lower(), match.group(2).strip())
    else:
        index = len(lines)
    title = clean_line(headers.get("title", ""))
    if not title:
        raise ImportFailure("the header block has no Title")
    paragraphs = split_paragraphs("\n".join(lines[index + 1 :]))
    if not paragraphs:
        raise ImportFailure("the file has a header block but no body after it")
    published = parse_date(headers["date"], dates) if headers.get("date") else None
    return ParsedArticle(
        format="header",
        title=title,
        standfirst=clean_line(headers.get("summary", "")),
        body="\n\n".join(paragraphs),
        category_path=[clean_line(p) for p in headers.get("category", "").split(" / ") if p.strip()],
        tags=list(dict.fromkeys(t for t in (clean_line(t) for t in headers.get("tags", "").split(",")) if t)),
        published=published,
        byline=clean_line(headers.get("byline", "")),
    )


def parse_plain(lines):
    title = clean_line(lines[0])
    paragraphs = split_paragraphs("\n".join(lines[1:]))
    if not paragraphs:
        raise ImportFailure("the file has a first line but no body after it")
    return ParsedArticle(format="plain", title=title, standfirst="", body="\n\n".join(paragraphs))
