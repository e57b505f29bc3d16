"""Reading and inserting model rows by hand-written SQL on a hot path (the door: ``checkin.services.redeem``,
``core.services.token_authenticate``).

The ORM's per-query work — compiling the query, mapping columns to fields, looking up each field's
converters — cost more than the database's own work for the one-row reads and the one insert of a check-in
(bench/bench_checkin.py, docs/performance.md). Here that work is done once per model, column list and
database vendor, and kept:

    GUEST = Rows(Guest)                                   # every concrete field
    guest = GUEST.one("WHERE g.id = %s", [pk], alias="g")  # a Guest, fields converted as the ORM would
    USER = Rows(User, ["id", "username", "is_active"])     # only these; any other field loads if touched

    row = Scan(event_id=…, guest_id=…, result=…)
    insert(row)                                          # INSERT … RETURNING id; row.pk set

Values go through the same converters as the ORM's (``connection.ops.get_db_converters`` and the field's
own), so a datetime is aware, a JSON field decoded, a UUID a ``uuid.UUID``. ``insert`` runs the fields'
``pre_save`` and ``get_db_prep_save`` as ``Model.save`` does; it sends no signals (the models it serves
have none) and needs ``RETURNING`` (SQLite ≥ 3.35, PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
N = TypeVar("N", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


def quoted(model: type[models.Model]) -> str:
    """The model's table name, quoted for the database in use."""
    return str(connection.ops.quote_name(model._meta.db_table))


class Rows(Generic[M]):
    """A column list of ``model`` read by hand-written SQL; see the module's docstring."""

    def __init__(self, model: type[M], fields: Iterable[str] | None = None) -> None:
        self.model = model
        concrete = list(model._meta.concrete_fields)
        wanted = set(fields) if fields is not None else None
        # In the model's field order: ``Model.from_db`` fills the missing ones as deferred.
        self.fields = [f for f in concrete if wanted is None or f.name in wanted or f.attname in wanted]
        self.complete = len(self.fields) == len(concrete)
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[Any, list[Converter]]]] = {}
        self._columns: dict[tuple[str, str], str] = {}

    def columns(self, alias: str = "") -> str:
        """The select list: ``g.id, g.name, …`` (``alias`` is the table's alias in the SQL)."""
        key = (connection.vendor, alias)
        found = self._columns.get(key)
        if found is None:
            prefix = f"{alias}." if alias else ""
            quote = connection.ops.quote_name
            found = self._columns[key] = ", ".join(prefix + quote(f.column) for f in self.fields)
        return found

    def converters(self) -> list[tuple[Any, list[Converter]]]:
        """Per field, its column expression and its converters (the backend's, then the field's)."""
        found = self._converters.get(connection.vendor)
        if found is None:
            table = self.model._meta.db_table
            found = []
            for f in self.fields:
                col = f.get_col(table)
                own = f.get_db_converters(connection)  # type: ignore[attr-defined]
                found.append((col, [*connection.ops.get_db_converters(col), *own]))
            self._converters[connection.vendor] = found
        return found

    def build(self, values: Sequence[Any]) -> M:
        """A model instance of the first ``len(self.fields)`` values of a row, converted."""
        out = []
        for (col, convs), value in zip(self.converters(), values, strict=False):
            for conv in convs:
                value = conv(value, col, connection)
            out.append(value)
        if self.complete:
            return self.model.from_db(connection.alias, None, out)  # type: ignore[arg-type]
        return self.model.from_db(connection.alias, self.attnames, out)

    def one(
        self, tail: str, params: Sequence[Any], *, alias: str = "t", extra: str = ""
    ) -> tuple[M, tuple[Any, ...]] | None:
        """``SELECT <columns>[, extra] FROM <table> <alias> <tail>``: the first row as an instance and the
        values of ``extra`` (a select list of further columns, e.g. from a join), or None."""
        sql = f"SELECT {self.columns(alias)}{', ' + extra if extra else ''} FROM {quoted(self.model)} {alias} {tail}"
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            row = cursor.fetchone()
        if row is None:
            return None
        n = len(self.fields)
        return self.build(row[:n]), tuple(row[n:])


_INSERTS: dict[tuple[type[models.Model], tuple[str, ...], str, bool], str] = {}


def insert(obj: N, *, skip: bool = False) -> N | None:
    """``INSERT`` one new row of ``obj`` (its primary key generated by the database) and set its pk.

    With ``skip``, a row that a unique constraint refuses is not inserted (``ON CONFLICT DO NOTHING``,
    any constraint, partial ones included) and None is returned: no ``IntegrityError``, so no savepoint is
    needed around it, and on PostgreSQL the transaction goes on."""
    meta = obj._meta
    fields = [
        f for f in meta.local_concrete_fields if not (f.primary_key and getattr(obj, f.attname) is None)
    ]
    key = (type(obj), tuple(f.attname for f in fields), connection.vendor, skip)
    sql = _INSERTS.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quoted(type(obj))} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}){' ON CONFLICT DO NOTHING' if skip else ''} "
            f"RETURNING {quote(meta.pk.column)}"
        )
        _INSERTS[key] = sql
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    (pk,) = row
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_many(objs: Sequence[N], *, batch_size: int = 500) -> list[N]:
    """``INSERT`` new rows of one model in batches, each ``RETURNING`` its ids in order, and set the objects'
    pks: ``bulk_create`` without the per-value work of the ORM's compiler (the fields' ``get_db_prep_save``
    only — the models it serves have no ``auto_now`` fields). On PostgreSQL a batch is one ``UNNEST`` of a
    column array each (as Django's own bulk insert plans it, with 14 parameters instead of 14 per row:
    the driver's parsing of thousands of placeholders cost more than the insert); elsewhere multi-row
    ``VALUES`` within the database's limit of parameters."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = f"INSERT INTO {quoted(model)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = f" RETURNING {quote(meta.pk.column)}"
    prepared = [(f.attname, f.get_db_prep_save) for f in fields]
    unnest = connection.vendor == "postgresql"
    if unnest:
        types = [str(f.db_type(connection)).split("(")[0] for f in fields]
        sql = columns + f"SELECT * FROM UNNEST({', '.join(f'(%s)::{t}[]' for t in types)})" + tail
        batch_size = 5_000
    else:
        one = f"({', '.join(['%s'] * len(fields))})"
        batch_size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))  # the limit
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            if unnest:
                params: list[Any] = [
                    [prep(getattr(obj, attname), connection) for obj in batch] for attname, prep in prepared
                ]
                cursor.execute(sql, params)
            else:
                params = []
                for obj in batch:
                    params.extend(prep(getattr(obj, attname), connection) for attname, prep in prepared)
                cursor.execute(columns + "VALUES " + ", ".join([one] * len(batch)) + tail, params)
            pks = [row[0] for row in cursor.fetchall()]
            if len(pks) != len(batch):
                raise RuntimeError("insert_many: the database returned fewer ids than rows")
            for obj, pk in zip(batch, pks, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    return list(objs)
