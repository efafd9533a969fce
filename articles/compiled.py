"""Querysets compiled once per process, run again with new values: for the reader pages' hottest queries.

Building a queryset and compiling it to SQL costs the ORM far more than the
database spends answering it: on the article page, 0.6 ms to find the
article and 0.9 ms for its related stories, against 0.05 ms to run the same
SQL. A reader page asks the same question every time with other values (this
slug, now), so ``CompiledQuery`` has the ORM build and compile the queryset
once per thread and database, with stand-in values, notes where those values
sit among the statement's parameters, and from then on only binds the new
values, runs the SQL and makes the instances as Django's own iterator does
(with select_related, deferred fields and the fields' converters). The
queryset is still written with the ORM (``published()`` stays the one rule of
what readers may see); only its compilation is kept.

A shape whose stand-ins cannot all be found among the parameters (a value
inlined into the SQL, or folded away) is refused when it is first compiled,
never run wrong.
"""

import threading
from datetime import datetime, timedelta, timezone

from django.db import connections, router
from django.db.models.query import get_related_populators
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI

_BASE_TIME = datetime(1971, 2, 3, 4, 5, 6, 789012, tzinfo=timezone.utc)


class CompiledQuery:
    """``build(**values)`` returns a QuerySet; ``fields`` names, for each value, the model field that types it.

        related = CompiledQuery(
            lambda now, category, pk: Article.objects.published(now).filter(category_id=category).exclude(pk=pk),
            now=Article._meta.get_field("publish_at"), category=Article._meta.get_field("category"),
            pk=Article._meta.get_field("id"),
        )
        related.run(limit=4, now=timezone.now(), category=3, pk=10)   # a list of Articles
        related.count(now=timezone.now(), category=3, pk=10)          # how many there are

    A value may be a list (for ``__in``): each length is a shape of its own, compiled once.
    ``counted_by``, a second builder taking the same values, is what ``count`` counts instead: the
    same rows in a form the database counts faster (a test holds the two to the same counts).
    """

    def __init__(self, build, counted_by=None, **fields):
        self.build, self.counted_by, self.fields = build, counted_by, fields
        self._local = threading.local()
        self._model = None

    def run(self, limit=None, **values):
        """The queryset's rows for these values (the first ``limit`` of them), as model instances (a list)."""
        state = self._state("rows", limit, values)
        compiler = state.compiler
        params = self._params(state, values)
        compiler.as_sql = lambda *args, **kwargs: (state.sql, params)
        results = compiler.execute_sql(MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE)
        objects = []
        for row in compiler.results_iter(results):
            obj = state.model.from_db(state.alias, state.init_list, row[state.start:state.end])
            for populator in state.populators:
                populator.populate(row, obj)
            for name, position in state.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def count(self, **values):
        """How many rows the queryset has for these values (what its ``count()`` says)."""
        state = self._state("count", None, values)
        with state.compiler.connection.cursor() as cursor:
            cursor.execute(state.sql, self._params(state, values))
            return cursor.fetchone()[0]

    def _params(self, state, values):
        params = list(state.params)
        connection = state.compiler.connection
        for position, name, index in state.positions:
            value = values[name] if index is None else values[name][index]
            params[position] = _prepared(self.fields[name], value, connection)
        return tuple(params)

    def _state(self, kind, limit, values):
        """This thread's compiled statement of this kind and shape, on the database the router reads the model from."""
        if values.keys() != self.fields.keys():
            raise TypeError(f"values for {sorted(self.fields)} are needed, {sorted(values)} were given")
        # In the fields' order, whatever order the values were given in.
        shape = tuple(len(values[name]) if isinstance(values[name], (list, tuple)) else None for name in self.fields)
        if self._model is None:
            self._model = self.build(**self._stand_ins(shape)).model
        alias = router.db_for_read(self._model)
        key = (alias, kind, limit, shape)
        states = self._local.__dict__.setdefault("states", {})
        state = states.get(key)
        if state is None or state.compiler.connection is not connections[alias]:
            state = states[key] = self._compile(kind, limit, shape, alias)
        return state

    def _stand_ins(self, shape):
        """A distinct value of the right type for each field (a list of them for a list): what the compiled
        parameters are searched for."""
        values, number = {}, 0
        for (name, field), length in zip(self.fields.items(), shape):
            made = []
            for _ in range(1 if length is None else length):
                number += 1
                made.append(_stand_in(name, field, number))
            values[name] = made[0] if length is None else made
        return values

    def _compile(self, kind, limit, shape, alias):
        stand_ins = self._stand_ins(shape)
        queryset = (self.counted_by if kind == "count" and self.counted_by else self.build)(**stand_ins)
        if kind == "count":
            queryset = queryset.order_by().values_list("pk")
        elif limit is not None:
            queryset = queryset[:limit]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = []
        for name, value in stand_ins.items():
            for index, one in enumerate(value) if isinstance(value, list) else [(None, value)]:
                wanted = _prepared(self.fields[name], one, compiler.connection)
                found = [i for i, param in enumerate(params) if param == wanted]
                if not found:
                    raise ValueError(f"{name}'s value is not a parameter of this query's SQL: it cannot be compiled once")
                positions += [(i, name, index) for i in found]
        if kind == "count":
            # What Django itself does to count a query it cannot count directly.
            return _State(alias=alias, compiler=compiler, sql=f"SELECT COUNT(*) FROM ({sql}) counted",
                          params=tuple(params), positions=positions)
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _State(
            alias=alias, compiler=compiler, sql=sql, params=tuple(params), positions=positions,
            model=klass_info["model"], init_list=[f[0].target.attname for f in select[start:end]], start=start, end=end,
            populators=get_related_populators(klass_info, select, alias),
            annotations=list(compiler.annotation_col_map.items()),
        )


def _stand_in(name, field, number):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _BASE_TIME + timedelta(days=number)
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField", "ForeignKey",
                "SmallIntegerField"):
        return -917_000_000 - number
    if kind in ("CharField", "SlugField", "TextField"):
        return f"\x1estand-in {number} for {name}\x1e"
    raise TypeError(f"no stand-in for {name}, a {kind}")


class _State:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def _prepared(field, value, connection):
    """``value`` as a lookup on ``field`` hands it to the database driver."""
    target = field.target_field if field.is_relation else field
    return target.get_db_prep_value(target.get_prep_value(value), connection, prepared=True)


def latest_of_each(parts, limit):
    """{key: [pk, ...]}: the first ``limit`` ids of each (key, queryset) in ``parts``, in one statement.

    A UNION of one small LIMITed query per part lets the database walk an index for each and stop,
    instead of sorting every row of all of them together. Django will not put LIMIT inside a UNION
    on SQLite; wrapping each part in a derived table is valid SQL on SQLite and PostgreSQL alike.
    A UNION's rows come in no set order: callers sort what they read.
    """
    found = {key: [] for key, _ in parts}
    if not parts:
        return found
    keyed = [(key, queryset.values_list("pk", flat=True)[:limit].query.sql_with_params()) for key, queryset in parts]
    sql = " UNION ALL ".join(f"SELECT {i} AS part, pk FROM ({part_sql}) AS part{i}"
                             for i, (_, (part_sql, _)) in enumerate(keyed))
    with connections[router.db_for_read(parts[0][1].model)].cursor() as cursor:
        cursor.execute(sql, [param for _, (_, params) in keyed for param in params])
        rows = cursor.fetchall()
    keys = [key for key, _ in keyed]
    for part, pk in rows:
        found[keys[part]].append(pk)
    return found
