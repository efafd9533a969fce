"""import_files(): the one way text files become articles (the command and the admin both call it).

Work happens in two stages. ``prepare`` reads, decodes, parses, flags and links
one file with no database access. ``write_batch`` then stores up to
BATCH_SIZE prepared files in one transaction with bulk inserts (articles,
links, tags and the search index): each file in it is complete or absent, and
a batch that meets any conflict is rolled back and retried file by file, each
in its own transaction. Ctrl-C or SIGTERM while files are being read stores the
files already read and stops; one arriving during a write rolls that batch back.
The content checksum and the source name are unique in the database, so a
re-run or a second run at the same time cannot make duplicates.
"""

import hashlib
import json
import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from datetime import datetime, time
from itertools import chain, islice
from pathlib import Path

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.encoding import is_protected_type
from reversion.models import Revision, Version
from taggit.models import Tag, TaggedItem

from newsroom.db_router import use_primary

from ..cache.generation import content_changed
from ..publishing import rules
from ..models import Article, Category, Person
from ..search import backend as search_backend
from ..search import document
from ..slugs import free_slugs, reserved_first_segments, slug_base, unique_slug
from ..text import cjk_share
from .decode import decode
from .errors import ImportFailure
from .link import EntityMatcher, fold
from .parse import ParsedArticle, parse
from .quality import artefact_flags
from .text import clean_text

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_CATEGORY = "News"
BATCH_SIZE = 200
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, FAILED)
LIMITS = {"title": 300, "byline": 300}


@dataclass
class FileResult:
    path: str
    outcome: str
    message: str = ""
    article_id: int | None = None
    title: str = ""
    flags: list[str] = field(default_factory=list)
    index: int = 0

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
    """Counts per outcome; the results themselves are kept only when asked (memory stays flat)."""

    keep_results: bool = True
    results: list[FileResult] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    interrupted: bool = False

    def add(self, result):
        self.counts[result.outcome] += 1
        if self.keep_results:
            self.results.append(result)

    def count(self, outcome):
        return self.counts[outcome]

    @property
    def ok(self):
        return not self.interrupted and self.counts[FAILED] == 0

    def summary(self):
        return ", ".join(f"{o} {self.counts[o]}" for o in OUTCOMES)


@dataclass
class ImportOptions:
    publish: bool = False
    default_category: str = DEFAULT_CATEGORY
    encoding: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    dry_run: bool = False
    user: object = None  # who the revisions are recorded for (None: the import itself)


@dataclass(frozen=True)
class Source:
    """One file to import: on disk (``path``) or already in memory (``data``, e.g. an admin upload).

    ``name`` is what the article remembers as its source (a re-import finds it by that);
    ``display`` is how reports name the file.
    """

    display: str
    name: str
    path: Path | None = None
    data: bytes | None = None

    def read(self, max_size):
        if self.data is not None:
            check_size(len(self.data), max_size)
            return self.data
        return read_file(self.path, max_size)


@dataclass
class Prepared:
    """One file, read and understood, ready to store."""

    index: int
    display: str
    source_name: str
    checksum: str
    parsed: ParsedArticle
    flags: list[str]
    language: str
    people: set[int]
    organizations: set[int]


def find_files(paths):
    """Yield a Source for each file: folders are searched for *.txt, in name order.

    The source name is the path relative to the folder given (or the file's
    own name), so importing a folder again finds the same articles.
    """
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for folder, subfolders, names in os.walk(given):
                subfolders.sort()
                for name in sorted(names):
                    if name.endswith(".txt"):
                        found = Path(folder, name)
                        yield Source(str(found), found.relative_to(given).as_posix(), path=found)
        else:
            yield Source(str(given), given.name, path=given)


@use_primary()
def import_files(paths, options=None, on_result=None, batch_size=BATCH_SIZE):
    """Import every file under ``paths``; return an ImportReport. Never raises for a bad file."""
    return import_sources(find_files(paths), options, on_result, batch_size)


