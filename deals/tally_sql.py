"""The SQL that keeps the tallies (deals.models.tally): triggers for PostgreSQL and SQLite,
the recount from scratch, and the compaction.

Each tally row is written by one INSERT … SELECT, the same for a trigger (+1 for what a
row now counts as, -1 for what it counted as) and for the recount, so the two cannot
disagree (a concern's trigger, which counts a deal held or no longer held, compares the
deal with and without that concern: concern_row). Migration 0014 installs the triggers;
`manage.py deals_tallies` recounts or compacts. Days are UTC days (PostgreSQL's
connections run in UTC; SQLite stores UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction


@dataclass(frozen=True)
class Dialect:
    vendor: str
    false: str

    def day(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"({column} AT TIME ZONE 'UTC')::date"
        return f"date({column})"


PG = Dialect("postgresql", "FALSE")
SQLITE = Dialect("sqlite", "0")
DIALECTS = {"postgresql": PG, "sqlite": SQLITE}


KEYED = "sponsor_id, owner_id"


def keyed(d: str) -> str:
    """The sponsor and owner columns of a tally row for the deal `d`: set only when the
    deal is confidential (deals.models.tally.ConfidentialKey)."""
    return ", ".join(
        f"CASE WHEN {d}.confidential THEN {d}.{column} END" for column in KEYED.split(", ")
    )


def deal_row(sql: Dialect, r: str, sign: str, source: str = "") -> str:
    """What the deal `r` counts as: one current deal of its stage, currency,
    confidentiality (and sponsor and owner, if confidential) and day in the stage, with
    its value and weekly cost of delay."""
    return (
        f"INSERT INTO deals_stagetally (stage, currency, confidential, {KEYED}, day, deals, "
        f"value, cost) SELECT {r}.stage, {r}.currency, {r}.confidential, {keyed(r)}, "
        f"{sql.day(r + '.stage_changed_at')}, "
        f"{sign}1, {sign}{r}.contract_value, {sign}{r}.weekly_cost_of_delay {source} "
        f"WHERE {r}.archived_at IS NULL"
    )


def review_row(sql: Dialect, r: str, d: str, sign: str, source: str, join: str) -> str:
    """What the review `r` of the deal `d` counts as: its department, the deal's
    confidentiality (sponsor and owner), its due date, pending or not, answered or not,
    answered late or not."""
    late = f"COALESCE({sql.day(r + '.decided_at')} > {r}.due_on, {sql.false})"
    return (
        f"INSERT INTO deals_reviewtally (department_id, confidential, {KEYED}, due_on, "
        "still_pending, answered, answered_late, reviews) "
        f"SELECT {r}.department_id, {d}.confidential, {keyed(d)}, "
        f"{r}.due_on, {r}.status = 'pending', {r}.decided_at IS NOT NULL, {late}, {sign}1 "
        f"{source} WHERE {d}.archived_at IS NULL AND {join}"
    )


def move_row(sql: Dialect, m: str, d: str, sign: str, source: str, join: str) -> str:
    """What the stage change `m` of the deal `d` counts as: a move on its day, between its
    stages, of the deal's current value in its currency."""
    return (
        "INSERT INTO deals_movetally (day, from_stage, to_stage, currency, confidential, "
        f"{KEYED}, moves, value) SELECT {sql.day(m + '.at')}, {m}.from_stage, {m}.to_stage, "
        f"{d}.currency, {d}.confidential, {keyed(d)}, {sign}1, {sign}{d}.contract_value {source} "
        f"WHERE {d}.archived_at IS NULL AND {join}"
    )


def held(d: str, besides: str | None = None) -> str:
    """Whether the deal `d` has an open blocking concern (as this statement sees them),
    leaving out the concern `besides` if given."""
    other = f" AND c.id <> {besides}.id" if besides else ""
    return (
        "EXISTS (SELECT 1 FROM stakeholders_concern c WHERE c.deal_id = "
        f"{d}.id AND c.blocking AND c.resolved_at IS NULL{other})"
    )


def block_row(sql: Dialect, d: str, sign: str, source: str = "") -> str:
    """What the deal `d` counts as among the held deals: one of its stage, currency and
    confidentiality (sponsor and owner), if current and held by a blocking concern."""
    return (
        f"INSERT INTO deals_blocktally (stage, currency, confidential, {KEYED}, deals) "
        f"SELECT {d}.stage, {d}.currency, {d}.confidential, {keyed(d)}, {sign}1 {source} "
        f"WHERE {d}.archived_at IS NULL AND {held(d)}"
    )


