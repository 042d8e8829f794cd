"""Value pages: who may see and write them, what they show, and their query budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import freshness
from core.models import AuditEvent
from deals.models import Deal, Stage
from metrics import business_case, services
from metrics.models import BusinessCase, CaseYear, JourneyStage, Outcome
from metrics.selectors import value_summary
from tests.factories import (
    AssumptionFactory,
    BusinessCaseFactory,
    CheckInFactory,
    DealFactory,
    JourneyStageFactory,
    OutcomeMetricFactory,
    PartnershipGoalFactory,
    StrategicGoalFactory,
)

pytestmark = pytest.mark.django_db


def value_pages(deal) -> list[str]:
    metric = OutcomeMetricFactory(deal=deal)
    case = BusinessCaseFactory(deal=deal)
    stage = JourneyStageFactory(deal=deal)
    return [
        reverse("metric_create", args=[deal.pk]),
        reverse("metric_detail", args=[metric.pk]),
        reverse("metric_edit", args=[metric.pk]),
        reverse("business_case_edit", args=[deal.pk]),
        reverse("business_case_compare", args=[deal.pk]),
        reverse("business_case_sign_off", args=[case.pk]),
        reverse("journey", args=[deal.pk]),
        reverse("journey_stage_edit", args=[stage.pk]),
    ]


def test_outsiders_get_404_on_every_value_page_of_a_confidential_deal(
    client_for, personas, confidential_deal
):
    client = client_for(personas.outsider)
    for url in value_pages(confidential_deal):
        assert client.get(url).status_code == 404, url
    metric = confidential_deal.metrics.get()
    stage = confidential_deal.journey_stages.get()
    assert client.post(reverse("check_in_create", args=[metric.pk]), {}).status_code == 404
    assert client.post(reverse("journey_stage_move", args=[stage.pk]), {}).status_code == 404


def test_reviewers_read_value_pages_but_get_403_on_writes(client_for, personas, deal):
    urls = value_pages(deal)
    client = client_for(personas.legal)
    metric = deal.metrics.get()
    stage = deal.journey_stages.get()
    for url in (urls[1], urls[4], urls[6]):
        assert client.get(url).status_code == 200, url
    for url in (urls[0], urls[2], urls[3], urls[5], urls[7]):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("check_in_create", args=[metric.pk]), {"actual": "1"}).status_code
        == 403
    )
    assert (
        client.post(reverse("journey_stage_move", args=[stage.pk]), {"direction": "up"}).status_code
        == 403
    )
    assert client.post(urls[3], {}).status_code == 403
    assert BusinessCase.objects.count() == 1


def test_finance_signs_off_from_the_deal_page_and_the_owner_may_not(client_for, personas, deal):
    case = BusinessCaseFactory(deal=deal)
    url = reverse("business_case_sign_off", args=[case.pk])
    assert client_for(personas.owner).post(url).status_code == 403
    page = client_for(personas.finance).get(deal.get_absolute_url()).content.decode()
    assert "Sign off version 1 for Finance" in page

    response = client_for(personas.finance).post(url, {"note": "Within budget"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.signed_off_by == personas.finance
    again = client_for(personas.finance).post(url)
    assert again.status_code == 422
    assert "already signed off" in again.content.decode()


def test_the_deal_page_shows_the_value_summary_before_the_terms(client_for, personas, deal):
    goal = StrategicGoalFactory(title="Customer experience")
    PartnershipGoalFactory(partnership=deal.partnership, goal=goal, fit_score=5)
    OutcomeMetricFactory(deal=deal, name="Onboarding days", is_headline=True)
    BusinessCaseFactory(deal=deal)
    JourneyStageFactory(deal=deal, name="Sign up")

    html = client_for(personas.legal).get(deal.get_absolute_url()).content.decode()

    # The why comes first: the overview's value card, then the Value group, then the terms.
    summary = html.index("Why this deal")
    value = html.index('id="value"')
    assert summary < value < html.index('id="terms-title"')
    for text in ("Onboarding days", "Net present value"):
        assert text in html[summary:value], text
    for text in ("Customer experience", "Sign up"):
        assert text in html[value:], text
    assert 'role="img"' in html and "<title" in html  # the charts are labelled images
    assert "style=" not in html.split("<main", 1)[1]  # the CSP allows no inline style


def test_the_value_summary_runs_three_queries_and_prefers_headline_metrics(
    personas, deal, django_assert_num_queries
):
    OutcomeMetricFactory(deal=deal, name="Side metric")
    OutcomeMetricFactory(deal=deal, name="Headline", is_headline=True)
    BusinessCaseFactory(deal=deal, version=1, signed_off_at=timezone.now())
    BusinessCaseFactory(deal=deal, version=2)
    with django_assert_num_queries(3):
        summary = value_summary(deal)
    assert [m.name for m in summary["metrics"]] == ["Headline", "Side metric"]
    assert summary["case"].version == 1  # the signed-off version governs
    assert summary["awaiting_version"] == 2
    # -50,000 / 1.08 + 180,000 / 1.08² + 180,000 / 1.08³ = 250,914.49
    assert summary["case"].npv == Decimal("250914.49")


def build_value(deal, *, metrics: int, check_ins: int, versions: int, stages: int) -> None:
    today = timezone.localdate()
    for _ in range(metrics):
        metric = OutcomeMetricFactory(deal=deal)
        for n in range(check_ins):
            CheckInFactory(metric=metric, date=today - dt.timedelta(days=7 * n + 1))
        metric.latest_on, metric.latest_value = today, Decimal(60)
        metric.save()
    for version in range(1, versions + 1):
        case = BusinessCaseFactory(deal=deal, version=version, signed_off_at=timezone.now())
        for _ in range(3):
            AssumptionFactory(business_case=case)
    for _ in range(stages):
        JourneyStageFactory(deal=deal, metric=deal.metrics.first())


@pytest.mark.parametrize(
    "size",
    [
        {"metrics": 1, "check_ins": 1, "versions": 1, "stages": 1},
        {"metrics": 8, "check_ins": 15, "versions": 6, "stages": 10},
    ],
)
@pytest.mark.parametrize("who", ["owner", "finance"])
def test_the_deal_page_runs_a_fixed_number_of_queries_whatever_the_value_data(
    client_for, personas, partnership, django_assert_max_num_queries, size, who
):
    deal = DealFactory(
        partnership=partnership, owner=personas.owner, sponsor=personas.executive, stage=Stage.LIVE
    )
    build_value(deal, **size)
    # A newer draft makes the page show both the signed-off and the draft version.
    BusinessCaseFactory(deal=deal, version=size["versions"] + 1)
    client = client_for(getattr(personas, who))
    # +1 the Reviews (N) count, +1 the unread badge, +1 a signed or live deal's agreement
    with django_assert_max_num_queries(23):
        response = client.get(deal.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["value_metrics"]) == size["metrics"]


def test_the_deal_page_query_count_does_not_grow_with_value_data(client_for, personas, partnership):
    counts = []
    for size in (1, 9):
        deal = DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.LIVE,
        )
        build_value(deal, metrics=size, check_ins=size, versions=size, stages=size)
        client = client_for(personas.owner)
        freshness.bump()  # factories skip the audited services: drop cached counts
        with CaptureQueriesContext(connection) as queries:
            client.get(deal.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def live_portfolio(partnership, personas, count: int) -> None:
    goal = StrategicGoalFactory()
    PartnershipGoalFactory(partnership=partnership, goal=goal)
    for _ in range(count):
        deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.LIVE)
        build_value(deal, metrics=2, check_ins=3, versions=2, stages=0)
        case = deal.business_cases.first()
        AssumptionFactory(business_case=case, outcome=Outcome.BROKEN, outcome_at=timezone.now())


@pytest.mark.parametrize("url", ["goals", "portfolio"])
def test_goals_and_portfolio_run_a_fixed_number_of_queries(client_for, personas, partnership, url):
    client = client_for(personas.executive)
    counts = []
    for count in (2, 30):
        live_portfolio(partnership, personas, count)
        freshness.bump()  # factories skip the audited services: drop cached summaries
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url)).status_code == 200
        counts.append(len(queries))
    # The portfolio also reads the exchange rates for its totals (issue 14).
    assert counts[0] == counts[1] <= (15 if url == "portfolio" else 14), counts


def test_the_portfolio_shows_which_partnerships_deliver(client_for, personas, partnership):
    from tests.factories import PartnershipFactory

    laggard = PartnershipFactory(sponsor=personas.executive)
    start = timezone.localdate() - dt.timedelta(days=200)
    for owner_partnership, actual in ((partnership, Decimal(70)), (laggard, Decimal(41))):
        deal = DealFactory(partnership=owner_partnership, stage=Stage.LIVE)
        OutcomeMetricFactory(
            deal=deal,
            start_date=start,
            target_date=start + dt.timedelta(days=300),
            latest_value=actual,
            latest_on=timezone.localdate(),
        )
    context = client_for(personas.executive).get(reverse("portfolio")).context
    verdicts = {p["pk"]: p["delivery"].verdict for p in context["partnerships"]}
    assert verdicts == {partnership.pk: "Delivering", laggard.pk: "Falling short"}
    assert context["partnerships"][0]["pk"] == partnership.pk  # the best first


def test_the_goals_page_shows_deals_fit_and_value_and_hides_confidential_ones(
    client_for, personas, partnership, confidential_deal
):
    goal = StrategicGoalFactory(title="Global expansion")
    PartnershipGoalFactory(partnership=partnership, goal=goal, fit_score=5)
    deal = DealFactory(partnership=partnership, title="Gulf distribution")
    Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(1500))

    html = client_for(personas.outsider).get(reverse("goals")).content.decode()
    assert "Global expansion" in html and "Gulf distribution" in html and "1,500" in html
    assert confidential_deal.title not in html
    detail = client_for(personas.outsider).get(reverse("goal_detail", args=[goal.pk]))
    assert [d.title for d in detail.context["page"].object_list] == ["Gulf distribution"]


def test_the_goal_page_paginates_its_deals(client_for, personas, partnership):
    goal = StrategicGoalFactory()
    PartnershipGoalFactory(partnership=partnership, goal=goal)
    DealFactory.create_batch(27, partnership=partnership)
    response = client_for(personas.executive).get(
        reverse("goal_detail", args=[goal.pk]), {"page": 2}
    )
    assert len(response.context["page"].object_list) == 2


def test_the_dashboard_lists_stalled_deals_by_cost_of_delay_within_its_budget(
    client_for, personas, partnership, django_assert_max_num_queries
):
    old = timezone.now() - dt.timedelta(days=60)
    for n, cost in enumerate((500, 3000, 1200)):
        deal = DealFactory(
            partnership=partnership, title=f"Stalled {n}", stage=Stage.REVIEW, stage_changed_at=old
        )
        Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(cost))
    moving = DealFactory(partnership=partnership, title="Moving", stage=Stage.REVIEW)
    Deal.objects.filter(pk=moving.pk).update(weekly_cost_of_delay=Decimal(9000))
    client = client_for(personas.executive)
    client.get("/")
    freshness.bump()  # the body is cached: measure the page computed afresh
    with django_assert_max_num_queries(20):  # the dashboard's budget (tests/deals)
        tiles = client.get("/").context["tiles"]
    assert [d.title for d in tiles["stalled_by_cost"]] == ["Stalled 1", "Stalled 2", "Stalled 0"]
    assert tiles["stalled_cost"].amount == Decimal(4700)


def test_compare_shows_two_versions_side_by_side(client_for, personas, deal):
    business_case.business_case_save(
        deal=deal,
        user=personas.owner,
        discount_rate=Decimal(8),
        years=[
            {
                "year": 1,
                "revenue_growth": 100,
                "cost_savings": 0,
                "one_off_costs": 0,
                "running_costs": 0,
            }
        ],
        assumptions=[],
    )
    business_case.business_case_sign_off(
        business_case=BusinessCase.objects.get(), user=personas.finance
    )
    business_case.business_case_save(
        deal=deal,
        user=personas.owner,
        discount_rate=Decimal(10),
        years=[
            {
                "year": 1,
                "revenue_growth": 150,
                "cost_savings": 0,
                "one_off_costs": 0,
                "running_costs": 0,
            }
        ],
        assumptions=[],
    )
    response = client_for(personas.legal).get(reverse("business_case_compare", args=[deal.pk]))
    assert (response.context["a"].version, response.context["b"].version) == (1, 2)
    html = response.content.decode()
    assert "+50" in html  # year 1 net
    assert CaseYear.objects.count() == 2


def test_reordering_the_journey_with_htmx_returns_the_list(client_for, personas, deal):
    JourneyStageFactory(deal=deal, name="Find")
    second = JourneyStageFactory(deal=deal, name="Buy")
    response = client_for(personas.owner).post(
        reverse("journey_stage_move", args=[second.pk]), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="journey-list"')
    assert html.index("Buy") < html.index("Find")
    assert list(JourneyStage.objects.values_list("name", flat=True)) == ["Buy", "Find"]


def test_editing_a_journey_stage_audits_the_old_and_new_text(client_for, personas, deal):

    stage = JourneyStageFactory(deal=deal, name="Sign up", touchpoint="Website")
    response = client_for(personas.owner).post(
        reverse("journey_stage_edit", args=[stage.pk]),
        {"name": "Sign up", "touchpoint": "Mobile app", "pain": "", "change": "", "metric": ""},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="edited", object_id=stage.pk)
    assert event.before["touchpoint"] == "Website"
    assert event.after["touchpoint"] == "Mobile app"


def test_a_check_in_is_corrected_and_the_old_figure_stays_in_the_history(
    client_for, personas, deal
):

    metric = OutcomeMetricFactory(deal=deal)
    today = timezone.localdate()
    services.check_in_record(
        metric=metric, user=personas.owner, date=today - dt.timedelta(days=7), actual=Decimal("55")
    )
    newest = services.check_in_record(
        metric=metric,
        user=personas.owner,
        date=today,
        actual=Decimal("600"),  # a typo
    )
    client = client_for(personas.owner)
    url = reverse("check_in_edit", args=[newest.pk])
    page = client.get(url).content.decode()
    assert 'value="600' in page and "Correct the check-in of" in page
    assert url in client.get(metric.get_absolute_url()).content.decode()
    response = client.post(url, {"date": today.isoformat(), "actual": "60", "note": "Typo"})
    assert response.status_code == 302
    metric.refresh_from_db()
    assert metric.latest_value == Decimal("60")
    event = AuditEvent.objects.get(action="edited", object_id=newest.pk)
    assert event.before["actual"] == "600.0000" and event.after["actual"] == "60.0000"


def test_a_correction_onto_another_check_ins_date_is_refused_at_the_field(
    client_for, personas, deal
):
    metric = OutcomeMetricFactory(deal=deal)
    today = timezone.localdate()
    earlier = services.check_in_record(
        metric=metric, user=personas.owner, date=today - dt.timedelta(days=7), actual=Decimal("55")
    )
    services.check_in_record(metric=metric, user=personas.owner, date=today, actual=Decimal("60"))
    response = client_for(personas.owner).post(
        reverse("check_in_edit", args=[earlier.pk]), {"date": today.isoformat(), "actual": "56"}
    )
    assert response.status_code == 422
    assert "There is already a check-in on this date." in response.content.decode()
    earlier.refresh_from_db()
    assert earlier.actual == Decimal("55")


def test_only_those_who_record_check_ins_correct_them(client_for, personas, deal):
    metric = OutcomeMetricFactory(deal=deal)
    check_in = services.check_in_record(
        metric=metric, user=personas.owner, date=timezone.localdate(), actual=Decimal("55")
    )
    url = reverse("check_in_edit", args=[check_in.pk])
    assert client_for(personas.legal).get(url).status_code == 403
    assert client_for(personas.legal).post(url, {"actual": "1"}).status_code == 403


def test_the_add_a_year_row_extends_the_formset_and_stops_at_ten(client_for, personas, deal):
    url = reverse("business_case_year_row", args=[deal.pk])
    client = client_for(personas.owner)
    html = client.get(url, {"index": 3}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="years-3-year"' in html and 'name="years-3-DELETE"' in html
    assert 'name="years-TOTAL_FORMS" value="4" id="id_years-TOTAL_FORMS" hx-swap-oob' in html
    assert "index=4" in html
    last = client.get(url, {"index": 9}).content.decode()
    assert "Ten years is the most" in last
    assert client.get(url, {"index": 10}).status_code == 400
    assert client.get(url, {"index": "x"}).status_code == 400
    assert client_for(personas.legal).get(url, {"index": 1}).status_code == 403


def test_a_note_only_correction_records_no_change_of_value(client_for, personas, deal):

    metric = OutcomeMetricFactory(deal=deal)
    check_in = services.check_in_record(
        metric=metric, user=personas.owner, date=timezone.localdate(), actual=Decimal("12")
    )
    client_for(personas.owner).post(
        reverse("check_in_edit", args=[check_in.pk]),
        {"date": timezone.localdate().isoformat(), "actual": "12", "note": "Source: CRM"},
    )
    event = AuditEvent.objects.get(action="edited", object_id=check_in.pk)
    assert event.before == {"note": ""} and event.after == {"note": "Source: CRM"}
