"""Bulk deals for benchmarks: `seed_demo --deals N` adds N synthetic deals in bulk.

Deterministic: the random streams are seeded with N, so the same N gives the
same deals. Each deal gets a stage history, reviews, terms with their first
revision and concerns, at the volumes of a large company's desk; a signed or live
one its agreement, obligations and occurrences (demo/bulk_agreements.py).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from deals.models import Currency, Deal, Stage, StageChange, Term, TermRevision
from partnerships.models import Partnership
from stakeholders.models import Concern, Department, Membership, Review, Role, User

from . import copy
from .bulk_agreements import bulk_agreements
from .history import history, stage_path
from .intervals import bulk_intervals
from .partners import THEMES
from .reviews import IN_OR_PAST_REVIEW, REVIEW_DEPARTMENTS, demo_review
from .texts import CONCERNS, SUMMARIES, TERMS


def seed_bulk(count: int, batch_size: int = 2000) -> int:
    """Add `count` synthetic deals with stage histories, reviews, terms and concerns, in bulk."""
    rng = random.Random(count)
    now = timezone.now()
    partnerships = list(Partnership.objects.select_related("partner"))
    owners = list(User.objects.filter(groups__name=Role.OWNER))
    departments = {d.slug: d for d in Department.objects.all()}
    people: dict[str, list[User]] = {}
    for membership in Membership.objects.select_related("user", "department").order_by(
        "department__slug", "user__email"
    ):
        people.setdefault(membership.department.slug, []).append(membership.user)
    # Reviews, terms and concerns draw from their own stream: the deals stay as they were.
    extra = random.Random(count + 1)
    contracts = random.Random(count + 2)  # and the signed deals' agreements from a third
    start = Deal.objects.count()
    stages = list(Stage)
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        with transaction.atomic():
            deals = []
            paths = []
            for n in range(start + made, start + made + size):
                partnership = partnerships[n % len(partnerships)]
                final = Stage.REVIEW if _is_big(n) else stages[n % len(stages)]
                path = stage_path(final, rng)
                times = history(path, now, rng, stalled=rng.random() < 0.2)
                value = Decimal(rng.randrange(20, 9_000)) * 1000
                deals.append(
                    Deal(
                        partnership=partnership,
                        title=f"{rng.choice(THEMES[partnership.partner.kind]['deals'])} #{n + 1}",
                        summary=SUMMARIES[n % len(SUMMARIES)],
                        owner=owners[n % len(owners)],
                        sponsor=partnership.sponsor,
                        stage=final,
                        stage_changed_at=times[-1],
                        contract_value=value,
                        currency=Currency.EUR,
                        expected_annual_value=value / 2,
                        term_months=36,
                        target_signature_date=(
                            now + dt.timedelta(days=rng.randint(-60, 200))
                        ).date(),
                        confidential=n % 13 == 0,
                        created_at=times[0],
                    )
                )
                paths.append((path, times))
            copy.insert(Deal, deals)
            changes = [
                StageChange(
                    deal=deal,
                    from_stage=path[i - 1] if i else "",
                    to_stage=stage,
                    by=deal.owner,
                    at=times[i],
                )
                for deal, (path, times) in zip(deals, paths, strict=True)
                for i, stage in enumerate(path)
            ]
            copy.insert(StageChange, changes)
            reviews = _bulk_collaboration(deals, start + made, extra, departments, people)
            bulk_intervals(changes, reviews)  # no audit trail to backfill them from
            signed = [deal for deal in deals if deal.stage in (Stage.SIGNED, Stage.LIVE)]
            bulk_agreements(signed, contracts)
        made += size
        if connection.vendor == "postgresql":
            # The triggers' cached plans read the deals by id: statistics from the demo's
            # forty deals kept them scanning the whole table for every review and interval
            # added (seeding 100,000 deals into the demo desk slowed by the thousand).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE deals_deal")
    return made


# Bulk volumes per deal, as a large company's desk has them: at 10,000 deals about
# 48,000 reviews, 30,000 terms (one revision each) and 20,000 concerns.
BULK_TERMS = dict.fromkeys(IN_OR_PAST_REVIEW, 5) | {Stage.BUSINESS_CASE: 2}
BULK_CONCERNS = {Stage.REVIEW: 4, Stage.NEGOTIATION: 4} | dict.fromkeys(
    (Stage.APPROVED, Stage.SIGNED, Stage.LIVE, Stage.ON_HOLD, Stage.ABANDONED), 2
)
# One bulk deal in every thousand is a big one: the deal page and briefing pack at their worst.
BIG_DEAL_EVERY = 1000
BIG_DEAL_TERMS = 30
BIG_DEAL_CONCERNS = 50
BULK_DEPARTMENTS = [*REVIEW_DEPARTMENTS, "security"]


def _is_big(n: int) -> bool:
    """The 1,000th, 2,000th… deal: in review, with many terms and concerns."""
    return n % BIG_DEAL_EVERY == BIG_DEAL_EVERY - 1


def _bulk_collaboration(
    deals: list[Deal], first: int, rng: random.Random, departments, people: dict[str, list[User]]
) -> list[Review]:
    """Reviews, terms with their first revision, and concerns for bulk deals, in bulk;
    the reviews are returned (their intervals are written from them)."""
    today = timezone.localdate()
    slugs = [slug for slug in BULK_DEPARTMENTS if slug in departments]
    raisers = [user for slug in slugs for user in people.get(slug, [])] or [None]
    reviews, terms, concerns = [], [], []
    for n, deal in enumerate(deals, start=first):
        big = _is_big(n)
        # Every department reviews, except at intake where three take an early look.
        for slug in slugs[:3] if deal.stage == Stage.INTAKE else slugs:
            members = people.get(slug) or [None]
            reviewer = members[n % len(members)]
            reviews.append(
                demo_review(
                    deal,
                    departments[slug],
                    reviewer,
                    rng,
                    today,
                    created_at=deal.stage_changed_at,
                )
            )
        agreed = deal.stage in (Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
        fee = int(deal.contract_value / 3)
        for i in range(BIG_DEAL_TERMS if big else BULK_TERMS.get(deal.stage, 0)):
            category, title, wording, slug = TERMS[(n + i) % len(TERMS)]
            terms.append(
                Term(
                    deal=deal,
                    category=category,
                    title=title if i < len(TERMS) else f"{title} ({i // len(TERMS) + 1})",
                    wording=wording.format(fee=fee),
                    department=departments[slug],
                    status="agreed" if agreed else "proposed",
                    updated_by=deal.owner,
                    updated_at=deal.stage_changed_at,
                    created_at=deal.stage_changed_at,
                )
            )
        settled = deal.stage not in (Stage.REVIEW, Stage.NEGOTIATION)
        for i in range(BIG_DEAL_CONCERNS if big else BULK_CONCERNS.get(deal.stage, 0)):
            title, detail, slug, severity, blocking = CONCERNS[(n + i) % len(CONCERNS)]
            # A big deal has half its concerns still open.
            resolved = (i % 2 == 1) if big else settled
            concerns.append(
                Concern(
                    deal=deal,
                    title=title,
                    detail=detail,
                    department=departments.get(slug),
                    severity=severity,
                    blocking=blocking and not resolved and rng.random() < 0.3,
                    raised_by=raisers[(n + i) % len(raisers)] or deal.owner,
                    raised_at=deal.stage_changed_at - dt.timedelta(days=i % 7),
                    resolution="Agreed with the partner." if resolved else "",
                    resolved_by=deal.owner if resolved else None,
                    resolved_at=deal.stage_changed_at if resolved else None,
                )
            )
    copy.insert(Review, reviews)
    copy.insert(Term, terms)
    copy.insert(
        TermRevision,
        (
            TermRevision(
                term=term,
                number=1,
                round=0,
                by=term.updated_by,
                at=term.updated_at,
                new_wording=term.wording,
            )
            for term in terms
        ),
    )
    copy.insert(Concern, concerns)
    return reviews