@use_primary()
def import_sources(sources, options=None, on_result=None, batch_size=BATCH_SIZE):
    """Import each Source; return an ImportReport. Never raises for a bad file.

    Raises PermissionDenied before reading anything if ``options.user`` may not
    publish and ``options.publish`` asks for it. With ``on_result`` each
    FileResult is handed over as it is known (in file order) and the report
    keeps only counts; without it the report keeps every result.
    """
    options = options or ImportOptions()
    if options.publish:
        rules.check_may_publish(options.user)
    report = ImportReport(keep_results=on_result is None)
    writer = BatchWriter(options, EntityMatcher.from_database())
    # Files stream through in chunks: memory stays flat however many there are.
    files = iter(sources)
    head = list(islice(files, PARALLEL_FROM))
    stream = chain(head, files)
    chunks = iter(lambda: list(islice(stream, batch_size)), [])

    def emit(results):
        for result in sorted(results, key=lambda r: r.index):
            report.add(result)
            if on_result:
                on_result(result)

    # While one batch is written, the next is parsed in worker processes.
    preparer = Preparer(options, writer.matcher, parallel=len(head) >= PARALLEL_FROM)
    try:
        waiting = None
        for number, chunk in enumerate(chunks):
            early, to_prepare = read_chunk(chunk, number * batch_size, options)
            job = (early, preparer.submit(to_prepare))
            if waiting:
                write_prepared(writer, *waiting, emit)
            waiting = job
        if waiting:
            write_prepared(writer, *waiting, emit)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        preparer.close()
    if report.count(CREATED) >= 100:
        refresh_statistics()
    return report


def refresh_statistics():
    """After a big import, tell the query planner the tables' new shape at once.

    Without it PostgreSQL plans the home page for an empty table until
    autovacuum gets round to it (measured: 220 ms instead of 28 ms at 100,000
    articles), and SQLite never learns that a category index beats a scan.

    On PostgreSQL the search index's pending list is merged too: new entries
    wait in an unsorted list that every search reads through until (auto)vacuum
    merges it; after a 10,000-file import a two-word search took 47 ms there
    instead of 0.7 ms.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        else:
            tables = [Article._meta.db_table, "articles_search_pg", Article.people.through._meta.db_table,
                      Article.organizations.through._meta.db_table, TaggedItem._meta.db_table]
            # VACUUM also marks the new rows all-visible, so counts (a list
            # page's "page 1 of 834") read the covering index alone: 17 → 6 ms
            # at 100,000 articles. It cannot run inside a transaction.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} " + ", ".join(connection.ops.quote_name(t) for t in tables))
            cursor.execute("SELECT gin_clean_pending_list('articles_search_pg_document'::regclass)")


def write_prepared(writer, early, job, emit):
    results = list(early)
    prepared = []
    for item in job.get():
        (results if isinstance(item, FileResult) else prepared).append(item)
    writer.write(prepared, results.append)
    emit(results)


def read_chunk(chunk, first_index, options):
    """Read a chunk of files: (results known already, items left to prepare).

    Files whose bytes are stored already are reported unchanged here, with one
    query for the chunk and without being parsed, which makes a re-run fast.
    """
    early, items = [], []
    for index, source in enumerate(chunk, start=first_index):
        try:
            raw = source.read(options.max_size)
        except ImportFailure as exc:
            early.append(FileResult(source.display, FAILED, str(exc), index=index))
            continue
        except OSError as exc:
            early.append(FileResult(source.display, FAILED, f"cannot read the file ({exc.strerror or exc})", index=index))
            continue
        items.append((index, source.display, source.name, raw, hashlib.sha256(raw).hexdigest()))
    known = dict(
        (checksum, (pk, title))
        for checksum, pk, title in Article.objects.filter(source_checksum__in=[i[4] for i in items]).values_list(
            "source_checksum", "pk", "title"
        )
    )
    to_prepare = []
    for item in items:
        if item[4] in known:
            pk, title = known[item[4]]
            early.append(FileResult(item[1], UNCHANGED, article_id=pk, title=title, index=item[0]))
        else:
            to_prepare.append(item)
    return early, to_prepare


PARALLEL_FROM = 400
_worker_state = {}


def _init_worker(options, matcher):
    # The parent handles Ctrl-C and SIGTERM; workers just stop with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_state.update(options=options, matcher=matcher)


def _prepare_in_worker(item):
    return prepare(*item, _worker_state["options"], _worker_state["matcher"])


class Preparer:
    """Runs ``prepare`` on a batch: in worker processes for big runs, in this process otherwise."""

    def __init__(self, options, matcher, parallel):
        self.options, self.matcher = options, matcher
        workers = min(2, os.cpu_count() or 1)
        self.pool = None
        if parallel and workers > 1:
            # fork: workers inherit the loaded code and the matcher; they never touch the database.
            self.pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (options, matcher))

    def submit(self, items):
        if self.pool is not None:
            return self.pool.map_async(_prepare_in_worker, items, chunksize=max(1, len(items) // 8))
        return _Later(lambda: [prepare(*item, self.options, self.matcher) for item in items])

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


class _Later:
    def __init__(self, work):
        self.work = work

    def get(self):
        return self.work()


def prepare(index, display, source_name, raw, checksum, options, matcher):
    """Understand one file's bytes, with no database access: a Prepared, or a failed FileResult."""
    try:
        decoded = decode(raw, options.encoding)
        parsed = parse(clean_text(decoded.text))
        check_lengths(parsed)
        full_text = f"{parsed.title}\n{parsed.standfirst}\n{parsed.body}"
        flags = list(dict.fromkeys([*parsed.flags, *artefact_flags(full_text)]))
        if decoded.doubtful:
            flags.append("doubtful-encoding")
        # clean_text left single spaces, so only the line breaks need joining.
        people, organizations = matcher.find(full_text, fold(full_text.replace("\n", " ")))
        language = Article.Language.CHINESE if cjk_share(parsed.title + parsed.body) > 0.3 else Article.Language.ENGLISH
        return Prepared(index, display, source_name, checksum, parsed, flags, language, people, organizations)
    except ImportFailure as exc:
        return FileResult(display, FAILED, str(exc), index=index)


