"""Full-text search over articles: one interface, a SQLite FTS5 and a PostgreSQL backend.

    index_articles(articles)       keep the index in step (inside the saving transaction; articles.signals calls it)
    search(query, offset, limit)   (total, hits): one page of published results, best first, with passages
    matching(queryset, query, n)   the queryset narrowed to the n newest articles matching, drafts included (the admin's search)
    organizations_named(query)     organisations the query names by ticker, LEI, Wikidata id or name, with their latest stories

Readers only ever get what ``Article.objects.published()`` allows: the index
holds every article, and the published filter is applied at query time, so a
scheduled article becomes findable at its publish time with no re-indexing.

The work per query is bounded, however many articles match: the index hands
over its matches newest first and stops after RANKED of them (and RANKED
title matches), and only those are ranked: title matches first, then the
text rank (bm25 or ts_rank), then recency (the newer id). A reader can page
through those RANKED results. The total is exact up to COUNTED matches
(read without scores, so cheap); beyond, it is an estimate ("about 12,400")
from how densely those COUNTED matches fill the ids they span.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models import Q

from .. import richtext
from ..compiled import CompiledQuery, latest_of_each
from ..models import Article, Organization
from . import postgres, sqlite
from .passages import passage


RANKED = 100
COUNTED = 500


class ResultCount(int):
    """How many published articles match; ``exact`` is False for an estimate beyond COUNTED matches."""

    def __new__(cls, value, exact=True, reachable=None):
        count = super().__new__(cls, value)
        count.exact = exact
        count.reachable = value if reachable is None else reachable  # how many results can be paged through
        return count


ORGANIZATION_STORIES = 5


@dataclass
class OrganizationHit:
    organization: object
    stories: list


def organizations_named(query, limit=5):
    """Organisations the whole query names: a ticker (9988, BABA), a LEI, a Wikidata id, a name or an alias,
    ignoring case; each with its latest published stories. Three queries, however many match."""
    term = " ".join(query.replace("\x00", " ").split())  # PostgreSQL refuses a NUL in any text
    if not term or len(term) > 200:
        return []
    organizations = list(
        Organization.objects.filter(
            Organization.identifier_q(term) | Q(name__iexact=term) | Q(aliases__name__iexact=term)
        ).distinct().order_by("name")[:limit]
    )
    if not organizations:
        return []
    # Each organisation's latest stories walk the publish-time index and stop (one statement for all):
    # ordering every link of a much-covered company by its story's time took 17 ms at 10,000 articles.
    published = Article.objects.published()
    latest = latest_of_each(
        [(org.pk, published.filter(organization_links__organization=org).order_by("-publish_at", "-pk"))
         for org in organizations],
        ORGANIZATION_STORIES,
    )
    articles = Article.objects.for_listing().in_bulk([pk for ids in latest.values() for pk in ids])
    stories = {
        org.pk: sorted((articles[pk] for pk in latest[org.pk] if pk in articles),
                       key=lambda a: (a.publish_at, a.pk), reverse=True)
        for org in organizations
    }
    return [OrganizationHit(org, stories[org.pk]) for org in organizations]


@dataclass
class Hit:
    article: object
    passage: str


def backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def document(article, tag_names, people_names, body_text=None):
    """The weighted parts of an article's search document: title, standfirst, body, tags, people.

    ``body_text`` is ``richtext.plain_text(article.body)`` when the caller has it already (the importer does).
    """
    return {
        "title": article.title,
        "standfirst": article.standfirst,
        "body": richtext.plain_text(article.body) if body_text is None else body_text,
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


def ranked(title, anywhere, limit):
    """Ids best first from the backend's candidates: title matches, then the rest; each by score, then newest."""
    in_title = {pk for pk, _ in title}
    rest = [hit for hit in anywhere if hit[0] not in in_title]
    order = sorted(title, key=lambda hit: (hit[1], -hit[0])) + sorted(rest, key=lambda hit: (hit[1], -hit[0]))
    return [pk for pk, _ in order][:limit]


def estimate(counted_ids, lowest_id, reachable, bound):
    """All matches as a count: exact below the bound, else extrapolated over the ids older than those counted."""
    if len(counted_ids) < bound:
        return ResultCount(len(counted_ids), reachable=reachable)
    newest, oldest = max(counted_ids), min(counted_ids)
    guess = round(bound * (newest - lowest_id + 1) / (newest - oldest + 1))
    digits = max(len(str(guess)) - 3, 0)  # three significant figures: "about 12,400"
    return ResultCount(max(round(guess, -digits), bound), exact=False, reachable=reachable)


def matching(queryset, query, limit):
    """``queryset`` narrowed to the newest ``limit`` articles whose document matches ``query``, whatever their status.

    The admin's list search: one bounded full-text lookup instead of a LIKE over every row.
    """
    found = backend().matching_sql(query, limit)
    return queryset.filter(pk__in=RawSQL(*found)) if found else queryset.none()


def search(query, offset, limit):
    """(total, [Hit]) for one page of results; ``total`` is a ResultCount."""
    published = Article.objects.published()
    title, anywhere, counted = backend().candidates(query, published, RANKED, COUNTED)
    ids = ranked(title, anywhere, RANKED)
    lowest = Article.objects.order_by("pk").values_list("pk", flat=True).first() if len(counted) >= COUNTED else None
    total = estimate(counted, lowest, len(ids), COUNTED)
    ids = ids[offset : offset + limit]
    articles = {a.pk: a for a in RESULT_ROWS.run(ids=ids)} if ids else {}
    return total, [Hit(articles[pk], passage(articles[pk], query)) for pk in ids if pk in articles]


# A results page's articles by id (a shape per number of results, compiled once each: articles/compiled.py).
RESULT_ROWS = CompiledQuery(lambda ids: Article.objects.select_related("category").filter(pk__in=ids),
                            ids=Article._meta.get_field("id"))
