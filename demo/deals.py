"""The demo portfolio: about 40 hand-made deals across every stage, for an empty desk.

Deterministic (seeded random) so that screenshots and tests see the same data.
Only added when the desk has no deals, so running it again creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from deals.models import (
    Currency,
    Deal,
    Decision,
    DecisionKind,
    Stage,
    StageChange,
    Term,
    TermRevision,
)
from partnerships.models import Partnership
from stakeholders.models import (
    Concern,
    ConcernReply,
    Department,
    Review,
    ReviewComment,
    ReviewStatus,
    User,
)

from .audit import audit_history
from .history import history, stage_note, stage_path
from .partners import THEMES
from .reviews import IN_OR_PAST_REVIEW, REVIEW_DEPARTMENTS, demo_review
from .texts import CONCERNS, SUMMARIES, TERMS

# The stage each of the 40 portfolio deals sits in: every stage is present,
# most deals are in the busy middle of the pipeline.
PORTFOLIO_STAGES = (
    [Stage.INTAKE] * 5
    + [Stage.BUSINESS_CASE] * 6
    + [Stage.REVIEW] * 8
    + [Stage.NEGOTIATION] * 6
    + [Stage.APPROVED] * 3
    + [Stage.SIGNED] * 3
    + [Stage.LIVE] * 5
    + [Stage.ON_HOLD] * 2
    + [Stage.ABANDONED] * 2
)


def _reviews_for(
    deal: Deal,
    rng: random.Random,
    departments: dict[str, Department],
    reviewers: dict[str, User],
    asked: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[Review]:
    """The deal's reviews. `asked`: when the deal (last) entered Review and when it left
    (or now): each review is requested on entry and answered some way into the stay, a
    spread of its own per department, so that turnaround figures have something to show
    (drawn without the rng: the rest of the portfolio stays as it was)."""
    if deal.stage not in IN_OR_PAST_REVIEW:
        return []
    today = timezone.localdate()
    reviews = [
        demo_review(deal, departments[slug], reviewers.get(slug), rng, today)
        for slug in REVIEW_DEPARTMENTS
        if slug in departments
    ]
    if asked is not None:
        entered, left = asked
        for review in reviews:
            review.created_at = entered
            if review.decided_at is not None:
                spread = 0.15 + ((deal.pk * 7 + review.department_id * 13) % 80) / 100
                review.decided_at = entered + (left - entered) * spread
    return reviews


@transaction.atomic
def seed_portfolio(people: dict[str, User], partnerships: list[Partnership]) -> int:
    """The hand-made portfolio of about 40 deals; only for an empty desk."""
    if Deal.objects.exists():
        return 0
    rng = random.Random(2026)
    now = timezone.now()
    owners = [people["owner@demo.test"], people["owner@demo.test"], people["priya.raman@demo.test"]]
    departments = {d.slug: d for d in Department.objects.all()}
    reviewers = {
        "legal": people["legal@demo.test"],
        "procurement": people["procurement@demo.test"],
        "it": people["it@demo.test"],
        "finance": people["finance@demo.test"],
    }
    used_titles: set[str] = set()
    for index, final in enumerate(PORTFOLIO_STAGES):
        partnership = partnerships[index % len(partnerships)]
        themes = THEMES[partnership.partner.kind]["deals"]
        title = themes[(index + index // len(partnerships)) % len(themes)]
        # Two deals of one theme: the partner, then a phase, tells them apart.
        base, phase = title, 1
        while title in used_titles:
            phase += 1
            title = f"{base} with {partnership.partner.name}"
            title += f", phase {phase - 1}" if phase > 2 else ""
        used_titles.add(title)
        path = stage_path(final, rng)
        stalled = (
            final in (Stage.BUSINESS_CASE, Stage.REVIEW, Stage.NEGOTIATION) and rng.random() < 0.35
        )
        times = history(path, now, rng, stalled)
        value = Decimal(rng.randrange(80, 4_800)) * 1000
        deal = Deal.objects.create(
            partnership=partnership,
            title=title,
            summary=SUMMARIES[index % len(SUMMARIES)],
            owner=owners[index % len(owners)],
            sponsor=partnership.sponsor,
            stage=final,
            stage_changed_at=times[-1],
            contract_value=value,
            currency=rng.choice([Currency.EUR] * 3 + [Currency.USD, Currency.GBP]),
            expected_annual_value=(value * Decimal(rng.randint(30, 90)) / 100).quantize(
                Decimal("1")
            ),
            term_months=rng.choice([12, 24, 36, 48, 60]),
            target_signature_date=(now + dt.timedelta(days=rng.randint(10, 150))).date()
            if final not in (Stage.SIGNED, Stage.LIVE, Stage.ABANDONED)
            else (times[-1] - dt.timedelta(days=5)).date(),
            confidential=index % 9 == 4,
            created_at=times[0],
        )
        StageChange.objects.bulk_create(
            StageChange(
                deal=deal,
                from_stage=path[i - 1] if i else "",
                to_stage=stage,
                by=deal.owner if stage != Stage.ABANDONED else deal.sponsor,
                at=times[i],
                note=stage_note(path, i),
            )
            for i, stage in enumerate(path)
        )
        review_at = max((i for i, stage in enumerate(path) if stage == Stage.REVIEW), default=None)
        asked = None
        if review_at is not None:
            asked = (times[review_at], times[review_at + 1] if review_at + 1 < len(path) else now)
        Review.objects.bulk_create(_reviews_for(deal, rng, departments, reviewers, asked))
        _collaboration_for(deal, rng, departments, people)
        audit_history(deal)
    return len(PORTFOLIO_STAGES)


def _collaboration_for(deal: Deal, rng: random.Random, departments, people) -> None:
    """Terms, concerns, comments and decisions for a deal in or past review."""
    if deal.stage not in IN_OR_PAST_REVIEW:
        return
    fee = int(deal.contract_value / max(deal.term_months // 12, 1))
    for category, title, wording, slug in rng.sample(TERMS, 5):
        text = wording.format(fee=fee)
        term = Term.objects.create(
            deal=deal,
            category=category,
            title=title,
            wording=text,
            department=departments[slug],
            status="agreed"
            if deal.stage in (Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
            else "proposed",
            updated_by=deal.owner,
            updated_at=deal.stage_changed_at,
        )
        TermRevision.objects.create(
            term=term, number=1, round=0, by=deal.owner, at=deal.stage_changed_at, new_wording=text
        )
        if category == "liability_cap" and deal.stage == Stage.NEGOTIATION:
            revised = text.replace("12 months", "18 months")
            Term.objects.filter(pk=term.pk).update(wording=revised, version=2)
            TermRevision.objects.create(
                term=term,
                number=2,
                round=1,
                by=deal.owner,
                old_wording=text,
                new_wording=revised,
                note="Partner asked for a higher cap",
                reopened_review=True,
            )
            Deal.objects.filter(pk=deal.pk).update(revision_rounds=1)
    if deal.stage in (Stage.REVIEW, Stage.NEGOTIATION):
        title, detail, slug, severity, blocking = rng.choice(CONCERNS)
        raiser = {"legal": people["legal@demo.test"], "it": people["it@demo.test"]}.get(
            slug, people["procurement@demo.test"]
        )
        concern = Concern.objects.create(
            deal=deal,
            title=title,
            detail=detail,
            department=departments[slug],
            severity=severity,
            blocking=blocking and rng.random() < 0.5,
            raised_by=raiser,
            raised_at=deal.stage_changed_at,
        )
        ConcernReply.objects.create(
            concern=concern,
            author=deal.owner,
            body="Raised with the partner; answer expected this week.",
            at=deal.stage_changed_at + dt.timedelta(days=1),
        )
        review = deal.reviews.filter(department__slug="legal").first()
        if review:
            ReviewComment.objects.create(
                review=review,
                author=people["legal@demo.test"],
                body="Clause 14 needs the standard audit right before we can approve.",
                at=deal.stage_changed_at + dt.timedelta(hours=3),
            )
    if deal.reviews.filter(status=ReviewStatus.REJECTED).exists() and rng.random() < 0.5:
        Deal.objects.filter(pk=deal.pk).update(
            decision_requested_at=timezone.now() - dt.timedelta(days=2),
            decision_requested_by=deal.owner,
            decision_request_note="Procurement rejected the price; do we accept it for speed to market?",
        )
    if deal.stage in (Stage.APPROVED, Stage.SIGNED) and rng.random() < 0.5:
        Decision.objects.create(
            deal=deal,
            kind=DecisionKind.TRADE_OFF,
            title="Accept a higher liability cap for a lower fee",
            rationale="Legal's concern is covered by our insurance; the 8 % fee reduction pays for it in year one.",
            decided_by=deal.sponsor,
            decided_at=deal.stage_changed_at - dt.timedelta(days=1),
        )
