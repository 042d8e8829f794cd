"""Demo data: a realistic portfolio for `make run`, and bulk deals for benchmarks.

Deterministic (seeded random) so that screenshots and tests see the same data.
Idempotent: users, departments, goals, partners and partnerships are looked up
before they are created; the hand-made portfolio is only added to an empty desk.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from partnerships.models import (
    Partner,
    PartnerKind,
    Partnership,
    PartnershipGoal,
    RiskTier,
    StrategicGoal,
)
from stakeholders.models import Department, Membership, Review, ReviewStatus, Role, User

from .models import PIPELINE, Currency, Deal, Stage, StageChange

DEMO_PASSWORD = "dealdesk-demo"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    job_title: str
    role: Role
    department: str | None = None

    @property
    def description(self) -> str:
        if self.department:
            name = self.department.upper() if len(self.department) <= 2 else self.department.title()
            return f"{name} reviewer"
        return self.role.label


LOGINS = [
    DemoLogin("exec@demo.test", "Eleanor", "Voss", "Chief Strategy Officer", Role.EXECUTIVE),
    DemoLogin("owner@demo.test", "Oliver", "Grant", "Head of Partnerships", Role.OWNER),
    DemoLogin("legal@demo.test", "Leila", "Haddad", "Senior Counsel", Role.REVIEWER, "legal"),
    DemoLogin(
        "procurement@demo.test", "Pedro", "Alves", "Category Manager", Role.REVIEWER, "procurement"
    ),
    DemoLogin("it@demo.test", "Ingrid", "Tanaka", "Enterprise Architect", Role.REVIEWER, "it"),
    DemoLogin(
        "finance@demo.test", "Farah", "Osei", "Finance Business Partner", Role.REVIEWER, "finance"
    ),
    DemoLogin("admin@demo.test", "Ada", "Brennan", "Deal Desk Administrator", Role.ADMINISTRATOR),
]
# Colleagues without a demo login, so that sponsors, owners and reviewers vary.
COLLEAGUES = [
    DemoLogin("marcus.hale@demo.test", "Marcus", "Hale", "Chief Financial Officer", Role.EXECUTIVE),
    DemoLogin("priya.raman@demo.test", "Priya", "Raman", "Director, Digital", Role.OWNER),
    DemoLogin("sam.okafor@demo.test", "Sam", "Okafor", "Security Lead", Role.REVIEWER, "security"),
    DemoLogin("jonas.berg@demo.test", "Jonas", "Berg", "Contracts Lawyer", Role.REVIEWER, "legal"),
]

GOALS = [
    (
        "Digital transformation",
        "Move core customer and back-office processes onto modern platforms.",
    ),
    ("Global expansion", "Enter three new regions by 2028 with local partners."),
    ("Innovation", "Bring new products to market faster through partners' technology."),
    ("Customer experience", "Raise NPS by 15 points by removing friction in the journey."),
    ("Cost leadership", "Cut the cost to serve by 10 % without cutting service."),
    ("Sustainability", "Halve supply-chain emissions by 2030."),
]

PARTNERS = [
    ("Northwind Cloud", PartnerKind.TECHNOLOGY, "Ireland", RiskTier.LOW),
    ("Helix Analytics", PartnerKind.TECHNOLOGY, "Germany", RiskTier.MEDIUM),
    ("Quanta Security", PartnerKind.TECHNOLOGY, "Israel", RiskTier.MEDIUM),
    ("Brightpath Payments", PartnerKind.TECHNOLOGY, "Netherlands", RiskTier.HIGH),
    ("Atlas Components", PartnerKind.MANUFACTURER, "Poland", RiskTier.MEDIUM),
    ("Kestrel Precision", PartnerKind.MANUFACTURER, "Japan", RiskTier.LOW),
    ("Verdant Packaging", PartnerKind.MANUFACTURER, "Portugal", RiskTier.LOW),
    ("Orion Electronics", PartnerKind.MANUFACTURER, "Taiwan", RiskTier.HIGH),
    ("Meridian Advisory", PartnerKind.CONSULTANCY, "United Kingdom", RiskTier.LOW),
    ("Cobalt Strategy Partners", PartnerKind.CONSULTANCY, "United States", RiskTier.MEDIUM),
    ("Lumen Change Consulting", PartnerKind.CONSULTANCY, "France", RiskTier.LOW),
    ("Harbor Retail Group", PartnerKind.CHANNEL, "Canada", RiskTier.MEDIUM),
    ("Sahara Distribution", PartnerKind.CHANNEL, "United Arab Emirates", RiskTier.HIGH),
    ("Pacifica Telecom", PartnerKind.CHANNEL, "Australia", RiskTier.MEDIUM),
    ("Fjord Research Institute", PartnerKind.OTHER, "Norway", RiskTier.LOW),
]

# Per partner kind: partnership titles and deal themes that read like real work.
THEMES: dict[str, dict[str, list[str]]] = {
    PartnerKind.TECHNOLOGY: {
        "partnerships": ["Cloud platform alliance", "Data and AI partnership"],
        "deals": [
            "Customer data platform rollout",
            "Managed Kubernetes migration",
            "Fraud detection API licence",
            "Analytics workbench enterprise licence",
            "Identity and access modernisation",
            "Real-time payments gateway",
        ],
    },
    PartnerKind.MANUFACTURER: {
        "partnerships": ["Strategic supply agreement", "Joint product development"],
        "deals": [
            "Sensor module co-development",
            "Second-source supply for controllers",
            "Recycled packaging supply",
            "Precision parts volume agreement",
            "Regional assembly line",
        ],
    },
    PartnerKind.CONSULTANCY: {
        "partnerships": ["Transformation programme", "Operating model advisory"],
        "deals": [
            "Finance operating model redesign",
            "Market entry study, South-East Asia",
            "Procurement excellence programme",
            "Change management for ERP go-live",
        ],
    },
    PartnerKind.CHANNEL: {
        "partnerships": ["Reseller partnership", "Distribution alliance"],
        "deals": [
            "Co-branded retail launch",
            "Gulf region distribution",
            "Bundled connectivity offer",
            "Marketplace listing and co-sell",
        ],
    },
    PartnerKind.OTHER: {
        "partnerships": ["Research collaboration"],
        "deals": ["Battery chemistry research programme", "Sustainability benchmark study"],
    },
}

SUMMARIES = [
    "Cuts onboarding time for new customers and removes two manual hand-offs that cause most "
    "complaints today.",
    "Gives us a second source for a critical component, so a single supplier failure no longer "
    "stops production.",
    "Opens a new region through a partner that already has the licences, customers and staff.",
    "Replaces three legacy tools with one platform and frees the team for customer work.",
    "Brings in expertise we do not have, for a fixed fee, with results measured quarterly.",
    "Lets us launch the new product a year earlier than building it ourselves would.",
]

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
REVIEW_DEPARTMENTS = ["legal", "procurement", "it", "finance"]
DECISION_TEXTS = {
    ReviewStatus.APPROVED: "Reviewed against our standard checklist; nothing outstanding.",
    ReviewStatus.APPROVED_WITH_CONDITIONS: "",
    ReviewStatus.CHANGES_REQUESTED: "Please add a data processing agreement and an exit plan.",
    ReviewStatus.REJECTED: "The price is 30 % above the benchmark for this category.",
}

# Terms as they read in real contracts: (category, title, wording, department).
TERMS = [
    (
        "price",
        "Annual fee",
        "EUR {fee:,} per year, fixed for the first two years, then indexed to CPI capped at 3 %.",
        "procurement",
    ),
    (
        "payment",
        "Payment terms",
        "Invoices payable 45 days from receipt; no advance payments.",
        "procurement",
    ),
    (
        "liability_cap",
        "Liability cap",
        "Each party's total liability is capped at 12 months of fees, except for data breaches and wilful misconduct.",
        "legal",
    ),
    (
        "sla",
        "Service levels",
        "99.9 % monthly availability; service credits of 5 % of the monthly fee per 0.1 % below.",
        "it",
    ),
    (
        "data_protection",
        "Data protection",
        "Partner processes personal data only on our instructions, within the EEA, under the attached DPA.",
        "legal",
    ),
    (
        "ip",
        "Intellectual property",
        "Each party keeps its background IP; jointly developed IP is owned by us with a licence back.",
        "legal",
    ),
    (
        "termination",
        "Termination for convenience",
        "Either party may terminate on 90 days' written notice after the first 12 months.",
        "legal",
    ),
    (
        "other",
        "Integration support",
        "Partner provides two engineers for the first 8 weeks of integration at no extra cost.",
        "it",
    ),
]

CONCERNS = [
    (
        "No exit plan for customer data",
        "If the partnership ends we have no agreed way to get our data back in a usable format.",
        "legal",
        "high",
        True,
    ),
    (
        "Single sign-on not supported",
        "The partner's platform lacks SAML SSO; our security baseline requires it.",
        "it",
        "medium",
        False,
    ),
    (
        "Price above benchmark",
        "The quoted fee is well above what we pay comparable suppliers.",
        "procurement",
        "medium",
        False,
    ),
    (
        "Key-person dependency",
        "Delivery depends on two named engineers at the partner.",
        "it",
        "low",
        False,
    ),
]


def ensure_people() -> dict[str, User]:
    departments = {d.slug: d for d in Department.objects.all()}
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    people: dict[str, User] = {}
    for login in LOGINS + COLLEAGUES:
        user, created = User.objects.get_or_create(
            email=login.email,
            defaults={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "job_title": login.job_title,
            },
        )
        if created:
            if login in LOGINS:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            if login.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        if login.role.value in groups:
            user.groups.add(groups[login.role.value])
        if login.department and login.department in departments:
            Membership.objects.get_or_create(user=user, department=departments[login.department])
        people[login.email] = user
    return people


def ensure_partners(people: dict[str, User]) -> list[Partnership]:
    owner = people["exec@demo.test"]
    goals = [
        StrategicGoal.objects.get_or_create(
            title=title, defaults={"description": description, "owner": owner}
        )[0]
        for title, description in GOALS
    ]
    sponsors = [people["exec@demo.test"], people["marcus.hale@demo.test"]]
    rng = random.Random(7)
    partnerships = []
    for index, (name, kind, country, risk) in enumerate(PARTNERS):
        slug = name.lower().replace(" ", "")
        partner, _ = Partner.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "country": country,
                "risk_tier": risk,
                "website": f"https://www.{slug}.example",
                "notes": f"{name} is a {PartnerKind(kind).label.lower()} based in {country}.",
            },
        )
        titles = THEMES[kind]["partnerships"]
        title = titles[index % len(titles)]
        partnership, created = Partnership.objects.get_or_create(
            partner=partner,
            title=title,
            defaults={
                "sponsor": sponsors[index % 3 == 2],
                "description": f"Our {title.lower()} with {name}.",
            },
        )
        if created:
            for goal in rng.sample(goals, 2):
                PartnershipGoal.objects.create(
                    partnership=partnership,
                    goal=goal,
                    fit_score=rng.randint(2, 5),
                    rationale=f"{name} helps us towards “{goal.title.lower()}”: "
                    f"{goal.description[0].lower()}{goal.description[1:]}",
                )
        partnerships.append(partnership)
    return partnerships


def _stage_path(final: Stage, rng: random.Random) -> list[Stage]:
    """A plausible route to the final stage, sometimes with a step back for rework."""
    if final in (Stage.ON_HOLD, Stage.ABANDONED):
        reached = rng.randint(0, 3)
        return [*PIPELINE[: reached + 1], final]
    path = PIPELINE[: PIPELINE.index(final) + 1]
    if (
        final in (Stage.NEGOTIATION, Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
        and rng.random() < 0.3
    ):
        # Review sent it back to the business case once.
        at = path.index(Stage.REVIEW)
        path = [*path[: at + 1], Stage.BUSINESS_CASE, Stage.REVIEW, *path[at + 1 :]]
    return path


def _history(
    path: list[Stage], now: dt.datetime, rng: random.Random, stalled: bool
) -> list[dt.datetime]:
    """When each stage of the path was entered, oldest first, ending before now."""
    days_in_last = rng.randint(25, 60) if stalled else rng.randint(1, 15)
    times = [now - dt.timedelta(days=days_in_last, hours=rng.randint(0, 20))]
    for _ in path[:-1]:
        times.append(times[-1] - dt.timedelta(days=rng.randint(4, 30), hours=rng.randint(0, 20)))
    return list(reversed(times))


def _reviews_for(
    deal: Deal, rng: random.Random, departments: dict[str, Department], reviewers: dict[str, User]
) -> list[Review]:
    if deal.stage not in (
        Stage.REVIEW,
        Stage.NEGOTIATION,
        Stage.APPROVED,
        Stage.SIGNED,
        Stage.LIVE,
    ):
        return []
    today = timezone.localdate()
    reviews = []
    for slug in REVIEW_DEPARTMENTS:
        if slug not in departments:
            continue
        if deal.stage == Stage.REVIEW:
            status = rng.choice(
                [ReviewStatus.PENDING] * 4
                + [
                    ReviewStatus.APPROVED,
                    ReviewStatus.APPROVED_WITH_CONDITIONS,
                    ReviewStatus.CHANGES_REQUESTED,
                ]
            )
            due = today + dt.timedelta(days=rng.randint(-6, 8))
        elif deal.stage == Stage.NEGOTIATION:
            status = rng.choice(
                [ReviewStatus.APPROVED] * 2
                + [
                    ReviewStatus.APPROVED_WITH_CONDITIONS,
                    ReviewStatus.PENDING,
                    ReviewStatus.REJECTED,
                ]
            )
            due = today + dt.timedelta(days=rng.randint(-4, 6))
        else:
            status = rng.choice(
                [ReviewStatus.APPROVED] * 3 + [ReviewStatus.APPROVED_WITH_CONDITIONS]
            )
            due = deal.stage_changed_at.date() - dt.timedelta(days=rng.randint(1, 10))
        decided = status != ReviewStatus.PENDING
        reviews.append(
            Review(
                deal=deal,
                department=departments[slug],
                reviewer=reviewers.get(slug),
                status=status,
                due_on=due,
                decided_by=reviewers.get(slug) if decided else None,
                decided_at=deal.stage_changed_at if decided else None,
                decision_text=DECISION_TEXTS[status] if decided else "",
                conditions="Liability cap to be confirmed in the final draft."
                if status == ReviewStatus.APPROVED_WITH_CONDITIONS
                else "",
            )
        )
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
        path = _stage_path(final, rng)
        stalled = (
            final in (Stage.BUSINESS_CASE, Stage.REVIEW, Stage.NEGOTIATION) and rng.random() < 0.35
        )
        times = _history(path, now, rng, stalled)
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
                note=_note(path, i),
            )
            for i, stage in enumerate(path)
        )
        Review.objects.bulk_create(_reviews_for(deal, rng, departments, reviewers))
        _collaboration_for(deal, rng, departments, people)
        _audit_history(deal)
    return len(PORTFOLIO_STAGES)


def _audit_history(deal: Deal) -> None:
    """The audit trail the seeded history would have left, so timelines are not empty."""
    from stakeholders.models import Concern, ReviewComment

    def event(instance, actor, at, action, after, before=None) -> AuditEvent:
        return AuditEvent(
            deal=deal,
            actor=actor,
            at=at,
            action=action,
            object_type=instance._meta.label_lower,
            object_id=str(instance.pk),
            before=before or {},
            after=after,
        )

    events = [
        event(
            deal,
            change.by,
            change.at,
            "moved" if change.from_stage else "created",
            {"stage": change.to_stage, "note": change.note},
            {"stage": change.from_stage} if change.from_stage else None,
        )
        for change in deal.stage_changes.all()
    ]
    events += [
        event(
            review,
            review.decided_by,
            review.decided_at,
            "review decided",
            {"status": review.status, "text": review.decision_text or review.conditions},
            {"status": "pending"},
        )
        for review in deal.reviews.exclude(decided_at=None)
    ]
    events += [
        event(
            concern,
            concern.raised_by,
            concern.raised_at,
            "concern raised",
            {"title": concern.title, "blocking": concern.blocking, "severity": concern.severity},
        )
        for concern in Concern.objects.filter(deal=deal)
    ]
    events += [
        event(comment, comment.author, comment.at, "commented", {"body": comment.body})
        for comment in ReviewComment.objects.filter(review__deal=deal)
    ]
    AuditEvent.objects.bulk_create(events)


def _collaboration_for(deal: Deal, rng: random.Random, departments, people) -> None:
    """Terms, concerns, comments and decisions for a deal in or past review."""
    from stakeholders.models import Concern, ConcernReply, ReviewComment

    from .models import Decision, DecisionKind, Term, TermRevision

    if deal.stage not in (
        Stage.REVIEW,
        Stage.NEGOTIATION,
        Stage.APPROVED,
        Stage.SIGNED,
        Stage.LIVE,
    ):
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


def _note(path: list[Stage], i: int) -> str:
    if i == 0:
        return "Created"
    previous, stage = path[i - 1], path[i]
    if stage == Stage.BUSINESS_CASE and previous == Stage.REVIEW:
        return "Sent back: Finance asked for firmer cost assumptions."
    return {
        Stage.ON_HOLD: "Paused while the partner restructures.",
        Stage.ABANDONED: "Partner could not meet our data protection terms.",
        Stage.SIGNED: "Signed by both parties.",
        Stage.LIVE: "Go-live completed.",
    }.get(stage, "")


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
                path = _stage_path(final, rng)
                times = _history(path, now, rng, stalled=rng.random() < 0.2)
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
            Deal.objects.bulk_create(deals, batch_size=1000)
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
            StageChange.objects.bulk_create(changes, batch_size=5000)
            _bulk_collaboration(deals, start + made, extra, departments, people)
        made += size
    return made


# Bulk volumes per deal, as a large company's desk has them: at 10,000 deals about
# 48,000 reviews, 30,000 terms (one revision each) and 20,000 concerns.
BULK_REVIEWING = (Stage.REVIEW, Stage.NEGOTIATION, Stage.APPROVED, Stage.SIGNED, Stage.LIVE)
BULK_TERMS = dict.fromkeys(BULK_REVIEWING, 5) | {Stage.BUSINESS_CASE: 2}
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


def _bulk_review_status(deal: Deal, rng: random.Random, today: dt.date):
    """Status and due date of one bulk review, by the deal's stage."""
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