def read_file(path, max_size):
    if Path(path).is_dir():
        raise ImportFailure("this is a folder, not a file")
    check_size(os.stat(path).st_size, max_size)
    with open(path, "rb") as handle:
        return handle.read(max_size + 1)


def check_size(size, max_size):
    if size > max_size:
        raise ImportFailure(f"the file is {size:,} bytes, over the limit of {max_size:,} (see --max-size)")


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


class BatchWriter:
    def __init__(self, options, matcher):
        self.options = options
        self.matcher = matcher
        self.categories = CategoryCache(options.user)
        self.person_names = {}

    def write(self, items, emit):
        """Store a batch; every item ends as one emitted FileResult."""
        if not items:
            return
        known = dict(
            (checksum, (pk, title))
            for checksum, pk, title in Article.objects.filter(
                source_checksum__in=[i.checksum for i in items]
            ).values_list("source_checksum", "pk", "title")
        )
        stored = {
            name: (status, title)
            for name, status, title in Article.objects.filter(
                source_name__in=[i.source_name for i in items]
            ).values_list("source_name", "status", "title")
        }
        existing_sources = stored.keys()
        creates, updates, seen = [], [], {}
        for item in items:
            if item.checksum in known:
                pk, title = known[item.checksum]
                emit(FileResult(item.display, UNCHANGED, article_id=pk, title=title, index=item.index))
            elif item.checksum in seen:
                emit(FileResult(item.display, UNCHANGED, "same content as " + seen[item.checksum].display, title=item.parsed.title, index=item.index))
            elif refusal := self.refusal(item, *stored.get(item.source_name, (None, ""))):
                emit(FileResult(item.display, FAILED, refusal, index=item.index))
            else:
                seen[item.checksum] = item
                (updates if item.source_name in existing_sources else creates).append(item)
        if self.options.dry_run:
            for item in creates + updates:
                outcome = UPDATED if item.source_name in existing_sources else CREATED
                emit(FileResult(item.display, outcome, "dry run", title=item.parsed.title, flags=item.flags, index=item.index))
            return
        if creates:
            try:
                with transaction.atomic():
                    articles = self.bulk_create(creates)
            except (IntegrityError, DatabaseError):
                # A concurrent import or a slug taken meanwhile: go file by file.
                self.categories.clear()
                updates = creates + updates
            else:
                for item, article in zip(creates, articles):
                    emit(FileResult(item.display, CREATED, article_id=article.pk, title=article.title, flags=item.flags, index=item.index))
        for item in updates:
            emit(self.write_one(item))

    def refusal(self, item, stored_status, stored_title):
        """Why ``options.user`` may not write this file (the publishing rules), or None."""
        new_status = Article.Status.PUBLISHED if self.options.publish else stored_status
        try:
            rules.check_article_write(self.options.user, stored_status, new_status, stored_title)
            self.categories.check(item.parsed.category_path or category_names(self.options))
        except PermissionDenied as exc:
            return str(exc)
        return None

    def write_one(self, item):
        """One file in its own transaction, looking again at what is stored if a conflict arises."""
        for attempt in range(2):
            existing = Article.objects.filter(source_checksum=item.checksum).values_list("pk", "title").first()
            if existing:
                return FileResult(item.display, UNCHANGED, article_id=existing[0], title=existing[1], index=item.index)
            try:
                article, outcome = save_article(item, self.options, self.categories)
                return FileResult(item.display, outcome, article_id=article.pk, title=article.title, flags=item.flags, index=item.index)
            except PermissionDenied as exc:
                return FileResult(item.display, FAILED, str(exc), index=item.index)
            except IntegrityError as exc:
                self.categories.clear()
                if attempt:
                    return FileResult(item.display, FAILED, f"the database refused the article ({exc})", index=item.index)
            except DatabaseError as exc:
                self.categories.clear()
                return FileResult(item.display, FAILED, describe_database_error(exc), index=item.index)

    def bulk_create(self, items):
        """Insert new articles with their links, tags and search documents in a few statements."""
        slugs = free_slugs(Article.objects.all(), [i.parsed.title for i in items], max_length=240)
        articles = []
        for item, slug in zip(items, slugs):
            parsed = item.parsed
            article = Article(
                title=parsed.title,
                slug=slug,
                standfirst=parsed.standfirst,
                body=parsed.body,
                category=self.categories.get(parsed.category_path or category_names(self.options)),
                byline=parsed.byline,
                language=item.language,
                source_name=item.source_name,
                source_checksum=item.checksum,
                quality_flags=item.flags,
                publish_at=publish_time(parsed),
            )
            if self.options.publish:
                article.status = Article.Status.PUBLISHED
                article.publish_at = article.publish_at or timezone.now()
            articles.append(article)
        Article.objects.bulk_create(articles)
        # The link tables take plain rows; building a model instance per row
        # cost more than the insert itself.
        insert_rows(Article.people.through, ("article_id", "person_id"),
                    [(a.pk, pk) for a, i in zip(articles, items) for pk in i.people])
        insert_rows(Article.organizations.through, ("article_id", "organization_id"),
                    [(a.pk, pk) for a, i in zip(articles, items) for pk in i.organizations])
        tags = self.tags({name for i in items for name in i.parsed.tags})
        content_type = ContentType.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=content_type, object_id=a.pk, tag=tags[name])
            for a, i in zip(articles, items)
            for name in i.parsed.tags
        )
        names = self.names_of_people({pk for i in items for pk in i.people})
        search_backend().store(
            [(a.pk, document(a, i.parsed.tags, [names[pk] for pk in i.people])) for a, i in zip(articles, items)],
            new=True,
        )
        bulk_revision(articles, items, self.options.user)
        content_changed()
        return articles

    @staticmethod
    def tags(names):
        tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
        for name in names - tags.keys():
            tags[name] = Tag.objects.create(name=name)
        return tags

    def names_of_people(self, ids):
        missing = ids - self.person_names.keys()
        if missing:
            self.person_names.update(Person.objects.filter(pk__in=missing).values_list("pk", "name"))
        return self.person_names


