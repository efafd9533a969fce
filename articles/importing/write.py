"""Prepared files into the database: a batch in one transaction, or file by file when the batch meets a conflict.

The fast path (``BatchWriter.bulk_create``) inserts a batch's articles, links,
tags, search documents and revision in a few statements, all or nothing. Any
conflict (a concurrent import storing the same file, a slug taken meanwhile)
rolls the batch back and each file is written again in its own transaction by
``save_article``, the ordinary ORM path with django-reversion's own revision,
which looks again at what is stored. The unique source checksum and source
name are what make a re-run or a concurrent run unable to duplicate an
article. Who may write what is ``articles.publishing.rules``, asked per file.
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from ..cache.generation import content_changed
from ..models import Article, Person
from ..publishing import rules
from ..search import backend as search_backend
from ..webhooks import events as webhook_events
from ..search import document
from ..slugs import free_slugs, unique_slug
from .categories import CategoryCache
from .errors import describe_conflict, describe_database_error
from .report import CREATED, FAILED, UNCHANGED, UPDATED
from .revisions import bulk_revision
from .rows import insert_rows

ARTICLE_SLUG_LENGTH = 240


def stored_by_checksum(checksums):
    """{checksum: (pk, title)} of the articles stored from these contents."""
    return {
        checksum: (pk, title)
        for checksum, pk, title in Article.objects.filter(source_checksum__in=list(checksums)).values_list(
            "source_checksum", "pk", "title"
        )
    }


class BatchWriter:
    """Stores one run's batches of Prepared files, remembering categories and people's names between them.

    A file whose contents were stored when its chunk was read never gets
    here. One repeating a file of the previous batch can, as the run reads
    each chunk before writing the one before it: ``last_batch`` catches it
    with no query. Anything another process stores meanwhile meets the unique
    checksum, and the batch goes file by file.
    """

    def __init__(self, options):
        self.options = options
        self.categories = CategoryCache(options.user)
        self.person_names = {}
        self.last_batch = {}

    def write(self, items, emit):
        """Store a batch; every item ends as one emitted FileResult."""
        if not items:
            return
        previous, self.last_batch = self.last_batch, {}
        stored = {
            name: (status, title)
            for name, status, title in Article.objects.filter(
                source_name__in=[i.source_name for i in items]
            ).values_list("source_name", "status", "title")
        }
        creates, updates, seen = [], [], {}
        for item in items:
            if item.checksum in previous:
                pk, title = previous[item.checksum]
                emit(item.result(UNCHANGED, article_id=pk, title=title))
            elif item.checksum in seen:
                emit(item.result(UNCHANGED, "same content as " + seen[item.checksum].display, title=item.parsed.title))
            elif refusal := self.refusal(item, *stored.get(item.source_name, (None, ""))):
                emit(item.result(FAILED, refusal))
            else:
                seen[item.checksum] = item
                (updates if item.source_name in stored else creates).append(item)
        if self.options.dry_run:
            for item in creates + updates:
                outcome = UPDATED if item.source_name in stored else CREATED
                emit(item.result(outcome, "dry run", title=item.parsed.title, flags=item.flags))
            return

        def written(item, result):
            if result.article_id is not None:
                self.last_batch[item.checksum] = (result.article_id, result.title)
            emit(result)

        if creates:
            try:
                with transaction.atomic():
                    articles = self.bulk_create(creates)
            except (IntegrityError, DatabaseError):
                self.categories.clear()
                updates = creates + updates
            else:
                for item, article in zip(creates, articles):
                    written(item, item.result(CREATED, article_id=article.pk, title=article.title, flags=item.flags))
        for item in updates:
            written(item, self.write_one(item))

    def refusal(self, item, stored_status, stored_title):
        """Why ``options.user`` may not write this file (the publishing rules), or None."""
        new_status = Article.Status.PUBLISHED if self.options.publish else stored_status
        try:
            rules.check_article_write(self.options.user, stored_status, new_status, stored_title)
            self.categories.check(item.parsed.category_path or self.options.default_category_path)
        except PermissionDenied as exc:
            return str(exc)
        return None

    def write_one(self, item):
        """One file in its own transaction, looking again at what is stored if a conflict arises."""
        for attempt in range(2):
            existing = stored_by_checksum([item.checksum]).get(item.checksum)
            if existing:
                return item.result(UNCHANGED, article_id=existing[0], title=existing[1])
            try:
                article, outcome = save_article(item, self.options, self.categories)
                return item.result(outcome, article_id=article.pk, title=article.title, flags=item.flags)
            except PermissionDenied as exc:
                return item.result(FAILED, str(exc))
            except IntegrityError as exc:
                self.categories.clear()
                if attempt:
                    return item.result(FAILED, describe_conflict(exc))
            except DatabaseError as exc:
                self.categories.clear()
                return item.result(FAILED, describe_database_error(exc))

    def bulk_create(self, items):
        """Insert new articles with their links, tags and search documents in a few statements."""
        slugs = free_slugs(Article.objects.all(), [i.parsed.title for i in items], max_length=ARTICLE_SLUG_LENGTH)
        articles = []
        for item, slug in zip(items, slugs):
            parsed = item.parsed
            article = Article(
                title=parsed.title,
                slug=slug,
                standfirst=parsed.standfirst,
                body=item.body_html,
                category=self.categories.get(parsed.category_path or self.options.default_category_path),
                byline=parsed.byline,
                language=item.language,
                source_name=item.source_name,
                source_checksum=item.checksum,
                quality_flags=item.flags,
                publish_at=parsed.published,  # aware, to the second (importing/dates.py)
            )
            if self.options.publish:
                article.status = Article.Status.PUBLISHED
                article.publish_at = article.publish_at or timezone.now()
            articles.append(article)
        Article.objects.bulk_create(articles)
        insert_rows(Article.people.through, ("article_id", "person_id", "grade"),
                    [(a.pk, pk, grade) for a, i in zip(articles, items) for pk, grade in i.people.items()])
        insert_rows(Article.organizations.through, ("article_id", "organization_id", "grade"),
                    [(a.pk, pk, grade) for a, i in zip(articles, items) for pk, grade in i.organizations.items()])
        tags = self.tags({name for i in items for name in i.parsed.tags})
        content_type = ContentType.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=content_type, object_id=a.pk, tag=tags[name])
            for a, i in zip(articles, items)
            for name in i.parsed.tags
        )
        names = self.names_of_people({pk for i in items for pk in i.people})
        search_backend().store(
            [(a.pk, document(a, i.parsed.tags, [names[pk] for pk in i.people], i.body_text))
             for a, i in zip(articles, items)],
            new=True,
        )
        bulk_revision(articles, items, self.options.user)
        content_changed()
        webhook_events.articles_published(articles)  # bulk inserts send no signals: announce in this transaction
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


@transaction.atomic
def save_article(item, options, categories):
    """Create or update the article from one Prepared file, all or nothing, with a revision: (article, outcome)."""
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
    category = categories.get(parsed.category_path or options.default_category_path)
    if article is None:
        article = Article(
            source_name=item.source_name,
            slug=unique_slug(Article.objects.all(), parsed.title, max_length=ARTICLE_SLUG_LENGTH),
        )
    # Only the fields the file carries; an editor's other changes stay.
    article.title = parsed.title
    article.body = item.body_html
    article.category = category
    article.source_checksum = item.checksum
    article.quality_flags = item.flags
    article.language = item.language
    if parsed.standfirst or outcome == CREATED:
        article.standfirst = parsed.standfirst
    if parsed.byline:
        article.byline = parsed.byline
    if parsed.published:
        article.publish_at = parsed.published
    if options.publish:
        article.status = Article.Status.PUBLISHED
    article.save()
    if parsed.tags:
        article.tags.add(*parsed.tags)
    # Links already there keep their grade (an editor may have changed it).
    for grade in {*item.people.values(), *item.organizations.values()}:
        article.people.add(*(pk for pk, g in item.people.items() if g == grade), through_defaults={"grade": grade})
        article.organizations.add(*(pk for pk, g in item.organizations.items() if g == grade),
                                  through_defaults={"grade": grade})
    return article, outcome
