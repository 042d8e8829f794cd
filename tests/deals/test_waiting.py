"""Deal.waiting_on, kept by the database's triggers (deals.waiting), is after every kind
of change what the rules give when asked of each deal live: the ORM expression below,
the rules as "Where time goes" and the sponsor's "waiting for your decision" asked them
before the column (the oracle)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from deals import waiting
from deals.models import ACTIVE_STAGES, OPEN_STAGES, Deal, Decision, Stage
from stakeholders.models import Review, ReviewStatus
from tests.factories import DealFactory, DecisionFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


def asked_live():
    decided_since = Decision.objects.filter(
        deal=OuterRef("deal"), decided_at__gte=OuterRef("decided_at")
    )
    rejected = (
        Review.objects.filter(status=ReviewStatus.REJECTED)
        .exclude(Exists(decided_since))
        .values("deal_id")
    )
    sponsor = Q(decision_requested_at__isnull=False) | Q(pk__in=rejected)
    pending = Exists(Review.objects.filter(deal=OuterRef("pk"), status=ReviewStatus.PENDING))
    returned = Exists(
        Review.objects.filter(deal=OuterRef("pk"), status=ReviewStatus.CHANGES_REQUESTED)
    )
    return Case(
        When(~Q(stage__in=OPEN_STAGES), then=Value(None)),
        When(sponsor, then=Value(waiting.SPONSOR)),
        When(~Q(stage__in=ACTIVE_STAGES), then=Value(None)),  # on hold
        When(pending, then=Value(waiting.DEPARTMENT)),
        When(returned | Q(stage__in=waiting.OWNER_STAGES), then=Value(waiting.OWNER)),
        When(stage__in=waiting.PARTNER_STAGES, then=Value(waiting.PARTNER)),
        default=Value(None),
        output_field=CharField(),
    )


def parties() -> dict[int, str | None]:
    """Each deal's stored party, after checking it against the rules asked live."""
    rows = Deal.objects.annotate(live=asked_live()).values_list("pk", "waiting_on", "live")
    assert [(pk, kept) for pk, kept, _ in rows] == [(pk, live) for pk, _, live in rows]
    return {pk: kept for pk, kept, _ in rows}


def test_every_kind_of_change_keeps_the_party_as_the_rules_say(partnership, personas):
    deal = DealFactory(partnership=partnership, stage=Stage.INTAKE)
    other = DealFactory(partnership=partnership, stage=Stage.REVIEW)
    assert parties() == {deal.pk: waiting.OWNER, other.pk: waiting.OWNER}

    # Into review: departments asked; one answers, then the other asks for changes.
    Deal.objects.filter(pk=deal.pk).update(stage=Stage.REVIEW)
    legal = ReviewFactory(deal=deal, department=department("legal"))
    it = ReviewFactory(deal=deal, department=department("it"))
    assert parties()[deal.pk] == waiting.DEPARTMENT
    legal.status, legal.decided_at = ReviewStatus.APPROVED, timezone.now()
    legal.save()
    assert parties()[deal.pk] == waiting.DEPARTMENT
    Review.objects.filter(pk=it.pk).update(
        status=ReviewStatus.CHANGES_REQUESTED, decided_at=timezone.now()
    )
    assert parties()[deal.pk] == waiting.OWNER

    # A rejection waits on the sponsor until a decision is recorded after it.
    Review.objects.filter(pk=it.pk).update(status=ReviewStatus.REJECTED)
    assert parties()[deal.pk] == waiting.SPONSOR
    decision = DecisionFactory(deal=deal, decided_at=timezone.now() + dt.timedelta(minutes=1))
    assert parties()[deal.pk] == waiting.OWNER
    decision.delete()
    assert parties()[deal.pk] == waiting.SPONSOR
    DecisionFactory(deal=deal, decided_at=timezone.now() - dt.timedelta(days=1))  # before it
    assert parties()[deal.pk] == waiting.SPONSOR

    # A review moved to another deal, and deleted: both deals are asked again.
    Review.objects.filter(pk=it.pk).update(deal=other)
    assert parties() == {deal.pk: waiting.OWNER, other.pk: waiting.SPONSOR}
    Review.objects.filter(pk=it.pk).delete()
    assert parties()[other.pk] == waiting.OWNER

    # The sponsor asked to decide; the terms with the partner; on hold; signed.
    Deal.objects.filter(pk=deal.pk).update(
        stage=Stage.NEGOTIATION, decision_requested_at=timezone.now()
    )
    assert parties()[deal.pk] == waiting.SPONSOR
    Deal.objects.filter(pk=deal.pk).update(decision_requested_at=None)
    assert parties()[deal.pk] == waiting.PARTNER
    # On hold, the deal waits on nobody, unless on its sponsor; signed, on nobody.
    Deal.objects.filter(pk=deal.pk).update(stage=Stage.ON_HOLD)
    assert parties()[deal.pk] is None
    Deal.objects.filter(pk=deal.pk).update(decision_requested_at=timezone.now())
    assert parties()[deal.pk] == waiting.SPONSOR
    Deal.objects.filter(pk=deal.pk).update(stage=Stage.SIGNED)
    assert parties()[deal.pk] is None


def test_a_save_of_a_deal_read_before_a_verdict_does_not_bring_its_party_back(
    partnership, personas
):
    deal = DealFactory(partnership=partnership, stage=Stage.REVIEW)
    review = ReviewFactory(deal=deal)
    stale = Deal.objects.get(pk=deal.pk)
    assert stale.waiting_on == waiting.DEPARTMENT
    Review.objects.filter(pk=review.pk).update(
        status=ReviewStatus.APPROVED, decided_at=timezone.now()
    )
    stale.title = "Renamed"
    stale.save()  # sends back waiting_on="department", as it read it
    assert parties()[deal.pk] == waiting.OWNER


def test_recount_sets_every_party_from_the_rules(partnership, personas):
    deal = DealFactory(partnership=partnership, stage=Stage.NEGOTIATION)
    assert waiting.recount() == 0  # the triggers left nothing to repair
    with connection.cursor() as cursor:  # as a restore past the triggers would leave it
        if connection.vendor == "postgresql":  # no trigger fires, for this transaction
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER deals_waiting_deal_change")
        cursor.execute("UPDATE deals_deal SET waiting_on = 'sponsor' WHERE id = %s", [deal.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert Deal.objects.get(pk=deal.pk).waiting_on == waiting.SPONSOR
    assert waiting.recount() == 1
    assert parties()[deal.pk] == waiting.PARTNER
