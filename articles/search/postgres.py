"""PostgreSQL backend: a weighted tsvector per article in a GIN-indexed table, queried with
django.contrib.postgres's SearchQuery and SearchRank. The 'simple' configuration (no stemming,
no stop words) treats English and CJK bigrams alike, matching the SQLite backend."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from ..models import SearchEntry
from .text import index_text, search_terms

TABLE = "articles_search_pg"
WEIGHTS = {"title": "A", "tags": "B", "people": "B", "standfirst": "C", "body": "D"}

# The table itself is the SearchEntry model's; PostgreSQL adds the GIN index.
CREATE = [f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin(document)"]
DROP = [f"DROP INDEX IF EXISTS {TABLE}_document"]


def store(documents, new=False):
    """Write documents (an upsert, so ``new`` changes nothing here)."""
    vector = " || ".join(f"setweight(to_tsvector('simple', %s), '{w}')" for w in WEIGHTS.values())
    rows = [(pk, *(index_text(doc[c]) for c in WEIGHTS)) for pk, doc in documents]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, {vector}) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            rows,
        )


def tsquery(query):
    # to_tsquery syntax is built from our own quoted lexemes only.
    quoted = [("'" + term.replace("'", "''").replace("\\", "\\\\") + "'", prefix) for term, prefix in search_terms(query)]
    return " & ".join(text + ":*" if prefix else text for text, prefix in quoted)


def find(query, published, offset, limit):
    expression = tsquery(query)
    if not expression:
        return 0, []
    search_query = SearchQuery(expression, config="simple", search_type="raw")
    matches = SearchEntry.objects.filter(document=search_query, article__in=published.values("pk"))
    total = matches.count()
    if not total or offset >= total:
        return total, []
    ranked = matches.annotate(rank=SearchRank(F("document"), search_query, weights=[0.1, 0.2, 0.4, 1.0]))
    ids = ranked.order_by("-rank", "-article_id").values_list("article_id", flat=True)[offset : offset + limit]
    return total, list(ids)
