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
    """The newest matches, in one bounded walk.

    Returns ([(id, score)] of title matches, the same of the newest
    ``ranked`` matches, [id] of the newest ``counted`` matches); a lower score
    is a better match (minus ts_rank). Ordered by id with a LIMIT, the planner
    either walks the primary key backwards and stops at ``counted`` matches (a
    common word) or takes the few GIN matches and sorts them (a rare one).
    Title matches are found among those ``counted`` (the weight-A part of
    each tsvector: a separate ordered walk for them would read every row for
    two common words that seldom share a title), the newest ``ranked`` of
    them; ts_rank is computed for the ranked rows only.
    """
    expression = tsquery(query)
    if not expression:
        return [], [], []
    compiler = published.query.get_compiler(connection=connection)
    visible_sql, visible_params = published.query.where.as_sql(compiler, connection)
    table = connection.ops.quote_name(published.model._meta.db_table)
    sql = f"""
        WITH newest AS MATERIALIZED (
            SELECT e.article_id, e.document FROM {TABLE} e JOIN {table} ON {table}.id = e.article_id
            WHERE e.document @@ to_tsquery('simple', %(query)s) AND {visible_sql}
            ORDER BY e.article_id DESC LIMIT %(counted)s
        ), flagged AS (
            SELECT article_id, document, document @@ to_tsquery('simple', %(title)s) AS in_title,
                   row_number() OVER (ORDER BY article_id DESC) AS position
            FROM newest
        ), numbered AS (
            SELECT *, sum(in_title::int) OVER (ORDER BY article_id DESC) AS title_position FROM flagged
        )
        SELECT article_id, in_title AND title_position <= %(ranked)s, position <= %(ranked)s,
               CASE WHEN position <= %(ranked)s OR (in_title AND title_position <= %(ranked)s)
                    THEN -ts_rank('{RANK_WEIGHTS}', document, to_tsquery('simple', %(query)s)) END
        FROM numbered ORDER BY article_id DESC
    """
    names = [f"visible_{i}" for i in range(len(visible_params))]
    sql = sql.replace(visible_sql, visible_sql % tuple(f"%({n})s" for n in names)) if names else sql
    params = {"query": expression, "title": tsquery(query, "A"), "counted": counted, "ranked": ranked,
              **dict(zip(names, visible_params))}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    title = [(pk, score) for pk, in_title, _, score in rows if in_title]
    anywhere = [(pk, score) for pk, _, newest, score in rows if newest]
    return title, anywhere, [row[0] for row in rows]