def describe_database_error(exc):
    """A database failure in words an editor can act on; what was committed before stays."""
    text = str(exc).lower()
    if "full" in text:
        return "the database or its disk is full; nothing of this file was stored (free space, then run again)"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "the database is read-only; nothing of this file was stored"
    if "locked" in text:
        return "the database stayed locked by another writer; nothing of this file was stored (run again)"
    return f"the database refused the write ({str(exc).splitlines()[0][:200]}); nothing of this file was stored"


def bulk_revision(articles, items, user):
    """One revision holding a version of each new article, written in two statements.

    The versions hold what django-reversion's own JSON serializer writes (so
    its history, compare and restore read them as usual); building them here
    from what the batch already knows avoids a serializer pass and two m2m
    queries per article, which cost two thirds of the import's speed.
    """
    revision = Revision.objects.create(date_created=timezone.now(), user=user, comment="Imported")
    content_type = ContentType.objects.get_for_model(Article)
    fields = [f for f in Article._meta.concrete_fields if f.serialize and not f.primary_key]
    rows = []
    for article, item in zip(articles, items):
        data = {}
        for f in fields:
            if f.remote_field is not None:
                data[f.name] = getattr(article, f.attname)
            else:
                value = f.value_from_object(article)
                data[f.name] = value if is_protected_type(value) else f.value_to_string(article)
        data["people"] = sorted(item.people)
        data["organizations"] = sorted(item.organizations)
        rows.append((
            revision.pk, str(article.pk), content_type.pk, "default", "json",
            json.dumps([{"model": "articles.article", "pk": article.pk, "fields": data}], cls=DjangoJSONEncoder),
            str(article)[:191],
        ))
    insert_rows(Version, ("revision_id", "object_id", "content_type_id", "db", "format", "serialized_data", "object_repr"), rows)


