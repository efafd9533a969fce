"""import_files(): the one way text files become articles (the command and the admin both call it).

Each file is imported in its own transaction: it becomes one complete article
or leaves nothing behind, and an interrupted run keeps every file finished
before the interruption. The content checksum and the source name are unique
in the database, so a re-run or a second run at the same time cannot make
duplicates.
"""

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import Article, Category, unique_slug
from ..search import index_articles
from .decode import decode
from .errors import ImportFailure
from .link import EntityMatcher
from .parse import ParsedArticle, parse
from .quality import artefact_flags
from .text import clean_text, cjk_share

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_CATEGORY = "News"
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"


@dataclass
class FileResult:
    path: str
    outcome: str
    message: str = ""
    article_id: int | None = None
    title: str = ""
    flags: list[str] = field(default_factory=list)

    def line(self):
        text = f"{self.outcome:9} {self.path}"
        if self.outcome == FAILED:
            return f"{text}: {self.message}"
        if self.title:
            text += f": {self.title}"
        if self.flags:
            text += f" [flags: {', '.join(self.flags)}]"
        return text


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    interrupted: bool = False

    def count(self, outcome):
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def ok(self):
        return not self.interrupted and self.count(FAILED) == 0

    def summary(self):
        return ", ".join(f"{o} {self.count(o)}" for o in (CREATED, UPDATED, UNCHANGED, FAILED))


@dataclass
class ImportOptions:
    publish: bool = False
    default_category: str = DEFAULT_CATEGORY
    encoding: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    dry_run: bool = False


def find_files(paths):
    """Yield (path, source name) for each file: folders are searched for *.txt, in name order.

    The source name is the path relative to the folder given (or the file's
    own name), so importing a folder again finds the same articles.
    """
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for found in sorted(given.rglob("*.txt")):
                if found.is_file():
                    yield found, found.relative_to(given).as_posix()
        else:
            yield given, given.name


def import_files(paths, options=None, on_result=None):
    """Import every file under ``paths``; return an ImportReport. Never raises for a bad file."""
    options = options or ImportOptions()
    report = ImportReport()
    matcher = EntityMatcher.from_database()
    categories = CategoryCache()
    try:
        for path, source_name in find_files(paths):
            result = import_one(path, source_name, options, matcher, categories)
            report.results.append(result)
            if on_result:
                on_result(result)
    except KeyboardInterrupt:
        report.interrupted = True
    return report


def import_one(path, source_name, options, matcher, categories):
    display = str(path)
    try:
        raw = read_file(path, options.max_size)
        checksum = hashlib.sha256(raw).hexdigest()
        existing = Article.objects.filter(source_checksum=checksum).values_list("pk", "title").first()
        if existing:
            return FileResult(display, UNCHANGED, article_id=existing[0], title=existing[1])
        decoded = decode(raw, options.encoding)
        parsed = parse(clean_text(decoded.text))
        flags = list(dict.fromkeys([*parsed.flags, *artefact_flags(parsed.title + "\n" + parsed.standfirst + "\n" + parsed.body)]))
        if decoded.doubtful:
            flags.append("doubtful-encoding")
        check_lengths(parsed)
        if options.dry_run:
            exists = Article.objects.filter(source_name=source_name).exists()
            return FileResult(display, UPDATED if exists else CREATED, "dry run", title=parsed.title, flags=flags)
        try:
            article, outcome = save_article(parsed, source_name, checksum, flags, options, matcher, categories)
        except IntegrityError:
            # Another import stored the same file meanwhile, or took the slug
            # we chose: look again rather than fail.
            categories.clear()
            existing = Article.objects.filter(source_checksum=checksum).values_list("pk", "title").first()
            if existing:
                return FileResult(display, UNCHANGED, article_id=existing[0], title=existing[1])
            article, outcome = save_article(parsed, source_name, checksum, flags, options, matcher, categories)
        return FileResult(display, outcome, article_id=article.pk, title=article.title, flags=flags)
    except ImportFailure as exc:
        return FileResult(display, FAILED, str(exc))
    except OSError as exc:
        return FileResult(display, FAILED, f"cannot read the file ({exc.strerror or exc})")
    except IntegrityError as exc:
        return FileResult(display, FAILED, f"the database refused the article ({exc})")


def read_file(path, max_size):
    size = os.stat(path).st_size
    if Path(path).is_dir():
        raise ImportFailure("this is a folder, not a file")
    if size > max_size:
        raise ImportFailure(f"the file is {size:,} bytes, over the limit of {max_size:,} (see --max-size)")
    with open(path, "rb") as handle:
        return handle.read(max_size + 1)


LIMITS = {"title": 300, "byline": 300}


def check_lengths(parsed: ParsedArticle):
    for name, limit in LIMITS.items():
        value = getattr(parsed, name)
        if len(value) > limit:
            raise ImportFailure(f"the {name} is {len(value):,} characters long; the limit is {limit}")
    for name in parsed.category_path:
        if len(name) > 200:
            raise ImportFailure(f"a category name is {len(name):,} characters long; the limit is 200")
    for tag in parsed.tags:
        if len(tag) > 100:
            raise ImportFailure(f"a tag is {len(tag):,} characters long; the limit is 100")


def publish_time(parsed):
    if parsed.date is None:
        return None
    return timezone.make_aware(datetime.combine(parsed.date, time(0, 0)))


@transaction.atomic
def save_article(parsed, source_name, checksum, flags, options, matcher, categories):
    """Create or update the article from one file, all or nothing."""
    names = parsed.category_path or [p for p in options.default_category.split("/") if p.strip()]
    category = categories.get(names)
    article = Article.objects.select_for_update().filter(source_name=source_name).first()
    outcome = UPDATED if article else CREATED
    if article is None:
        article = Article(source_name=source_name, slug=unique_slug(Article, parsed.title, max_length=240))
    # Only the fields the file carries; an editor's other changes stay.
    article.title = parsed.title
    article.body = parsed.body
    article.category = category
    article.source_checksum = checksum
    article.quality_flags = flags
    article.language = Article.Language.CHINESE if cjk_share(parsed.title + parsed.body) > 0.3 else Article.Language.ENGLISH
    if parsed.standfirst or outcome == CREATED:
        article.standfirst = parsed.standfirst
    if parsed.byline:
        article.byline = parsed.byline
    if parsed.date:
        article.publish_at = publish_time(parsed)
    if options.publish:
        article.status = Article.Status.PUBLISHED
    article.save()
    if parsed.tags:
        article.tags.add(*parsed.tags)
    people, organizations = matcher.find(f"{parsed.title}\n{parsed.standfirst}\n{parsed.body}")
    if people:
        article.people.add(*people)
    if organizations:
        article.organizations.add(*organizations)
    index_articles([article])
    return article, outcome


class CategoryCache:
    """Categories by name path, created on first use and remembered for the run."""

    def __init__(self):
        self.by_path = {}

    def clear(self):
        self.by_path.clear()

    def get(self, names):
        key = tuple(names)
        if key not in self.by_path:
            self.by_path[key] = self._get_or_create(names)
        return self.by_path[key]

    @staticmethod
    def _get_or_create(names):
        parent = None
        for name in names:
            slug = slugify(name, allow_unicode=True) or "section"
            siblings = Category.objects.filter(parent=parent)
            category = siblings.filter(name=name).first() or siblings.filter(slug=slug).first()
            if category is None:
                category = Category(parent=parent, name=name)
                category.slug = unique_slug(Category, name, parent=parent)
                category.save()
            parent = category
        return parent
