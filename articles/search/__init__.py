"""Full-text search over articles: one interface, a SQLite FTS5 and a PostgreSQL backend.

    index_articles(articles)       keep the index in step (inside the saving transaction; articles.signals calls it)
    search(query, offset, limit)   (total, hits): one page of published results, best first, with passages

Readers only ever get what ``Article.objects.published()`` allows: the index
holds every article, and the published filter is applied at query time, so a
scheduled article becomes findable at its publish time with no re-indexing.
"""

from dataclasses import dataclass

from django.db import connection

from .. import richtext
from ..models import Article
from . import postgres, sqlite
from .passages import passage


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