def concern_row(sql: Dialect, deal_id: str, me: str, old: str | None) -> str:
    """After a concern `me` changed (`old`: what it was, None when inserted): +1 for the
    deal `deal_id` if it is held now and was not before, -1 if it was and is not now.
    Before = another open blocking concern of the deal, or the old row was one."""
    was_open = (
        f"({old}.deal_id = d.id AND {old}.blocking AND {old}.resolved_at IS NULL)"
        if old
        else sql.false
    )
    before, after = f"({held('d', besides=me)} OR {was_open})", f"({held('d')})"
    return (
        f"INSERT INTO deals_blocktally (stage, currency, confidential, {KEYED}, deals) "
        f"SELECT d.stage, d.currency, d.confidential, {keyed('d')}, "
        f"CASE WHEN {after} THEN 1 ELSE -1 END FROM deals_deal d "
        f"WHERE d.id = {deal_id} AND d.archived_at IS NULL AND {before} <> {after}"
    )


DEAL_COLUMNS = (
    "stage",
    "currency",
    "confidential",
    "stage_changed_at",
    "contract_value",
    "weekly_cost_of_delay",
    "archived_at",
    "sponsor_id",
    "owner_id",
)
REVIEW_COLUMNS = ("deal_id", "department_id", "due_on", "status", "decided_at")
CONCERN_COLUMNS = ("deal_id", "blocking", "resolved_at")
MOVE_COLUMNS = ("deal_id", "from_stage", "to_stage", "at")


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _deal_statements(sql: Dialect, distinct: str) -> tuple[list[str], str, list[str], str]:
    """For a changed deal: its reviews and its moves, counted again under the old and the
    new deal, and when each must be (its confidentiality, sponsor, owner or currentness
    changed; for the moves, also its value or currency)."""
    current = f"(OLD.archived_at IS NULL) {distinct} (NEW.archived_at IS NULL)"
    reviews_move = " OR ".join(
        [
            *(f"OLD.{c} {distinct} NEW.{c}" for c in ("confidential", "sponsor_id", "owner_id")),
            current,
        ]
    )
    moves_move = (
        f"{reviews_move} OR OLD.contract_value {distinct} NEW.contract_value "
        f"OR OLD.currency {distinct} NEW.currency"
    )
    reviews = [
        review_row(sql, "r", d, sign, "FROM stakeholders_review r", f"r.deal_id = {d}.id")
        for d, sign in (("OLD", "-"), ("NEW", ""))
    ]
    moves = [
        move_row(sql, "m", d, sign, "FROM deals_stagechange m", f"m.deal_id = {d}.id")
        for d, sign in (("OLD", "-"), ("NEW", ""))
    ]
    return reviews, reviews_move, moves, moves_move


def _under(sql: Dialect, row) -> list[str]:
    """The -1 (OLD) and +1 (NEW) statements for a review or move row and its deal `d`."""
    return [
        row(sql, side, "d", sign, "FROM deals_deal d", f"d.id = {side}.deal_id")
        for side, sign in (("OLD", "-"), ("NEW", ""))
    ]


