"""SQLite FTS5 backend: unicode61 tokens, CJK as bigrams, bm25 with title weighted highest."""

from django.db import connection

from .text import index_text, search_terms

TABLE = "articles_search"
# bm25 weights for title, standfirst, body, tags, people.
WEIGHTS = (10.0, 4.0, 1.0, 5.0, 5.0)
COLUMNS = ("title", "standfirst", "body", "tags", "people")

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({', '.join(COLUMNS)}, tokenize='unicode61 remove_diacritics 2', detail=column)",
    # Merge index segments in bigger steps: bulk imports index about 20% faster.
    f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('automerge', 8)",
    # A deleted article leaves the index with it, however it was deleted.
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON articles_article "
    f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_delete", f"DROP TABLE IF EXISTS {TABLE}"]


def store(documents, new=False):
    """Write documents; ``new`` says the articles were just created and have no entry yet."""
    rows = [(pk, *(index_text(doc[c]) for c in COLUMNS)) for pk, doc in documents]
    with connection.cursor() as cursor:
        if not new:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk, _ in documents])
        cursor.executemany(f"INSERT INTO {TABLE}(rowid, {', '.join(COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)", rows)


def match_expression(query):
    """An FTS5 MATCH string built only from quoted terms, so no query syntax gets through."""
    quoted = [('"' + term.replace('"', '""') + '"', prefix) for term, prefix in search_terms(query)]
    return " AND ".join(text + "*" if prefix else text for text, prefix in quoted)


def matching_sql(query, limit):
    """(sql, params) selecting the ids of the newest ``limit`` articles, whatever their status, that match; None for no terms."""
    expression = match_expression(query)
    if not expression:
        return None
    return f"SELECT rowid FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s)", [expression, limit]


def candidates(query, published, ranked, counted):
    """The newest matches, from the index in rowid order, each list stopping at its bound.

    Returns ([(id, score)] of the newest ``ranked`` title matches, the same of
    all matches, [id] of the newest ``counted`` matches); a lower score is a
    better match (bm25). FTS5 walks its doclists in rowid order, so
    ``ORDER BY rowid DESC LIMIT`` stops at the bound however many articles
    match, and bm25 (about 50 µs a row) is computed for the ranked rows only.
    """
    expression = match_expression(query)
    if not expression:
        return [], [], []
    # The published() conditions come from the queryset itself, so the rule
    # readers are held to is written in one place only.
    compiler = published.query.get_compiler(connection=connection)
    visible_sql, visible_params = published.query.where.as_sql(compiler, connection)
    table = connection.ops.quote_name(published.model._meta.db_table)
    weights = ", ".join(str(w) for w in WEIGHTS)
    # CROSS JOIN fixes the loop order in SQLite: full-text hits outside, in
    # the index's rowid order, articles by primary key inside.
    rest = (
        f"FROM {TABLE} CROSS JOIN {table} ON {table}.id = {TABLE}.rowid "
        f"WHERE {TABLE} MATCH %s AND {visible_sql} ORDER BY {TABLE}.rowid DESC LIMIT %s"
    )
    scored = f"SELECT {TABLE}.rowid, bm25({TABLE}, {weights}) {rest}"
    with connection.cursor() as cursor:
        cursor.execute(scored, [f"title : ({expression})", *visible_params, ranked])
        title = cursor.fetchall()
        cursor.execute(scored, [expression, *visible_params, ranked])
        anywhere = cursor.fetchall()
        cursor.execute(f"SELECT {TABLE}.rowid {rest}", [expression, *visible_params, counted])
        return title, anywhere, [row[0] for row in cursor.fetchall()]
