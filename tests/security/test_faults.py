"""Faults: the database connection dies mid-request; nothing half-written survives."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Deal, StageChange

pytestmark = pytest.mark.django_db(transaction=True)

KILL_ON_AUDIT = """
CREATE OR REPLACE FUNCTION dealdesk_test_kill() RETURNS trigger AS $$
BEGIN
  PERFORM pg_terminate_backend(pg_backend_pid());
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER dealdesk_test_kill BEFORE INSERT ON deals_auditevent
  FOR EACH ROW EXECUTE FUNCTION dealdesk_test_kill();
"""
REMOVE = "DROP TRIGGER IF EXISTS dealdesk_test_kill ON deals_auditevent; DROP FUNCTION IF EXISTS dealdesk_test_kill();"


@pytest.fixture
def connection_dies_on_audit():
    """The server drops the connection when the request writes its audit event, after its other writes."""
    if connection.vendor != "postgresql":
        pytest.skip("the connection drop is staged with a PostgreSQL trigger (CI runs it there)")
    with connection.cursor() as cursor:
        cursor.execute(KILL_ON_AUDIT)
    yield
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(REMOVE)


def test_a_dropped_connection_mid_request_leaves_no_half_written_deal(
    personas, partnership, connection_dies_on_audit
):
    client = Client(raise_request_exception=False)
    client.force_login(personas.owner)
    data = {
        "partnership": partnership.pk,
        "title": "Half-written deal",
        "summary": "Should not survive.",
        "owner": personas.owner.pk,
        "sponsor": personas.executive.pk,
        "contract_value": "100",
        "currency": "EUR",
        "expected_annual_value": "10",
        "term_months": "12",
        "target_signature_date": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
    }
    response = client.post(reverse("deal_create"), data)

    assert response.status_code == 500
    assert "Nothing you sent was half-saved" in response.content.decode()
    connection.close()
    assert not Deal.objects.filter(title="Half-written deal").exists()
    assert not StageChange.objects.filter(deal__title="Half-written deal").exists()
    assert not AuditEvent.objects.exists()


def test_a_dropped_connection_while_moving_a_deal_keeps_the_old_stage(
    personas, deal, connection_dies_on_audit
):
    client = Client(raise_request_exception=False)
    client.force_login(personas.owner)
    response = client.post(reverse("deal_advance", args=[deal.pk]), {"to_stage": "business_case"})
    assert response.status_code == 500
    connection.close()
    deal.refresh_from_db()
    assert deal.stage == "intake"
    assert deal.stage_changes.count() == 1