def _pg() -> list[str]:
    sql = PG
    reviews, reviews_move, moves, moves_move = _deal_statements(sql, "IS DISTINCT FROM")
    review_old, review_new = _under(sql, review_row)
    move_old, move_new = _under(sql, move_row)
    functions = {
        "deals_tally_deal": f"""
          IF TG_OP <> 'INSERT' THEN {deal_row(sql, "OLD", "-")}; {block_row(sql, "OLD", "-")};
          END IF;
          IF TG_OP <> 'DELETE' THEN {deal_row(sql, "NEW", "")}; {block_row(sql, "NEW", "")};
          END IF;
          IF TG_OP = 'UPDATE' AND ({reviews_move}) THEN {reviews[0]}; {reviews[1]}; END IF;
          IF TG_OP = 'UPDATE' AND ({moves_move}) THEN {moves[0]}; {moves[1]}; END IF;""",
        "deals_tally_review": f"""
          IF TG_OP <> 'INSERT' THEN {review_old}; END IF;
          IF TG_OP <> 'DELETE' THEN {review_new}; END IF;""",
        "deals_tally_move": f"""
          IF TG_OP <> 'INSERT' THEN {move_old}; END IF;
          IF TG_OP <> 'DELETE' THEN {move_new}; END IF;""",
        # One concern's change at a time per deal: its deal row is locked first (as the
        # deal's writers lock it), so two concerns opened at once on a held-free deal
        # cannot both count it, and each statement after the lock sees the other's.
        "deals_tally_concern": f"""
          IF TG_OP = 'INSERT' THEN
            PERFORM 1 FROM deals_deal WHERE id = NEW.deal_id FOR NO KEY UPDATE;
            {concern_row(sql, "NEW.deal_id", "NEW", None)};
          ELSIF TG_OP = 'DELETE' THEN
            PERFORM 1 FROM deals_deal WHERE id = OLD.deal_id FOR NO KEY UPDATE;
            {concern_row(sql, "OLD.deal_id", "OLD", "OLD")};
          ELSE
            PERFORM 1 FROM deals_deal WHERE id IN (OLD.deal_id, NEW.deal_id)
              ORDER BY id FOR NO KEY UPDATE;
            {concern_row(sql, "NEW.deal_id", "NEW", "OLD")};
            IF OLD.deal_id <> NEW.deal_id THEN
              {concern_row(sql, "OLD.deal_id", "NEW", "OLD")};
            END IF;
          END IF;""",
    }
    statements = [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
        for name, body in functions.items()
    ]
    for table, function, columns in (
        ("deals_deal", "deals_tally_deal", DEAL_COLUMNS),
        ("stakeholders_review", "deals_tally_review", REVIEW_COLUMNS),
        ("deals_stagechange", "deals_tally_move", MOVE_COLUMNS),
        ("stakeholders_concern", "deals_tally_concern", CONCERN_COLUMNS),
    ):
        statements += [
            f"CREATE TRIGGER {function}_row AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {function}_change AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, 'IS DISTINCT FROM')}) EXECUTE FUNCTION {function}()",
        ]
    return statements


def _sqlite() -> list[str]:
    sql = SQLITE
    reviews, reviews_move, moves, moves_move = _deal_statements(sql, "IS NOT")
    review_old, review_new = _under(sql, review_row)
    move_old, move_new = _under(sql, move_row)
    deal_change = [
        deal_row(sql, "OLD", "-"),
        deal_row(sql, "NEW", ""),
        block_row(sql, "OLD", "-"),
        block_row(sql, "NEW", ""),
        *(f"{s} AND ({reviews_move})" for s in reviews),
        *(f"{s} AND ({moves_move})" for s in moves),
    ]
    triggers = {
        ("deal_insert", "INSERT ON deals_deal"): [
            deal_row(sql, "NEW", ""),
            block_row(sql, "NEW", ""),
        ],
        ("deal_delete", "DELETE ON deals_deal"): [
            deal_row(sql, "OLD", "-"),
            block_row(sql, "OLD", "-"),
        ],
        ("deal_change", f"UPDATE ON deals_deal WHEN {_changed(DEAL_COLUMNS, 'IS NOT')}"): (
            deal_change
        ),
        ("review_insert", "INSERT ON stakeholders_review"): [review_new],
        ("review_delete", "DELETE ON stakeholders_review"): [review_old],
        (
            "review_change",
            f"UPDATE ON stakeholders_review WHEN {_changed(REVIEW_COLUMNS, 'IS NOT')}",
        ): [review_old, review_new],
        ("move_insert", "INSERT ON deals_stagechange"): [move_new],
        ("move_delete", "DELETE ON deals_stagechange"): [move_old],
        (
            "move_change",
            f"UPDATE ON deals_stagechange WHEN {_changed(MOVE_COLUMNS, 'IS NOT')}",
        ): [move_old, move_new],
        # SQLite has one writer at a time: no lock needed.
        ("concern_insert", "INSERT ON stakeholders_concern"): [
            concern_row(sql, "NEW.deal_id", "NEW", None)
        ],
        ("concern_delete", "DELETE ON stakeholders_concern"): [
            concern_row(sql, "OLD.deal_id", "OLD", "OLD")
        ],
        (
            "concern_change",
            f"UPDATE ON stakeholders_concern WHEN {_changed(CONCERN_COLUMNS, 'IS NOT')}",
        ): [
            concern_row(sql, "NEW.deal_id", "NEW", "OLD"),
            concern_row(sql, "OLD.deal_id", "NEW", "OLD") + " AND OLD.deal_id <> NEW.deal_id",
        ],
    }
    return [
        f"CREATE TRIGGER deals_tally_{name} AFTER {event} BEGIN "
        + " ".join(f"{s};" for s in body)
        + " END"
        for (name, event), body in triggers.items()
    ]


SQLITE_TRIGGERS = [
    f"deals_tally_{kind}_{event}"
    for kind in ("deal", "review", "move", "concern")
    for event in ("insert", "delete", "change")
]


