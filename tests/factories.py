"""factory_boy factories: the smallest valid objects, overridable per test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from deals.models import Deal, Stage, StageChange
from partnerships.models import Partner, PartnerKind, Partnership, PartnershipGoal, StrategicGoal
from stakeholders.models import Department, Membership, Review, ReviewStatus, Role, User

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
