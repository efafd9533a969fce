"""PostgreSQL backend: a weighted tsvector per article in a GIN-indexed table. The 'simple'
configuration (no stemming, no stop words) treats English and CJK bigrams alike, matching
the SQLite backend."""

from django.db import connection

from .text import index_text, search_terms

TABLE = "articles_search_pg"
WEIGHTS = {"title": "A", "tags": "B", "people": "B", "standfirst": "C", "body": "D"}
# ts_rank's weights for D, C, B, A.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

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


def tsquery(query, weight=""):
    """to_tsquery syntax built from our own quoted lexemes only; ``weight`` "A" matches titles alone."""
    quoted = [("'" + term.replace("'", "''").replace("\\", "\\\\") + "'", prefix) for term, prefix in search_terms(query)]
    return " & ".join(f"{text}:{'*' if prefix else ''}{weight}" if prefix or weight else text for text, prefix in quoted)


def matching_sql(query, limit):
    """(sql, params) selecting the ids of the newest ``limit`` articles, whatever their status, that match; None for no terms."""
    expression = tsquery(query)
    if not expression:
        return None
    sql = f"SELECT article_id FROM {TABLE} WHERE document @@ to_tsquery('simple', %s) ORDER BY article_id DESC LIMIT %s"
    return sql, [expression, limit]


def candidates(query, published, ranked, counted):
    """The newest matches, each list stopping at its bound.

    Returns ([(id, score)] of the newest ``ranked`` title matches, the same of
    all matches, [id] of the newest ``counted`` matches); a lower score is a
    better match (minus ts_rank). Ordered by id with a LIMIT, the planner
    either walks the primary key backwards and stops at the bound (a common
    word) or takes the few GIN matches and sorts them (a rare one); ts_rank
    is computed for the ranked rows only.
    """
    expression = tsquery(query)
    if not expression:
        return [], [], []
    compiler = published.query.get_compiler(connection=connection)
    visible_sql, visible_params = published.query.where.as_sql(compiler, connection)
    table = connection.ops.quote_name(published.model._meta.db_table)
    rest = (
        f"FROM {TABLE} e JOIN {table} ON {table}.id = e.article_id "
        f"WHERE e.document @@ to_tsquery('simple', %s) AND {visible_sql} ORDER BY e.article_id DESC LIMIT %s"
    )
    scored = f"SELECT e.article_id, -ts_rank('{RANK_WEIGHTS}', e.document, to_tsquery('simple', %s)) {rest}"
    title_expression = tsquery(query, "A")
    with connection.cursor() as cursor:
        cursor.execute(scored, [title_expression, title_expression, *visible_params, ranked])
        title = cursor.fetchall()
        cursor.execute(scored, [expression, expression, *visible_params, ranked])
        anywhere = cursor.fetchall()
        cursor.execute(f"SELECT e.article_id {rest}", [expression, *visible_params, counted])
        return title, anywhere, [row[0] for row in cursor.fetchall()]