def install_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg, "sqlite": _sqlite}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"No tally triggers for {vendor}")
    for statement in statements():
        schema_editor.execute(statement)


def drop_triggers(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for function in (
            "deals_tally_deal",
            "deals_tally_review",
            "deals_tally_move",
            "deals_tally_concern",
        ):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    else:
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(using_connection=None) -> None:
    """Recount every tally from the deals, reviews and stage changes, with the triggers'
    own statements, then compact. On PostgreSQL the tallies are locked first: writers
    wait (their triggers' inserts) until the recount commits, so no change is counted
    twice or missed."""
    conn = using_connection or connection
    sql = DIALECTS[conn.vendor]
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if sql is PG:
            cursor.execute(
                "LOCK TABLE deals_stagetally, deals_reviewtally, deals_movetally, "
                "deals_blocktally IN EXCLUSIVE MODE"
            )
        for table in (
            "deals_stagetally",
            "deals_reviewtally",
            "deals_movetally",
            "deals_blocktally",
        ):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(deal_row(sql, "d", "", "FROM deals_deal d"))
        cursor.execute(block_row(sql, "d", "", "FROM deals_deal d"))
        cursor.execute(
            review_row(
                sql, "r", "d", "", "FROM stakeholders_review r, deals_deal d", "d.id = r.deal_id"
            )
        )
        cursor.execute(
            move_row(
                sql, "m", "d", "", "FROM deals_stagechange m, deals_deal d", "d.id = m.deal_id"
            )
        )
    from .models.tally import TALLIES

    compact(conn, models=TALLIES)


def tallies() -> list:
    """Every tally model (those with a KEY and SUMS): the dashboard's, analytics'."""
    return [m for m in apps.get_models() if hasattr(m, "KEY") and hasattr(m, "SUMS")]


def compact(using_connection=None, models=None) -> int:
    """Fold each tally into one row per key (rows summing to nothing go). Returns the
    rows left. Safe beside writers: on PostgreSQL one statement deletes and re-inserts
    what its snapshot saw, so a row committed meanwhile is neither lost nor counted
    twice; SQLite has one writer at a time."""
    conn = using_connection or connection
    left = 0
    for model in models or tallies():
        table = model._meta.db_table
        key = ", ".join(model.KEY)
        sums = ", ".join(f"SUM({name})" for name in model.SUMS)
        # A key whose counts sum to zero counts nothing (its money sums to zero too).
        having = f"SUM({model.SUMS[0]}) <> 0"
        columns = f"{key}, {', '.join(model.SUMS)}"
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(
                    f"WITH gone AS (DELETE FROM {table} RETURNING *) "
                    f"INSERT INTO {table} ({columns}) "
                    f"SELECT {key}, {sums} FROM gone GROUP BY {key} HAVING {having}"
                )
            else:
                cursor.execute(f"SELECT MAX(id) FROM {table}")
                (last,) = cursor.fetchone()
                if last is None:
                    continue
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {key}, {sums} FROM {table} "
                    f"WHERE id <= %s GROUP BY {key} HAVING {having}",
                    [last],
                )
                cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last])
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            left += cursor.fetchone()[0]
    return left


# How many times the pages its rows need (some twenty a page, at least one) a tally may
# hold before it is reclaimed: one left by a bulk load holds a few rows on thousands of
# empty pages, which every read that scans it still reads.
BLOATED_PAGES = 4


def reclaim(using_connection=None, models=None) -> list[str]:
    """PostgreSQL, outside a transaction: VACUUM the tallies that hold far more pages
    than rows, so that the pages compact() emptied are given back. Returns their tables.

    Autovacuum does not: it finds few dead rows on a big table and skips the index pass,
    and a table whose dead rows are still indexed is never truncated. compact() writes
    the folded rows where free space was recorded, so after a bulk load the second
    compact() and reclaim() (the beat task's next minute) leave a table of a few pages.
    Only a bloated tally is vacuumed, not every minute's: giving back its empty end holds
    an exclusive lock on it for a moment, as autovacuum's truncation does.
    """
    conn = using_connection or connection
    if conn.vendor != "postgresql" or conn.in_atomic_block:
        return []
    done = []
    with conn.cursor() as cursor:
        for model in models or tallies():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT pg_relation_size(%s) / current_setting('block_size')::int, "
                f"(SELECT COUNT(*) FROM {table})",
                [table],
            )
            pages, rows = cursor.fetchone()
            if pages > BLOATED_PAGES * (rows // 20 + 1):
                cursor.execute(f"VACUUM (INDEX_CLEANUP ON) {table}")
                done.append(table)
    return done
