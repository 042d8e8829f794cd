"""Waiting on whom now: every open deal that is being worked (not on hold, not archived)
waits on exactly one party, the first that applies:

1. **the sponsor** — the dashboard's and the digest's "waiting for your decision"
   (deals.selectors.waiting_for_decision): someone asked the sponsor to decide, or a
   department rejected the deal after the sponsor's last decision. This one applies to
   a deal on hold too (the sponsor may have to decide whether it goes on); the others
   only to deals being worked, so the figures of who is waited on count the sponsor's
   only among those (`stage` in ACTIVE_STAGES);
2. **a department** — one of its reviews is pending (asked, not answered). A deal
   waiting on several departments counts once here and once under each department in
   the per-department lines;
3. **the deal owner** — a department returned it with changes, or it is in Intake or
   Business case (the owner prepares it), or in Review with every verdict in (the
   owner moves it on);
4. **the partner** — in Negotiation or Approved with nothing above pending: the terms,
   then the signature, are with the partner.

The money at stake is the deals' weekly cost of delay (Deal.weekly_cost_of_delay, from
the business case: what a week's delay of going live costs), in the reporting currency.

The party is a column of the deal, `Deal.waiting_on`, kept by the database: the rules
below are SQL, run by triggers whenever a deal's stage or decision request, a review's
status (or answer time, or deal) or a sponsor's decision changes, in the same
transaction, on PostgreSQL and SQLite (on PostgreSQL a review's or decision's trigger
locks the deal's row first, as the deal's writers do; SQLite has one writer at a time). So "Where time goes", its drill-down, the
digest and the sponsor's decision list read a column instead of asking three questions
of every deal.
`recount()` sets every deal's party from scratch (migration 0016, `deals_tallies
--rebuild`).
"""

from __future__ import annotations

from django.db import connection

from .models import ACTIVE_STAGES, OPEN_STAGES, Stage

SPONSOR, DEPARTMENT, OWNER, PARTNER = "sponsor", "department", "owner", "partner"
PARTIES = {
    OWNER: "The deal owner",
    DEPARTMENT: "A department",
    PARTNER: "The partner",
    SPONSOR: "The sponsor",
}
OWNER_STAGES = (Stage.INTAKE, Stage.BUSINESS_CASE, Stage.REVIEW)
PARTNER_STAGES = (Stage.NEGOTIATION, Stage.APPROVED)


def _among(stages) -> str:
    return ", ".join(f"'{stage.value}'" for stage in stages)


def _has_review(d: str, status: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM stakeholders_review r "
        f"WHERE r.deal_id = {d}.id AND r.status = '{status}')"
    )


def party_of(d: str) -> str:
    """SQL: the party the deal `d` waits on (the rules above), NULL for nobody."""
    # Rejected after the sponsor's last decision: no decision at or after the verdict.
    rejected = (
        "EXISTS (SELECT 1 FROM stakeholders_review r WHERE r.deal_id = "
        f"{d}.id AND r.status = 'rejected' AND NOT EXISTS (SELECT 1 FROM deals_decision x "
        f"WHERE x.deal_id = {d}.id AND x.decided_at >= r.decided_at))"
    )
    return (
        f"CASE WHEN {d}.stage NOT IN ({_among(OPEN_STAGES)}) THEN NULL "
        f"WHEN {d}.decision_requested_at IS NOT NULL OR {rejected} THEN '{SPONSOR}' "
        f"WHEN {d}.stage NOT IN ({_among(ACTIVE_STAGES)}) THEN NULL "
        f"WHEN {_has_review(d, 'pending')} THEN '{DEPARTMENT}' "
        f"WHEN {_has_review(d, 'changes_requested')} "
        f"OR {d}.stage IN ({_among(OWNER_STAGES)}) THEN '{OWNER}' "
        f"WHEN {d}.stage IN ({_among(PARTNER_STAGES)}) THEN '{PARTNER}' END"
    )


