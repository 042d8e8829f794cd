import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from deals.models import TRANSITIONS, Deal, Stage, StageChange, transition_refusal
from deals.services import deal_advance
from stakeholders.models import ReviewStatus
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


def test_every_stage_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(Stage)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Stage.INTAKE, Stage.BUSINESS_CASE),
        (Stage.BUSINESS_CASE, Stage.REVIEW),
        (Stage.REVIEW, Stage.NEGOTIATION),
        (Stage.REVIEW, Stage.BUSINESS_CASE),
        (Stage.APPROVED, Stage.SIGNED),
        (Stage.SIGNED, Stage.LIVE),
        (Stage.NEGOTIATION, Stage.ON_HOLD),
        (Stage.ON_HOLD, Stage.NEGOTIATION),
        (Stage.INTAKE, Stage.ABANDONED),
    ],
)
def test_an_allowed_move_changes_the_stage_and_records_history_and_audit(personas, source, target):
    deal = DealFactory(stage=source, owner=personas.owner, sponsor=personas.executive)
    if target in (Stage.SIGNED, Stage.LIVE):  # gated: every required department approved
        for slug in ("legal", "procurement", "it"):
            ReviewFactory(deal=deal, department=department(slug), status=ReviewStatus.APPROVED)
    moved = deal_advance(deal=deal, user=personas.owner, to_stage=target, note="Ready")

    moved.refresh_from_db()
    assert moved.stage == target
    assert moved.stage_changed_at > deal.stage_changed_at
    change = StageChange.objects.filter(deal=deal).last()
    assert (change.from_stage, change.to_stage, change.by, change.note) == (
        source,
        target,
        personas.owner,
        "Ready",
    )
    event = AuditEvent.objects.get(deal=deal, action="moved")
    assert event.before == {"stage": source}
    assert event.after["stage"] == target
    assert event.actor == personas.owner


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        (Stage.INTAKE, Stage.SIGNED, "A deal in Intake can move only to Business case"),
        (Stage.REVIEW, Stage.LIVE, "not to Live"),
        (Stage.SIGNED, Stage.ABANDONED, "A deal in Signed can move only to Live"),
        (Stage.LIVE, Stage.INTAKE, "Live is final"),
        (Stage.ABANDONED, Stage.INTAKE, "Abandoned is final"),
        (Stage.REVIEW, Stage.REVIEW, "already in Review"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(personas, source, target, reason):
    deal = DealFactory(stage=source, owner=personas.owner, sponsor=personas.executive)
    with pytest.raises(ValidationError) as refused:
        deal_advance(deal=deal, user=personas.owner, to_stage=target)

    assert reason in " ".join(refused.value.messages)
    assert Deal.objects.get(pk=deal.pk).stage == source
    assert StageChange.objects.filter(deal=deal).count() == 1
    assert not AuditEvent.objects.filter(deal=deal).exists()


def test_the_refusal_names_every_allowed_stage():
    message = transition_refusal(Stage.NEGOTIATION, Stage.INTAKE)
    assert message == (
        "A deal in Negotiation can move only to Approved, Review, On hold, Abandoned, not to Intake."
    )


def test_an_unknown_stage_is_refused(personas, deal):
    with pytest.raises(ValidationError):
        deal_advance(deal=deal, user=personas.owner, to_stage="teleported")
    assert Deal.objects.get(pk=deal.pk).stage == Stage.INTAKE


def test_only_the_owner_or_sponsor_moves_a_deal(personas, deal):
    for someone in (personas.legal, personas.outsider):
        with pytest.raises(PermissionDenied):
            deal_advance(deal=deal, user=someone, to_stage=Stage.BUSINESS_CASE)
    assert Deal.objects.get(pk=deal.pk).stage == Stage.INTAKE
    deal_advance(deal=deal, user=personas.executive, to_stage=Stage.BUSINESS_CASE)
    assert Deal.objects.get(pk=deal.pk).stage == Stage.BUSINESS_CASE


def test_a_stale_copy_cannot_move_a_deal_twice(personas, deal):
    """Two clicks on the same page: the second sees the stage under a lock and is refused."""
    first_tab = Deal.objects.get(pk=deal.pk)
    second_tab = Deal.objects.get(pk=deal.pk)
    deal_advance(deal=first_tab, user=personas.owner, to_stage=Stage.BUSINESS_CASE)
    with pytest.raises(ValidationError, match="already in Business case"):
        deal_advance(deal=second_tab, user=personas.owner, to_stage=Stage.BUSINESS_CASE)
    assert StageChange.objects.filter(deal=deal, to_stage=Stage.BUSINESS_CASE).count() == 1
