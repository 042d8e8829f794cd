"""Reviews of demo deals: which departments review, and where each review stands by the deal's stage.

Shared by the hand-made portfolio (demo/deals.py) and the bulk deals (demo/bulk.py), so
that a demo review in a given stage reads the same whichever way it was made.
"""

from __future__ import annotations

import datetime as dt
import random

from deals.models import Deal, Stage
from stakeholders.models import Department, Review, ReviewStatus, User

REVIEW_DEPARTMENTS = ["legal", "procurement", "it", "finance"]
# Deals in these stages have been through review: terms, concerns and decided reviews.
IN_OR_PAST_REVIEW = (Stage.REVIEW, Stage.NEGOTIATION, Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
DECISION_TEXTS = {
    ReviewStatus.APPROVED: "Reviewed against our standard checklist; nothing outstanding.",
    ReviewStatus.APPROVED_WITH_CONDITIONS: "",
    ReviewStatus.CHANGES_REQUESTED: "Please add a data processing agreement and an exit plan.",
    ReviewStatus.REJECTED: "The price is 30 % above the benchmark for this category.",
}


def review_outcome(deal: Deal, rng: random.Random, today: dt.date) -> tuple[ReviewStatus, dt.date]:
    """Status and due date of one review, by the deal's stage."""
    if deal.stage in (Stage.INTAKE, Stage.BUSINESS_CASE):
        # Routing asks for early sight: open, due once the business case is done.
        return ReviewStatus.PENDING, today + dt.timedelta(days=rng.randint(5, 40))
    if deal.stage in (Stage.ON_HOLD, Stage.ABANDONED):
        status = rng.choice([ReviewStatus.PENDING, ReviewStatus.APPROVED, ReviewStatus.REJECTED])
        return status, deal.stage_changed_at.date() + dt.timedelta(days=rng.randint(-10, 10))
    if deal.stage == Stage.REVIEW:
        status = rng.choice(
            [ReviewStatus.PENDING] * 4
            + [
                ReviewStatus.APPROVED,
                ReviewStatus.APPROVED_WITH_CONDITIONS,
                ReviewStatus.CHANGES_REQUESTED,
            ]
        )
        return status, today + dt.timedelta(days=rng.randint(-6, 8))
    if deal.stage == Stage.NEGOTIATION:
        status = rng.choice(
            [ReviewStatus.APPROVED] * 2
            + [ReviewStatus.APPROVED_WITH_CONDITIONS, ReviewStatus.PENDING, ReviewStatus.REJECTED]
        )
        return status, today + dt.timedelta(days=rng.randint(-4, 6))
    status = rng.choice([ReviewStatus.APPROVED] * 3 + [ReviewStatus.APPROVED_WITH_CONDITIONS])
    return status, deal.stage_changed_at.date() - dt.timedelta(days=rng.randint(1, 10))


def demo_review(
    deal: Deal,
    department: Department,
    reviewer: User | None,
    rng: random.Random,
    today: dt.date,
    **fields,
) -> Review:
    """An unsaved review of the deal, decided by `reviewer` unless it is still pending."""
    status, due = review_outcome(deal, rng, today)
    decided = status != ReviewStatus.PENDING
    return Review(
        deal=deal,
        department=department,
        reviewer=reviewer,
        status=status,
        due_on=due,
        decided_by=reviewer if decided else None,
        decided_at=deal.stage_changed_at if decided else None,
        verdict_text=DECISION_TEXTS[status] if decided else "",
        conditions="Liability cap to be confirmed in the final draft."
        if status == ReviewStatus.APPROVED_WITH_CONDITIONS
        else "",
        **fields,
    )