def _set_parties(vendor: str, where: str = "1 = 1") -> str:
    """Set the party of the deals `where` selects, those whose party changed only (no
    row is written otherwise)."""
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    party = party_of("deals_deal")
    return (
        f"UPDATE deals_deal SET waiting_on = {party} WHERE {where} "
        f"AND waiting_on {distinct} ({party})"
    )


def _refresh(vendor: str, deal_id: str) -> str:
    return _set_parties(vendor, f"id = {deal_id}")


def _lock(deal_id: str) -> str:
    return f"PERFORM 1 FROM deals_deal WHERE id = {deal_id} FOR NO KEY UPDATE"


# The columns whose change may change a deal's party. (Every write of a deal row is
# recomputed: Django's save() sends back whatever party the instance last read.)
REVIEW_COLUMNS = ("deal_id", "status", "decided_at")
DECISION_COLUMNS = ("deal_id", "decided_at")


def install_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [
            # Every write of a deal row: what Django's save() sends back is recomputed.
            "CREATE OR REPLACE FUNCTION deals_waiting_deal() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN NEW.waiting_on := {party_of('NEW')}; RETURN NEW; END $$",
            "CREATE TRIGGER deals_waiting_deal BEFORE INSERT OR UPDATE ON deals_deal "
            "FOR EACH ROW EXECUTE FUNCTION deals_waiting_deal()",
            # The deal's row is locked first, as its writers lock it (Deal.objects.lock): a
            # party depends on the deal's other reviews, and two verdicts given at once
            # would each see the other's review still pending.
            "CREATE OR REPLACE FUNCTION deals_waiting_other() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN IF TG_OP <> 'INSERT' THEN "
            f"{_lock('OLD.deal_id')}; {_refresh(vendor, 'OLD.deal_id')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_lock('NEW.deal_id')}; "
            f"{_refresh(vendor, 'NEW.deal_id')}; END IF; RETURN NULL; END $$",
        ]
        for table, columns in (
            ("stakeholders_review", REVIEW_COLUMNS),
            ("deals_decision", DECISION_COLUMNS),
        ):
            changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
            statements += [
                f"CREATE TRIGGER deals_waiting_change AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({changed}) EXECUTE FUNCTION deals_waiting_other()",
                f"CREATE TRIGGER deals_waiting_row AFTER INSERT OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION deals_waiting_other()",
            ]
    elif vendor == "sqlite":
        # No BEFORE trigger may change the row in SQLite: the deal is set again after.
        statements = [
            "CREATE TRIGGER deals_waiting_deal_insert AFTER INSERT ON deals_deal "
            f"BEGIN {_refresh(vendor, 'NEW.id')}; END",
            "CREATE TRIGGER deals_waiting_deal_change AFTER UPDATE ON deals_deal "
            f"BEGIN {_refresh(vendor, 'NEW.id')}; END",
        ]
        for table, columns in (
            ("stakeholders_review", REVIEW_COLUMNS),
            ("deals_decision", DECISION_COLUMNS),
        ):
            name = f"deals_waiting_{table.split('_', 1)[1]}"
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            statements += [
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
                f"BEGIN {_refresh(vendor, 'NEW.deal_id')}; END",
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
                f"BEGIN {_refresh(vendor, 'OLD.deal_id')}; END",
                f"CREATE TRIGGER {name}_change AFTER UPDATE ON {table} WHEN {changed} "
                f"BEGIN {_refresh(vendor, 'OLD.deal_id')}; {_refresh(vendor, 'NEW.deal_id')}; END",
            ]
    else:
        raise NotImplementedError(f"No waiting-on triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for function in ("deals_waiting_deal", "deals_waiting_other"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
        return
    for name in ("deal", "review", "decision"):
        for event in ("insert", "delete", "change"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS deals_waiting_{name}_{event}")


def recount(using_connection=None) -> int:
    """Set every deal's party from the rules; returns how many were wrong."""
    conn = using_connection or connection
    with conn.cursor() as cursor:
        cursor.execute(_set_parties(conn.vendor))
        return cursor.rowcount
