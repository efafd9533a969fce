"""Plain rows into a table, many to a statement: the import's bulk inserts that skip model instances.

Not bulk_create: it builds a model instance per row, and on PostgreSQL it
sends the values as arrays, whose client-side quoting of large JSON text cost
more than the insert itself. Used for the article link tables and for
django-reversion's versions.
"""

from django.db import connection


def insert_rows(model, columns, rows):
    """Insert ``rows`` (tuples in the order of ``columns``) into ``model``'s table."""
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
