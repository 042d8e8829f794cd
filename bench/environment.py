"""Where a benchmark runs: a throw-away PostgreSQL database, Django set up for it, the machine.

Shared by bench/run.py, bench/throughput.py and bench/background.py.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# A name of your own, so that two people can bench on one server: BENCH_DB=…
BENCH_DB = os.environ.get("BENCH_DB") or "dealdesk_bench"


class BenchError(Exception):
    """Something is broken (not merely slow): the run fails."""


def bench_database_url(name: str = BENCH_DB) -> str:
    return f"{PG_SERVER}/{name}"


def recreate_database(name: str) -> str:
    """Drop and create the database `name` on PG_SERVER; return its URL."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise BenchError(f"cannot (re)create {name} on {PG_SERVER}: {error}") from error
    return bench_database_url(name)


def start_django(database: str, settings: dict[str, str], unset: tuple[str, ...] = ()) -> str:
    """Point settings.py at the database, set it up in-process; return a note on the database.

    DATABASE_URL from the environment wins (and is added to); otherwise `database` is
    dropped and created. DEBUG=1 and plain static files (no SECRET_KEY, no collectstatic),
    then `settings` on top and the variables in `unset` removed.
    """
    if os.environ.get("DATABASE_URL"):
        note = "DATABASE_URL from the environment"
    else:
        os.environ["DATABASE_URL"] = recreate_database(database)
        note = f"fresh database {database} (dropped and created)"
    os.environ.update(DEBUG="1", STATIC_MANIFEST="0", **settings)
    for name in unset:
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return note


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
