"""factory_boy factories: the smallest valid objects, overridable per test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from deals.models import (
    Deal,
    Decision,
    DecisionKind,
    Stage,
    StageChange,
    Term,
    TermCategory,
    TermRevision,
)
from partnerships.models import Partner, PartnerKind, Partnership, PartnershipGoal, StrategicGoal
from stakeholders.models import (
    Concern,
    Department,
    Membership,
    Review,
    ReviewStatus,
    Role,
    Severity,
    User,
    WorkingSession,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[r.value for r in extracted]))
        if create:
            self.save()


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    kind = PartnerKind.TECHNOLOGY
    country = "Germany"


class StrategicGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicGoal

    title = factory.Sequence(lambda n: f"Goal {n}")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    partner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"Alliance {n}")
    sponsor = factory.SubFactory(UserFactory, roles=[Role.EXECUTIVE])


class PartnershipGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipGoal

    partnership = factory.SubFactory(PartnershipFactory)
    goal = factory.SubFactory(StrategicGoalFactory)
    rationale = "It serves the goal."
    fit_score = 4


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Deal number {n}")
    summary = "Why we want this deal."
    owner = factory.SubFactory(UserFactory, roles=[Role.OWNER])
    sponsor = factory.LazyAttribute(lambda deal: deal.partnership.sponsor)
    stage = Stage.INTAKE
    stage_changed_at = factory.LazyFunction(timezone.now)
    contract_value = Decimal("250000.00")
    expected_annual_value = Decimal("120000.00")
    term_months = 36
    target_signature_date = factory.LazyFunction(
        lambda: timezone.localdate() + dt.timedelta(days=60)
    )

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if create:
            StageChange.objects.create(
                deal=self,
                from_stage="",
                to_stage=self.stage,
                by=self.owner,
                at=self.stage_changed_at,
            )


def department(slug: str) -> Department:
    return Department.objects.get(slug=slug)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    deal = factory.SubFactory(DealFactory, stage=Stage.REVIEW)
    department = factory.LazyFunction(lambda: department("legal"))
    status = ReviewStatus.PENDING
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=5))


def make_member(user: User, slug: str) -> User:
    Membership.objects.get_or_create(user=user, department=department(slug))
    return user


class TermFactory(factory.django.DjangoModelFactory):
    """A term as deals.services.term_create leaves it: version 1 and its revision 1.

    No audit row ("term added"): tests of what the service records call the service.
    """

    class Meta:
        model = Term
        skip_postgeneration_save = True

    deal = factory.SubFactory(DealFactory, stage=Stage.REVIEW)
    category = TermCategory.PRICE
    title = factory.Sequence(lambda n: f"Term {n}")
    wording = factory.Sequence(lambda n: f"Wording {n}.")
    department = factory.LazyFunction(lambda: department("procurement"))
    version = 1
    updated_by = factory.LazyAttribute(lambda term: term.deal.owner)

    @factory.post_generation
    def first_revision(self, create, extracted, **kwargs):
        # term_create writes revision 1 with the first wording, in the deal's current round.
        if create:
            TermRevision.objects.create(
                term=self,
                number=1,
                round=self.deal.revision_rounds,
                by=self.updated_by,
                new_wording=self.wording,
            )


class ConcernFactory(factory.django.DjangoModelFactory):
    """An open concern, not blocking, raised by a reviewer (no audit row)."""

    class Meta:
        model = Concern

    deal = factory.SubFactory(DealFactory, stage=Stage.REVIEW)
    title = factory.Sequence(lambda n: f"Concern {n}")
    detail = "What worries us, and why."
    severity = Severity.MEDIUM
    raised_by = factory.SubFactory(UserFactory, roles=[Role.REVIEWER])


class WorkingSessionFactory(factory.django.DjangoModelFactory):
    """A session tomorrow organised by the deal's owner; departments and invitees by list."""

    class Meta:
        model = WorkingSession
        skip_postgeneration_save = True

    deal = factory.SubFactory(DealFactory, stage=Stage.REVIEW)
    title = factory.Sequence(lambda n: f"Working session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    agenda = "Walk through the open terms."
    organiser = factory.LazyAttribute(lambda session: session.deal.owner)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def invitees(self, create, extracted, **kwargs):
        if create and extracted:
            self.invitees.set(extracted)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A trade-off recorded by the deal's sponsor (no audit row; decision_record writes one)."""

    class Meta:
        model = Decision

    deal = factory.SubFactory(DealFactory, stage=Stage.NEGOTIATION)
    kind = DecisionKind.TRADE_OFF
    title = factory.Sequence(lambda n: f"Decision {n}")
    rationale = "Speed to market is worth more than the premium."
    decided_by = factory.LazyAttribute(lambda decision: decision.deal.sponsor)


# Business value (metrics app)

from metrics.models import (  # noqa: E402
    Assumption,
    BusinessCase,
    CaseYear,
    CheckIn,
    Direction,
    JourneyStage,
    OutcomeMetric,
)


class OutcomeMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeMetric

    deal = factory.SubFactory(DealFactory)
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "%"
    baseline = Decimal("40")
    target = Decimal("80")
    direction = Direction.INCREASE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=265))


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in written straight to the table; tests of the latest value use the service."""

    class Meta:
        model = CheckIn

    metric = factory.SubFactory(OutcomeMetricFactory)
    date = factory.Sequence(lambda n: timezone.localdate() - dt.timedelta(days=n + 1))
    actual = Decimal("50")


class BusinessCaseFactory(factory.django.DjangoModelFactory):
    """A version with three years of money; `years=[...]` dicts override them."""

    class Meta:
        model = BusinessCase
        skip_postgeneration_save = True

    deal = factory.SubFactory(DealFactory)
    # The deal's next version number.
    version = factory.LazyAttribute(lambda case: case.deal.business_cases.count() + 1)
    discount_rate = Decimal("8")

    @factory.post_generation
    def years(self, create, extracted, **kwargs):
        if not create:
            return
        rows = extracted or [
            {"year": 1, "cost_savings": Decimal("100000"), "one_off_costs": Decimal("150000")},
            {"year": 2, "cost_savings": Decimal("200000"), "running_costs": Decimal("20000")},
            {"year": 3, "cost_savings": Decimal("200000"), "running_costs": Decimal("20000")},
        ]
        CaseYear.objects.bulk_create(CaseYear(business_case=self, **row) for row in rows)


class AssumptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assumption

    business_case = factory.SubFactory(BusinessCaseFactory)
    statement = factory.Sequence(lambda n: f"Assumption {n} holds.")
    evidence = "A pilot."


class JourneyStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyStage

    deal = factory.SubFactory(DealFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Step {n}")
    touchpoint = "Website"
    pain = "Slow."
    change = "Fast."
