"""Intervals are written by the subscriber as the real services change things, and the
backfill rebuilds the same rows from the audit trail, once."""

from __future__ import annotations

import pytest

from analytics.backfill import backfill
from analytics.models import REASSIGNED, Interval, IntervalKind
from deals.models import Stage
from deals.services import deal_advance, deal_request_decision, decision_record, term_create
from stakeholders.services import review_give_verdict, review_reassign
from tests.factories import department

pytestmark = pytest.mark.django_db

SHAPE = ("kind", "deal_id", "stage", "department_id", "review_id", "round", "outcome", "actor_id")


def _shape(rows) -> list[tuple]:
    return sorted(
        tuple(getattr(row, name) for name in SHAPE) + (row.ended_at is None,) for row in rows
    )


def _life_of_a_deal(personas, deal):
    """Review → verdicts (one with changes) → reassignment → a term re-opens Legal's
    review → approvals → Negotiation → a decision asked for and recorded."""
    legal = deal.reviews.get(department__slug="legal")
    review_give_verdict(review=legal, user=personas.legal, verdict="approve")
    it = deal.reviews.get(department__slug="it")
    review_give_verdict(review=it, user=personas.it, verdict="request_changes", text="Exit plan")
    procurement = deal.reviews.get(department__slug="procurement")
    review_reassign(review=procurement, user=personas.procurement, reviewer=personas.procurement)
    review_give_verdict(review=procurement, user=personas.procurement, verdict="approve")
    term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Cap",
            "wording": "Twice the annual fee.",
            "department": department("legal"),
        },
    )
    legal.refresh_from_db()
    review_give_verdict(review=legal, user=personas.legal, verdict="approve")
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.NEGOTIATION)
    deal_request_decision(deal=deal, user=personas.owner, note="Accept the cap?")
    decision_record(
        deal=deal,
        user=personas.executive,
        data={"kind": "trade_off", "title": "Cap accepted", "rationale": "Fair."},
    )
    return deal


def test_the_services_write_one_interval_per_stay_wait_and_decision(personas, deal_in_review):
    deal = _life_of_a_deal(personas, deal_in_review)

    stages = Interval.objects.filter(deal=deal, kind=IntervalKind.STAGE).order_by("pk")
    assert [(i.stage, i.outcome, i.ended_at is None) for i in stages] == [
        ("review", "negotiation", False),
        ("negotiation", "", True),
    ]
    assert stages[0].actor == personas.owner and stages[0].days is not None

    legal = Interval.objects.filter(deal=deal, department__slug="legal").order_by("pk")
    assert [(i.round, i.outcome) for i in legal] == [(1, "approved"), (2, "approved")]
    assert {i.sla_days for i in legal} == {department("legal").review_sla_days}
    procurement = Interval.objects.filter(deal=deal, department__slug="procurement")
    assert sorted(i.outcome for i in procurement) == ["approved", REASSIGNED]
    assert {i.round for i in procurement} == {1}
    it = Interval.objects.get(deal=deal, department__slug="it")
    assert (it.outcome, it.actor) == ("changes_requested", personas.it)

    decision = Interval.objects.get(deal=deal, kind=IntervalKind.DECISION)
    assert (decision.outcome, decision.actor) == ("trade_off", personas.executive)
    assert decision.ended_at is not None


def test_the_backfill_reproduces_the_intervals_from_the_audit_trail(personas, deal_in_review):
    _life_of_a_deal(personas, deal_in_review)
    written = _shape(Interval.objects.all())
    started = sorted(Interval.objects.values_list("opened_by", "started_at", "ended_at"))

    Interval.objects.all().delete()
    result = backfill()

    assert result.created == len(written)
    assert _shape(Interval.objects.all()) == written
    assert sorted(Interval.objects.values_list("opened_by", "started_at", "ended_at")) == started


def test_the_backfill_is_idempotent_and_repairs_what_the_subscriber_missed(
    personas, deal_in_review
):
    _life_of_a_deal(personas, deal_in_review)
    count = Interval.objects.count()

    again = backfill()
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert Interval.objects.count() == count

    # A move the subscriber missed: Review left open, no Negotiation interval.
    Interval.objects.filter(kind=IntervalKind.STAGE, stage="negotiation").delete()
    closed = Interval.objects.get(kind=IntervalKind.STAGE, stage="review")
    Interval.objects.filter(pk=closed.pk).update(ended_at=None, outcome="", days=None)
    repaired = backfill()
    assert (repaired.created, repaired.updated) == (1, 1)
    closed.refresh_from_db()
    assert closed.outcome == "negotiation" and closed.days is not None


def test_time_on_hold_is_an_interval_of_its_own(personas, deal_in_review):
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.ON_HOLD)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)

    stays = list(
        Interval.objects.filter(deal=deal, kind=IntervalKind.STAGE)
        .order_by("pk")
        .values_list("stage", "outcome")
    )
    assert stays == [("review", "on_hold"), ("on_hold", "review"), ("review", "")]
