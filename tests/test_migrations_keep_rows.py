"""The rooms moved (AuditEvent to core, the outbox to notifications, a review's
decision_text renamed verdict_text) without copying a row: a database at the last
migrations of the layout before, holding the demo data, migrates forward and keeps
every row of every table.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL in CI).
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import AuditEvent

# The leaf migrations of main before the layout changed (commit 9aaf77c).
BEFORE = [
    ("deals", "0008_deal_title_trigram"),
    ("stakeholders", "0005_review_open_inbox_partial_idx"),
    ("partnerships", "0003_partner_handles_customer_data"),
    ("metrics", "0001_initial"),
    ("core", None),
    ("notifications", None),
]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            # Apps born after the layout change have no tables in it: nothing to keep.
            if table == "django_migrations" or table.startswith("agreements_"):
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_database_of_the_old_layout_with_the_demo_data_keeps_every_row(capsys):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    call_command("seed_demo")
    capsys.readouterr()
    seeded = _row_counts()
    # Back to the layout before (the moves are state-only, the rename is in place) ...
    _migrate(BEFORE)
    before = _row_counts()
    # Tables added since that layout (the exchange rates of core 0002) are gone with it.
    assert before == {table: n for table, n in seeded.items() if table in before}
    assert before["deals_auditevent"] > 100
    assert before["stakeholders_review"] > 50
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "stakeholders_review")
        ]
    assert "decision_text" in columns

    # ... and forward again: every row of every table is still there.
    _migrate(latest)

    after = _row_counts()
    assert {table: n for table, n in after.items() if table in before} == before
    assert AuditEvent.objects.count() == before["deals_auditevent"]
    audit_type = ContentType.objects.get_for_model(AuditEvent)
    assert (audit_type.app_label, audit_type.model) == ("core", "auditevent")
    assert not ContentType.objects.filter(app_label="deals", model="auditevent").exists()


def test_moving_the_audit_trail_again_after_going_back_does_not_clash():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate([("deals", "0008_deal_title_trigram")])
    ContentType.objects.get_for_model(AuditEvent)  # e.g. a migrate command's post_migrate

    _migrate(latest)

    assert ContentType.objects.filter(model="auditevent", app_label="core").count() == 1
