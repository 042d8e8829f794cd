"""Fast inserts for bulk seeding: PostgreSQL's COPY, with bulk_create's meaning.

`insert(model, objs)` writes unsaved instances as bulk_create would (each field's
pre_save, so auto_now fields are stamped; primary keys set on the instances, foreign
keys read from related instances saved since), but through COPY with ids reserved from
the table's sequence: at 100,000 deals Django's bulk_create spends most of the seeding
time building the INSERT's parameters. Other databases get bulk_create.
`update(model, objs, fields)` is bulk_update the same way: COPY into a temporary table,
then one UPDATE … FROM.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from psycopg.types.json import Jsonb


def _fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.generated]


def _value(field: models.Field, obj):
    if field.is_relation and getattr(obj, field.attname) is None and field.is_cached(obj):
        related = field.get_cached_value(obj)
        if related is not None:
            setattr(obj, field.attname, related.pk)
    value = field.pre_save(obj, True)
    if isinstance(field, models.JSONField) and value is not None:
        return Jsonb(value)
    if isinstance(field, models.FileField):
        return value.name or ""  # FieldFile: its stored name, "" when empty
    return value


def insert(model, objs: Iterable[models.Model]) -> list[models.Model]:
    objs = list(objs)
    if connection.vendor != "postgresql" or not objs:
        return model.objects.bulk_create(objs, batch_size=5000)
    meta = model._meta
    fields = _fields(model)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_value(f, obj) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def update(model, objs: Iterable[models.Model], names: list[str]) -> None:
    objs = list(objs)
    if connection.vendor != "postgresql" or not objs:
        model.objects.bulk_update(objs, names, batch_size=1000)
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE seed_update ON COMMIT DROP AS "
            f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {table} LIMIT 0"
        )
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY seed_update ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([getattr(obj, f.attname) for f in fields])
        sets = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields[1:])
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM seed_update s "
            f"WHERE {table}.{quote(meta.pk.column)} = s.{quote(meta.pk.column)}"
        )
        cursor.execute("DROP TABLE seed_update")
