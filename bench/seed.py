"""The data the benchmarks measure: the demo desk grown to a size, and its worst deal.

bench/run.py grows the demo desk (`seed_demo`, then `seed_demo --deals N`) to each size
and times the deal page of its biggest deal; bench/background.py builds a deal with
everything for the briefing pack, and 1,000 people for the digest run.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

from bench.environment import BenchError


def seed_to(total: int) -> tuple[int, float]:
    """Seed up to `total` deals (demo portfolio first). Returns (deals now, seconds)."""
    from django.core.management import call_command
    from django.db import connection

    from deals.models import Deal

    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_demo", stdout=out)
    missing = total - Deal.objects.count()
    if missing > 0:
        call_command("seed_demo", deals=missing, stdout=out)
    agreements_to(total)
    seconds = time.perf_counter() - started
    # The planner should see the seeded sizes, and the bulk updates of seeding leave dead
    # rows behind: leave the tables as autovacuum would soon leave them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    count = Deal.objects.count()
    if count != total:
        print(f"  note: the database holds {count:,} deals, not {total:,}; measuring at {count:,}")
    return count, seconds


def agreements_to(total: int) -> int:
    """As many agreements as deals: the signed and live deals have theirs (seed_demo, and
    demo/bulk_agreements.py for bulk deals); the rest go to deals of other stages, so that
    the Renewals page and the daily task are measured at 10,000 agreements at 10,000 deals.
    (The deal page shows an agreement only once signed: the page measured is unchanged.)
    Returns how many were added."""
    import random

    from django.db import transaction

    from agreements.models import Agreement
    from core import freshness
    from deals.models import Deal
    from demo.bulk_agreements import bulk_agreements

    missing = total - Agreement.objects.count()
    if missing <= 0:
        return 0
    deals = list(Deal.objects.filter(agreement__isnull=True).order_by("pk")[:missing])
    with transaction.atomic():
        made = bulk_agreements(deals, random.Random(total))
    freshness.bump()
    return made


def pick_deal_id(user) -> int:
    """The deal page at its worst: a visible deal with the most terms and concerns (seed_bulk
    makes one in every thousand big), then the longest stage history and most reviews."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from deals.models import Deal, StageChange, Term
    from stakeholders.models import Concern, Review

    def count_of(model):
        return Coalesce(
            Subquery(
                model.objects.filter(deal=OuterRef("pk"))
                .order_by()
                .values("deal")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    deal = (
        Deal.objects.visible_to(user)
        .annotate(
            n_terms=count_of(Term),
            n_concerns=count_of(Concern),
            n_changes=count_of(StageChange),
            n_reviews=count_of(Review),
        )
        .order_by("-n_terms", "-n_concerns", "-n_changes", "-n_reviews", "pk")
        .values("pk", "n_terms", "n_concerns", "n_changes", "n_reviews")
        .first()
    )
    if deal is None:
        raise BenchError("no deal visible to exec@demo.test: did seeding work?")
    if deal["n_changes"] < 3 or deal["n_reviews"] < 2:
        raise BenchError(f"no deal with several stage changes and reviews (best: {deal})")
    return deal["pk"]


def pick_review_id(deal_id: int, reviewer) -> int:
    """The reviewer's own department's review of the big deal: the review page at its worst."""
    from stakeholders.models import Review

    review = (
        Review.objects.filter(deal=deal_id, department__memberships__user=reviewer)
        .values_list("pk", flat=True)
        .first()
    )
    if review is None:
        raise BenchError(f"deal {deal_id} has no review for {reviewer.email}'s department")
    return review


def seed_pack_deal():
    """A deal with 20 metrics (8 check-ins each), 30 terms, 50 concerns and a 5-year case."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from deals.models import Deal, Decision, Stage, StageChange, Term, TermRevision
    from metrics.models import BusinessCase, CaseYear, CheckIn, JourneyStage, OutcomeMetric
    from partnerships.models import Partner, Partnership
    from stakeholders.models import Concern, Department, Review, User

    today = timezone.localdate()
    owner = User.objects.create_user("bench-owner@example.test", first_name="Olivia")
    sponsor = User.objects.create_user("bench-exec@example.test", first_name="Ethan")
    sponsor.groups.add(Group.objects.get(name="Executive"))
    partner = Partner.objects.create(
        name="Bench Partner GmbH", kind="technology", country="Germany"
    )
    partnership = Partnership.objects.create(
        partner=partner, title="Bench alliance", sponsor=sponsor
    )
    deal = Deal.objects.create(
        partnership=partnership,
        title="Benchmark deal with everything",
        summary="A deal as large as they come, for the briefing-pack benchmark.",
        owner=owner,
        sponsor=sponsor,
        stage=Stage.NEGOTIATION,
        contract_value=Decimal("4200000"),
        expected_annual_value=Decimal("1500000"),
        term_months=48,
        weekly_cost_of_delay=Decimal("28846"),
    )
    StageChange.objects.create(deal=deal, to_stage=Stage.NEGOTIATION, by=owner)
    departments = list(Department.objects.all())
    case = BusinessCase.objects.create(deal=deal, version=1, discount_rate=Decimal("8"))
    CaseYear.objects.bulk_create(
        CaseYear(
            business_case=case,
            year=year,
            revenue_growth=Decimal(300000 * year),
            cost_savings=Decimal(200000),
            one_off_costs=Decimal(900000 if year == 1 else 0),
            running_costs=Decimal(120000),
        )
        for year in range(1, 6)
    )
    for n in range(20):
        metric = OutcomeMetric.objects.create(
            deal=deal,
            name=f"Outcome metric {n + 1}",
            unit="%",
            baseline=Decimal(20),
            target=Decimal(80),
            direction="increase",
            start_date=today - dt.timedelta(days=200),
            target_date=today + dt.timedelta(days=165),
            is_headline=n < 3,
            latest_value=Decimal(20 + 4 * 8),
            latest_on=today - dt.timedelta(days=5),
        )
        CheckIn.objects.bulk_create(
            CheckIn(
                metric=metric,
                date=today - dt.timedelta(days=5 + 25 * k),
                actual=Decimal(52 - 4 * k),
            )
            for k in range(8)
        )
        if n < 6:
            JourneyStage.objects.create(
                deal=deal,
                position=n,
                name=f"Journey step {n + 1}",
                pain="Slow.",
                change="Fast.",
                metric=metric,
            )
    for n in range(30):
        term = Term.objects.create(
            deal=deal,
            category="other",
            title=f"Term {n + 1}",
            wording="The parties agree to a reasonably long clause. " * 6,
            department=departments[n % len(departments)],
        )
        TermRevision.objects.bulk_create(
            TermRevision(term=term, number=k + 1, round=k, new_wording="…")
            for k in range(1 + n % 3)
        )
    Concern.objects.bulk_create(
        Concern(
            deal=deal,
            title=f"Concern {n + 1}",
            detail="Something that worries a department and needs an answer. " * 3,
            department=departments[n % len(departments)],
            blocking=n % 10 == 0,
            raised_by=owner,
        )
        for n in range(50)
    )
    Review.objects.bulk_create(
        Review(deal=deal, department=d, due_on=today + dt.timedelta(days=3)) for d in departments
    )
    Decision.objects.bulk_create(
        Decision(
            deal=deal,
            kind="trade_off",
            title=f"Decision {n}",
            rationale="Because.",
            decided_by=sponsor,
        )
        for n in range(10)
    )
    return deal


def seed_recipients(count: int) -> None:
    """`count` people: 2% executives, 3% deal owners, the rest reviewers in five departments."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from deals.models import Deal, Stage
    from partnerships.models import Partner, Partnership
    from stakeholders.models import Department, Membership, Review, User

    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"person{n}@bench.test", first_name=f"Person{n}", password=password)
        for n in range(count)
    )
    executives, owners = users[: count // 50], users[count // 50 : count // 50 + count // 33]
    reviewers = users[len(executives) + len(owners) :]
    Group.objects.get(name="Executive").user_set.add(*executives)
    departments = list(Department.objects.all())
    Membership.objects.bulk_create(
        Membership(user=user, department=departments[n % len(departments)])
        for n, user in enumerate(reviewers)
    )
    partner = Partner.objects.create(name="Digest Partner", kind="technology", country="France")
    partnership = Partnership.objects.create(
        partner=partner, title="Digest alliance", sponsor=executives[0]
    )
    now = timezone.now()
    deals = Deal.objects.bulk_create(
        Deal(
            partnership=partnership,
            title=f"Digest deal {n}",
            summary="For the digest benchmark.",
            owner=owners[n % len(owners)],
            sponsor=executives[n % len(executives)],
            stage=[Stage.REVIEW, Stage.NEGOTIATION, Stage.BUSINESS_CASE][n % 3],
            stage_changed_at=now - dt.timedelta(days=n % 40),
            contract_value=Decimal(100000 + n),
            expected_annual_value=Decimal(50000),
            term_months=24,
            weekly_cost_of_delay=Decimal(1000 + n),
            decision_requested_at=now if n % 25 == 0 else None,
        )
        for n in range(300)
    )
    today = timezone.localdate()
    Review.objects.bulk_create(
        Review(
            deal=deal,
            department=department,
            reviewer=reviewers[(n * 7 + k) % len(reviewers)] if n % 2 else None,
            due_on=today + dt.timedelta(days=(n % 9) - 4),
        )
        for n, deal in enumerate(deals)
        for k, department in enumerate(departments[:3])
    )
