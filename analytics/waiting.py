"""Waiting on whom now: every open deal that is being worked (not on hold, not archived)
waits on exactly one party, the first that applies:

1. **the sponsor** — the dashboard's "waiting for your decision" (the rule of
   deals.selectors.waiting_for_decision, restated on the row): someone asked the
   sponsor to decide, or a department rejected the deal after the sponsor's last
   decision;
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
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from deals.models import ACTIVE_STAGES, Decision, Stage
from stakeholders.models import Review, ReviewStatus

SPONSOR, DEPARTMENT, OWNER, PARTNER = "sponsor", "department", "owner", "partner"
PARTIES = {
    OWNER: "The deal owner",
    DEPARTMENT: "A department",
    PARTNER: "The partner",
    SPONSOR: "The sponsor",
}
OWNER_STAGES = (Stage.INTAKE, Stage.BUSINESS_CASE, Stage.REVIEW)
PARTNER_STAGES = (Stage.NEGOTIATION, Stage.APPROVED)


def waiting_on():
    """The party each deal waits on, as an expression over deals (None: nobody)."""
    # waiting_for_decision's rule, on the row itself rather than through a second deal;
    # the deals rejected since their last decision are found in one pass over the
    # rejected reviews, not looked up again for each deal.
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
        When(~Q(stage__in=ACTIVE_STAGES), then=Value(None)),
        When(sponsor, then=Value(SPONSOR)),
        When(pending, then=Value(DEPARTMENT)),
        When(returned | Q(stage__in=OWNER_STAGES), then=Value(OWNER)),
        When(stage__in=PARTNER_STAGES, then=Value(PARTNER)),
        default=Value(None),
        output_field=CharField(),
    )
