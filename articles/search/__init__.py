"""Full-text search over articles: one interface, a SQLite FTS5 and a PostgreSQL backend.

    index_articles(articles)       keep the index in step (inside the saving transaction; articles.signals calls it)
    search(query, offset, limit)   (total, hits): one page of published results, best first, with passages
    organizations_named(query)     organisations the query names by ticker, LEI, Wikidata id or name, with their latest stories

Readers only ever get what ``Article.objects.published()`` allows: the index
holds every article, and the published filter is applied at query time, so a
scheduled article becomes findable at its publish time with no re-indexing.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from .. import richtext
from ..models import Article, ArticleOrganization, Organization
from . import postgres, sqlite
from .passages import passage


ORGANIZATION_STORIES = 5


@dataclass
class OrganizationHit:
    organization: object
    stories: list


def organizations_named(query, limit=5):
    """Organisations the whole query names: a ticker (9988, BABA), a LEI, a Wikidata id, a name or an alias,
    ignoring case; each with its latest published stories. Two queries, however many match."""
    term = " ".join(query.replace("\x00", " ").split())  # PostgreSQL refuses a NUL in any text
    if not term or len(term) > 200:
        return []
    organizations = list(
        Organization.objects.filter(
            Q(listings__ticker__iexact=term) | Q(lei__iexact=term) | Q(wikidata_id__iexact=term)
            | Q(name__iexact=term) | Q(aliases__name__iexact=term)
        ).distinct().order_by("name")[:limit]
    )
    if not organizations:
        return []
    links = (
        ArticleOrganization.objects.filter(organization__in=organizations, article__in=Article.objects.published())
        .select_related("article__category")
        .defer("article__body", "article__pending_changes", "article__quality_flags")
        .order_by("-article__publish_at", "-article__pk")
    )
    stories = {org.pk: [] for org in organizations}
    for link in links[: ORGANIZATION_STORIES * len(organizations) * 4]:
        if len(stories[link.organization_id]) < ORGANIZATION_STORIES:
            stories[link.organization_id].append(link.article)
    return [OrganizationHit(org, stories[org.pk]) for org in organizations]


@dataclass
class Hit:
    article: object
    passage: str


def backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def document(article, tag_names, people_names):
    """The weighted parts of an article's search document: title, standfirst, body, tags, people."""
    return {
        "title": article.title,
        "standfirst": article.standfirst,
        "body": richtext.plain_text(article.body),
        "tags": " ".join(tag_names),
        "people": " ".join(people_names),
    }


def index_articles(articles):
    """(Re)index the given articles, fetching their tags and people in two queries."""
    ids = [a.pk for a in articles]
    if not ids:
        return
    rows = Article.objects.filter(pk__in=ids).prefetch_related("tags", "people").only("pk", "title", "standfirst", "body")
    backend().store(
        [(a.pk, document(a, [t.name for t in a.tags.all()], [p.name for p in a.people.all()])) for a in rows]
    )


def search(query, offset, limit):
    """(total, [Hit]) for one page of results."""
    published = Article.objects.published()
    total, ids = backend().find(query, published, offset, limit)
    articles = Article.objects.select_related("category").in_bulk(ids)
    return total, [Hit(articles[pk], passage(articles[pk], query)) for pk in ids if pk in articles]
