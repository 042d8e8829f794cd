"""The demo's audit rows name their object as the services' rows do, so timelines read them alike."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from agreements.services import agreement_open
from core.models import AuditEvent
from deals.models import Deal, Stage
from deals.services import deal_advance, deal_create
from intake.models import IntakeRequest
from stakeholders.models import Review, ReviewStatus, User
from stakeholders.services import concern_raise, review_comment, review_give_verdict

pytestmark = pytest.mark.django_db

DEMO_ACTIONS = {
    "created",
    "moved",
    "review requested",  # the request that starts a review's wait (analytics)
    "review decided",
    "concern raised",
    "commented",
    "agreement opened",
}

# The demo's amendments (demo/amendments.py) are written by the amendment services
# themselves, so their rows are the services' by construction: left out of the comparison.
BY_THE_AMENDMENT_SERVICES = {
    "amendment drafted",
    "amendment edited",
    "amendment proposed",
    "amendment approved",
    "term revised",
    "term added",
    "review re-opened",
    "agreement edited",
}
# The demo deals placed in the playbooks (demo/playbooks.py) go through its services too.
BY_THE_PLAYBOOK_SERVICES = {"term position set", "position approved"}


# The demo's requests (demo/intake.py) go through intake's services, which open their
# deals (and a new partner) through the deals and partnerships services: left out too.
BY_THE_INTAKE_SERVICES = {"intake form published", "intake submitted", "review requested"}


def by_intake(event: AuditEvent, intake_deals: set[int]) -> bool:
    if event.deal_id is None:
        return event.object_type in (
            "partnerships.partner",
            "partnerships.partnership",
            "intake.formversion",
        )
    return event.deal_id in intake_deals


def deal_of(event: AuditEvent) -> Deal:
    """The deal the row's object belongs to, found from object_type and object_id alone."""
    model = apps.get_model(event.object_type)
    instance = model.objects.get(pk=int(event.object_id))
    if isinstance(instance, Deal):
        return instance
    return instance.deal if hasattr(instance, "deal") else instance.review.deal


def conventions(events) -> dict[str, set[str]]:
    by_action: dict[str, set[str]] = {}
    for event in events:
        by_action.setdefault(event.action, set()).add(event.object_type)
    return by_action


def write_one_of_each_through_the_services() -> list[AuditEvent]:
    """Each action the demo writes, done once by the real service on a demo deal."""
    owner = User.objects.get(email="owner@demo.test")
    legal = User.objects.get(email="legal@demo.test")
    first = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    in_intake = Deal.objects.filter(stage=Stage.INTAKE, owner=owner).first()
    created = deal_create(
        user=owner,
        data={
            "partnership": in_intake.partnership,
            "title": "Written by the services",
            "summary": "For comparing audit rows.",
            "owner": owner,
            "sponsor": in_intake.sponsor,
            "contract_value": Decimal("1000"),
            "expected_annual_value": Decimal("500"),
            "term_months": 12,
        },
    )
    deal_advance(deal=created, user=owner, to_stage=Stage.BUSINESS_CASE)
    deal_advance(deal=created, user=owner, to_stage=Stage.REVIEW)  # reviews requested
    deal_advance(deal=created, user=owner, to_stage=Stage.ON_HOLD, note="Paused")
    review = Review.objects.filter(
        deal__stage=Stage.REVIEW, department__slug="legal", status=ReviewStatus.PENDING
    ).first()
    review_comment(review=review, user=legal, body="Looked at clause 14.")
    concern_raise(
        deal=review.deal,
        user=legal,
        data={"title": "Audit right", "detail": "Missing.", "severity": "medium"},
    )
    review_give_verdict(review=review, user=legal, verdict="approve")
    agreement_open(deal=created, user=owner)  # as the signal does when a deal is signed
    return list(AuditEvent.objects.filter(pk__gt=first))


def test_demo_audit_rows_name_their_object_as_the_services_do():
    call_command("seed_demo", verbosity=0)
    intake_deals = set(IntakeRequest.objects.values_list("deal_id", flat=True))
    demo_events = [e for e in AuditEvent.objects.all() if not by_intake(e, intake_deals)]
    services = BY_THE_AMENDMENT_SERVICES | BY_THE_PLAYBOOK_SERVICES
    assert {event.action for event in demo_events} - services == DEMO_ACTIONS
    demo_events = [event for event in demo_events if event.action in DEMO_ACTIONS]
    service_events = write_one_of_each_through_the_services()
    assert {event.action for event in service_events} == DEMO_ACTIONS

    assert conventions(demo_events) == conventions(service_events)
    for event in demo_events + service_events:
        assert event.deal_id is not None
        assert deal_of(event).pk == event.deal_id, event


def test_demo_audit_rows_keep_the_seeded_times_and_people():
    call_command("seed_demo", verbosity=0)
    for deal in Deal.objects.all()[:10]:
        moves = AuditEvent.objects.filter(deal=deal, action__in=["created", "moved"])
        changes = deal.stage_changes.all()
        assert sorted((e.at, e.actor_id) for e in moves) == sorted((c.at, c.by_id) for c in changes)