def insert_rows(model, columns, rows):
    """Plain rows into a table, many to a statement.

    Not bulk_create: it builds a model instance per row, and on PostgreSQL it
    sends the values as arrays, whose client-side quoting of large JSON text
    cost more than the insert itself.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, connection.ops.bulk_batch_size(columns, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))}",
                [value for row in chunk for value in row],
            )


def category_names(options):
    return [p.strip() for p in options.default_category.split("/") if p.strip()]


@transaction.atomic
def save_article(item, options, categories):
    """Create or update the article from one file, all or nothing, with a revision."""
    with reversion.create_revision():
        reversion.set_user(options.user)
        reversion.set_comment(f"Imported from {item.source_name}")
        return _save_article(item, options, categories)


def _save_article(item, options, categories):
    parsed = item.parsed
    article = Article.objects.select_for_update().filter(source_name=item.source_name).first()
    outcome = UPDATED if article else CREATED
    new_status = Article.Status.PUBLISHED if options.publish else (article.status if article else Article.Status.DRAFT)
    rules.check_article_write(options.user, article.status if article else None, new_status, article.title if article else "")
    category = categories.get(parsed.category_path or category_names(options))
    if article is None:
        article = Article(source_name=item.source_name, slug=unique_slug(Article.objects.all(), parsed.title, max_length=240))
    # Only the fields the file carries; an editor's other changes stay.
    article.title = parsed.title
    article.body = parsed.body
    article.category = category
    article.source_checksum = item.checksum
    article.quality_flags = item.flags
    article.language = item.language
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
    if item.people:
        article.people.add(*item.people)
    if item.organizations:
        article.organizations.add(*item.organizations)
    return article, outcome


class CategoryCache:
    """Categories by name path, created on first use (if ``user`` may create them) and remembered for the run."""

    def __init__(self, user=None):
        self.user = user
        self.by_path = {}
        self.known = {}

    def clear(self):
        self.by_path.clear()
        self.known.clear()

    def check(self, names):
        """Raise PermissionDenied if the path names a category that does not exist and ``user`` may not create it."""
        key = tuple(names)
        if key not in self.by_path and key not in self.known:
            self.known[key] = self._find(names) is not None
        if not (key in self.by_path or self.known[key]):
            rules.check_may_create_category(self.user, " / ".join(names))

    def get(self, names):
        key = tuple(names)
        if key not in self.by_path:
            self.check(names)
            self.by_path[key] = self._get_or_create(names)
        return self.by_path[key]

    @staticmethod
    def _lookup(parent, name):
        slug = slug_base(name, fallback="section")
        siblings = Category.objects.filter(parent=parent)
        return siblings.filter(name=name).first() or siblings.filter(slug=slug).first()

    @classmethod
    def _find(cls, names):
        parent = None
        for name in names:
            parent = cls._lookup(parent, name)
            if parent is None:
                return None
        return parent

    @classmethod
    def _get_or_create(cls, names):
        parent = None
        for name in names:
            category = cls._lookup(parent, name)
            if category is None:
                category = Category(parent=parent, name=name)
                reserved = reserved_first_segments() if parent is None else frozenset()
                category.slug = unique_slug(Category.objects.filter(parent=parent), name, reserved=reserved, fallback="section")
                category.save()
            parent = category
        return parent
