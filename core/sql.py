"""Hot reads written as SQL, portable between PostgreSQL and SQLite.

Used where the ORM's building of a query costs more than the database's answer to it
(the dashboard's tallies, the exchange rates, the login backend): the SQL names tables
through `table` and takes its values as parameters; what comes back is read as the ORM
would have read it (SQLite gives money as a float, or an int when whole, and a date as
text).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection


def table(model) -> str:
    """A model's table, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str = "id") -> str:
    """A model's column, quoted and named with its table: for a subquery on the outer row."""
    return f"{table(model)}.{connection.ops.quote_name(name)}"


def fetch(parts: list) -> list[tuple]:
    """The rows of the parts, each SQL with its parameters or a query, in one UNION ALL."""
    sql, params = [], []
    for part in parts:
        text, values = part if isinstance(part, tuple) else part.query.sql_with_params()
        sql.append(text)
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        return cursor.fetchall()


def as_decimal(value, places: int = 2) -> Decimal:
    """An amount from the database, as a Decimal of `places` decimals."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def as_date(value) -> dt.date | None:
    """A date from the database: a date, a datetime (a truncation) or, on SQLite, text."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value
