"""Writes to a deal's business value: versions, sign-off, check-ins, journey, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Deal, Stage
from metrics import business_case, services
from metrics.models import Assumption, BusinessCase, CheckIn, Outcome
from tests.factories import (
    AssumptionFactory,
    BusinessCaseFactory,
    JourneyStageFactory,
    OutcomeMetricFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def years(benefit: int = 104_000, running: int = 0, one_off: int = 50_000) -> list[dict]:
    return [
        {
            "year": n,
            "revenue_growth": D(benefit),
            "cost_savings": D(0),
            "one_off_costs": D(one_off if n == 1 else 0),
            "running_costs": D(running),
        }
        for n in (1, 2)
    ]


def save(deal, user, **overrides):
    data = {
        "deal": deal,
        "user": user,
        "discount_rate": D(8),
        "years": years(),
        "assumptions": [{"statement": "Customers switch.", "owner": None, "confidence": "high"}],
    }
    data.update(overrides)
    return business_case.business_case_save(**data)


def stored_cost_of_delay(deal) -> Decimal:
    return Deal.objects.get(pk=deal.pk).weekly_cost_of_delay


def test_the_first_save_makes_version_one_and_an_audit_event(deal, personas):
    case = save(deal, personas.owner)

    assert case.version == 1
    assert not case.is_signed_off
    assert [y.year for y in case.year_rows] == [1, 2]
    assert case.assumptions.get().statement == "Customers switch."
    event = AuditEvent.objects.get(object_type="metrics.businesscase", action="created")
    assert event.actor == personas.owner
    assert event.deal == deal
    assert event.after["version"] == 1


def test_editing_a_draft_changes_it_in_place(deal, personas):
    first = save(deal, personas.owner)
    again = save(deal, personas.owner, discount_rate=D(12), based_on=1)

    assert again.pk == first.pk
    assert BusinessCase.objects.filter(deal=deal).count() == 1
    assert again.discount_rate == D(12)
    assert (
        AuditEvent.objects.filter(action="edited", object_type="metrics.businesscase").count() == 1
    )


def test_saving_the_same_figures_again_changes_nothing(deal, personas):
    save(deal, personas.owner)
    save(deal, personas.owner, based_on=1)
    assert AuditEvent.objects.filter(object_type="metrics.businesscase").count() == 1


def test_only_finance_signs_off(deal, personas):
    case = save(deal, personas.owner)
    for person in (personas.owner, personas.executive, personas.legal, personas.admin):
        with pytest.raises(PermissionDenied):
            business_case.business_case_sign_off(business_case=case, user=person)
    signed = business_case.business_case_sign_off(
        business_case=case, user=personas.finance, note="OK"
    )

    assert signed.is_signed_off
    assert signed.signed_off_by == personas.finance
    assert AuditEvent.objects.filter(action="signed off", actor=personas.finance).exists()


def test_a_signed_off_version_is_locked_and_a_change_makes_a_new_version(deal, personas):
    case = save(deal, personas.owner)
    assumption = case.assumptions.get()
    Assumption.objects.filter(pk=assumption.pk).update(outcome=Outcome.HELD, outcome_evidence="Yes")
    business_case.business_case_sign_off(business_case=case, user=personas.finance)

    second = save(
        deal,
        personas.owner,
        years=years(benefit=90_000),
        based_on=1,
        assumptions=[
            {"id": assumption.pk, "statement": "Customers switch.", "confidence": "high"},
            {"statement": "Prices hold.", "confidence": "low"},
        ],
    )

    assert second.version == 2
    assert not second.is_signed_off
    first = BusinessCase.objects.get(pk=case.pk)
    assert first.is_signed_off
    assert [y.revenue_growth for y in first.year_rows] == [D(104_000), D(104_000)]
    assert [y.revenue_growth for y in second.year_rows] == [D(90_000), D(90_000)]
    assert first.assumptions.count() == 1
    carried = second.assumptions.order_by("position")
    assert [a.statement for a in carried] == ["Customers switch.", "Prices hold."]
    assert carried[0].outcome == Outcome.HELD  # the lesson travels with the assumption


def test_an_old_version_cannot_be_signed_off(deal, personas):
    first = save(deal, personas.owner)
    business_case.business_case_sign_off(business_case=first, user=personas.finance)
    save(deal, personas.owner, discount_rate=D(9), based_on=1)
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="not the newest"):
        business_case.business_case_sign_off(business_case=first, user=personas.finance)


def test_a_version_is_signed_off_once(deal, personas):
    case = save(deal, personas.owner)
    business_case.business_case_sign_off(business_case=case, user=personas.finance)
    with pytest.raises(ValidationError, match="already signed off"):
        business_case.business_case_sign_off(business_case=case, user=personas.finance)
    assert AuditEvent.objects.filter(action="signed off").count() == 1


def test_a_save_on_top_of_someone_elses_version_is_refused(deal, personas):
    case = save(deal, personas.owner)
    business_case.business_case_sign_off(business_case=case, user=personas.finance)
    save(deal, personas.executive, discount_rate=D(10), based_on=1)  # makes version 2
    with pytest.raises(ValidationError, match="Version 2 was saved"):
        save(deal, personas.owner, discount_rate=D(11), based_on=1)
    assert BusinessCase.objects.filter(deal=deal).count() == 2


def test_reviewers_cannot_write_the_business_case(deal, personas):
    with pytest.raises(PermissionDenied):
        save(deal, personas.finance)
    assert not BusinessCase.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"discount_rate": D(101)}, "between 0 and 100"),
        ({"years": []}, "at least one year"),
        ({"years": [{**years()[0], "year": 11}]}, "from 1 to 10"),
        ({"years": [years()[0], years()[0]]}, "appears once"),
        ({"years": [{**years()[0], "running_costs": D(-1)}]}, "cannot be negative"),
    ],
)
def test_the_service_refuses_a_case_that_breaks_the_rules(deal, personas, overrides, message):
    with pytest.raises(ValidationError, match=message):
        save(deal, personas.owner, **overrides)
    assert not BusinessCase.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_cost_of_delay_follows_the_signed_off_version_else_the_newest(deal, personas):
    assert stored_cost_of_delay(deal) == D(0)
    # 104,000 a year over 52 weeks; the one-off cost does not count.
    case = save(deal, personas.owner)
    assert stored_cost_of_delay(deal) == D("2000.00")
    business_case.business_case_sign_off(business_case=case, user=personas.finance)
    assert stored_cost_of_delay(deal) == D("2000.00")

    draft = save(deal, personas.owner, years=years(benefit=208_000), based_on=1)
    # An unsigned draft does not move the figure the signed-off case set.
    assert stored_cost_of_delay(deal) == D("2000.00")
    business_case.business_case_sign_off(business_case=draft, user=personas.finance)
    assert stored_cost_of_delay(deal) == D("4000.00")

    save(deal, personas.owner, years=years(benefit=52_000, running=52_000 + 5_200), based_on=2)
    business_case.business_case_sign_off(
        business_case=BusinessCase.objects.get(deal=deal, version=3), user=personas.finance
    )
    assert stored_cost_of_delay(deal) == D("0.00")  # a loss-making case costs nothing to delay


def test_check_ins_keep_the_metrics_latest_value(deal, personas):
    metric = OutcomeMetricFactory(deal=deal)
    today = timezone.localdate()
    services.check_in_record(metric=metric, user=personas.owner, date=today, actual=D(55))
    services.check_in_record(
        metric=metric, user=personas.owner, date=today - dt.timedelta(days=30), actual=D(45)
    )
    metric.refresh_from_db()
    assert (metric.latest_on, metric.latest_value) == (today, D(55))

    services.check_in_delete(check_in=CheckIn.objects.get(date=today), user=personas.owner)
    metric.refresh_from_db()
    assert metric.latest_value == D(45)
    assert AuditEvent.objects.filter(object_type="metrics.checkin").count() == 3


def test_the_metric_owner_records_check_ins_but_others_may_not(deal, personas):
    metric = OutcomeMetricFactory(deal=deal, owner=personas.it)
    services.check_in_record(
        metric=metric, user=personas.it, date=timezone.localdate(), actual=D(1)
    )
    with pytest.raises(PermissionDenied):
        services.check_in_record(
            metric=metric, user=personas.legal, date=timezone.localdate(), actual=D(2)
        )
    with pytest.raises(PermissionDenied):
        services.metric_update(metric=metric, user=personas.it, data={"name": "Mine now"})


def test_a_second_check_in_on_the_same_day_is_refused(deal, personas):
    metric = OutcomeMetricFactory(deal=deal)
    today = timezone.localdate()
    services.check_in_record(metric=metric, user=personas.owner, date=today, actual=D(1))
    with pytest.raises(ValidationError, match="already a check-in"):
        services.check_in_record(metric=metric, user=personas.owner, date=today, actual=D(2))


def test_moving_a_journey_stage_renumbers_the_journey(deal, personas):
    first, second, third = (JourneyStageFactory(deal=deal, position=n * 10) for n in range(3))

    order = services.journey_stage_move(stage=third, user=personas.owner, direction="up")

    assert [s.pk for s in order] == [first.pk, third.pk, second.pk]
    assert list(deal.journey_stages.values_list("pk", "position")) == [
        (first.pk, 0),
        (third.pk, 1),
        (second.pk, 2),
    ]
    assert AuditEvent.objects.filter(action="moved", object_type="metrics.journeystage").exists()
    # The first stage cannot move further up: nothing changes, nothing is audited.
    services.journey_stage_move(stage=first, user=personas.owner, direction="up")
    assert AuditEvent.objects.filter(action="moved").count() == 1


def test_assumptions_are_judged_only_after_signing_and_with_evidence(personas, partnership):
    from tests.factories import DealFactory

    deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.REVIEW)
    case = BusinessCaseFactory(deal=deal, signed_off_at=timezone.now())
    assumption = AssumptionFactory(business_case=case)
    with pytest.raises(ValidationError, match="once the deal is signed"):
        business_case.assumption_assess(
            assumption=assumption, user=personas.owner, outcome="held", evidence="Yes"
        )
    Deal.objects.filter(pk=deal.pk).update(stage=Stage.LIVE)
    assumption.business_case.deal.stage = Stage.LIVE
    with pytest.raises(ValidationError, match="evidence"):
        business_case.assumption_assess(
            assumption=assumption, user=personas.owner, outcome="broken", evidence=" "
        )
    judged = business_case.assumption_assess(
        assumption=assumption, user=personas.owner, outcome="broken", evidence="Took a year."
    )
    assert (judged.outcome, judged.outcome_evidence) == (Outcome.BROKEN, "Took a year.")
    assert AuditEvent.objects.filter(action="assessed").exists()