def _bulk_collaboration(
    deals: list[Deal], first: int, rng: random.Random, departments, people: dict[str, list[User]]
) -> None:
    """Reviews, terms with their first revision, and concerns for bulk deals, in bulk."""
    from stakeholders.models import Concern

    from .models import Term, TermRevision

    today = timezone.localdate()
    slugs = [slug for slug in BULK_DEPARTMENTS if slug in departments]
    raisers = [user for slug in slugs for user in people.get(slug, [])] or [None]
    reviews, terms, concerns = [], [], []
    for n, deal in enumerate(deals, start=first):
        big = _is_big(n)
        # Every department reviews, except at intake where three take an early look.
        for slug in slugs[:3] if deal.stage == Stage.INTAKE else slugs:
            status, due = _bulk_review_status(deal, rng, today)
            decided = status != ReviewStatus.PENDING
            members = people.get(slug) or [None]
            reviewer = members[n % len(members)]
            reviews.append(
                Review(
                    deal=deal,
                    department=departments[slug],
                    reviewer=reviewer,
                    status=status,
                    due_on=due,
                    decided_by=reviewer if decided else None,
                    decided_at=deal.stage_changed_at if decided else None,
                    decision_text=DECISION_TEXTS[status] if decided else "",
                    conditions="Liability cap to be confirmed in the final draft."
                    if status == ReviewStatus.APPROVED_WITH_CONDITIONS
                    else "",
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
    Review.objects.bulk_create(reviews, batch_size=5000)
    Term.objects.bulk_create(terms, batch_size=5000)
    TermRevision.objects.bulk_create(
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
        batch_size=5000,
    )
    Concern.objects.bulk_create(concerns, batch_size=5000)
