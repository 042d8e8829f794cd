"""The arithmetic: percentiles on a known set, small samples hidden, business days,
on-hold time left out, who each deal waits on."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from analytics.days import business_days, calendar_days
from analytics.figures import where_time_goes
from analytics.filters import AnalyticsFilterForm
from analytics.models import IntervalKind
from analytics.stats import Figure, percentile
from analytics.templatetags.analytics import figure
from deals.models import Stage
from deals.services import deal_request_decision
from stakeholders.models import ReviewStatus
from tests.analytics.helpers import interval
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
HALF_A_PER_CENT = 0.005  # analytics.tally: a bucket's value is that close to its lengths


def _figures(user, **query):
    return where_time_goes(user, AnalyticsFilterForm(query or None))


def _row(rows, stage):
    return next(row for row in rows if row.stage == stage)


def test_percentiles_interpolate_as_percentile_cont():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.5) == pytest.approx(5.5)
    assert percentile(values, 0.75) == pytest.approx(7.75)
    assert percentile(values, 0.9) == pytest.approx(9.1)
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([], 0.5) is None


def test_the_funnel_computes_percentiles_of_a_known_set_in_the_database(personas, deal):
    # Read from the interval tally's buckets: within half a per cent of percentile_cont.
    for days in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        interval(deal, days=days, stage=Stage.REVIEW)
    review = _row(_figures(personas.executive)["stages"], Stage.REVIEW)
    assert review.left == 10
    assert review.p50.value == pytest.approx(5.5, rel=HALF_A_PER_CENT)
    assert review.p75.value == pytest.approx(7.75, rel=HALF_A_PER_CENT)
    assert review.p90.value == pytest.approx(9.1, rel=HALF_A_PER_CENT)
    assert figure(review.p50, 1) == "5.5"


def test_a_figure_from_fewer_than_five_cases_is_not_shown(personas, deal):
    for days in (1, 2, 3, 4):
        interval(deal, days=days, stage=Stage.INTAKE)
    intake = _row(_figures(personas.executive)["stages"], Stage.INTAKE)
    assert intake.left == 4 and not intake.p50.shown
    assert figure(intake.p50, 1) == "fewer than 5"
    assert figure(Figure(3.25, 5), 1) == "3.2"
    assert figure(Figure(None, 0)) == "—"


def test_time_on_hold_is_left_out_of_the_stage_it_interrupted(personas, deal):
    # Review 3 days, on hold 30 days, Review again 2 days: two stays of Review, no hold.
    for days in (3, 2, 4, 5, 6):
        interval(deal, days=days, stage=Stage.REVIEW)
    interval(deal, days=30, stage=Stage.ON_HOLD)
    stages = _figures(personas.executive)["stages"]
    assert Stage.ON_HOLD not in [row.stage for row in stages]
    assert _row(stages, Stage.REVIEW).p90.value < 30


def test_business_days_leave_the_weekend_out():
    friday = dt.datetime(2026, 3, 6, 17, 0, tzinfo=LONDON)
    monday = dt.datetime(2026, 3, 9, 9, 0, tzinfo=LONDON)
    assert business_days(friday, monday) == pytest.approx(16 / 24)
    assert calendar_days(friday, monday) == pytest.approx(2 + 16 / 24)
    # Whole weeks: five days each, however many.
    assert business_days(monday, monday + dt.timedelta(days=7)) == pytest.approx(5)
    assert business_days(monday, monday + dt.timedelta(days=70)) == pytest.approx(50)
    saturday = dt.datetime(2026, 3, 7, 10, 0, tzinfo=LONDON)
    assert business_days(saturday, saturday + dt.timedelta(hours=30)) == 0
    assert business_days(monday, friday) == 0  # the wrong way round is no time


def test_the_page_counts_in_business_days_when_asked(personas, deal):
    for _ in range(5):
        interval(deal, days=7, business_days=5, stage=Stage.NEGOTIATION)
    calendar = _row(_figures(personas.executive)["stages"], Stage.NEGOTIATION)
    business = _row(_figures(personas.executive, days="business")["stages"], Stage.NEGOTIATION)
    assert calendar.p50.value == pytest.approx(7, rel=HALF_A_PER_CENT)
    assert business.p50.value == pytest.approx(5, rel=HALF_A_PER_CENT)
    assert (figure(calendar.p50, 1), figure(business.p50, 1)) == ("7.0", "5.0")


def test_department_turnaround_counts_sla_changes_rereviews_and_reassignments(personas, deal):
    legal = department("legal")  # SLA: 5 business days
    for days, outcome, round_ in [
        (2, ReviewStatus.APPROVED, 1),
        (4, ReviewStatus.CHANGES_REQUESTED, 1),
        (9, ReviewStatus.APPROVED, 2),
        (1, "reassigned", 1),
        (3, ReviewStatus.APPROVED_WITH_CONDITIONS, 1),
    ]:
        interval(
            deal,
            days=days,
            kind=IntervalKind.REVIEW,
            department=legal,
            outcome=outcome,
            round=round_,
        )
    row = next(r for r in _figures(personas.executive)["departments"] if r.department == legal)
    assert row.intervals == 5 and row.p50.value == pytest.approx(3, rel=HALF_A_PER_CENT)
    # Shares of the four verdicts (a reassignment is no verdict): 3 within 5 days.
    assert (row.within_sla.value, row.within_sla.cases) == (75, 4)
    assert not row.within_sla.shown  # four verdicts: fewer than five cases
    assert (row.rereviews.value, row.reassignments.value) == (1, 1)


def test_each_open_deal_waits_on_one_party(personas, partnership):
    def make(stage, **fields):
        return DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=stage,
            weekly_cost_of_delay=100,
            **fields,
        )

    for _ in range(5):
        make(Stage.INTAKE)  # the owner prepares it
    pending = make(Stage.REVIEW)
    ReviewFactory(deal=pending, status=ReviewStatus.PENDING)
    returned = make(Stage.REVIEW)
    ReviewFactory(deal=returned, status=ReviewStatus.CHANGES_REQUESTED)
    make(Stage.NEGOTIATION)  # the partner has the terms
    asked = make(Stage.NEGOTIATION)
    ReviewFactory(deal=asked, status=ReviewStatus.PENDING)
    deal_request_decision(deal=asked, user=personas.owner, note="Can we accept the cap?")
    make(Stage.ON_HOLD)  # nobody: not being worked
    make(Stage.LIVE)

    waiting = {row["party"]: row for row in _figures(personas.executive)["waiting"]}
    assert {party: row["count"].value for party, row in waiting.items()} == {
        "owner": 6,
        "department": 1,
        "partner": 1,
        "sponsor": 1,
    }
    assert waiting["owner"]["cost"].amount == 600


def test_the_bottleneck_ranks_queue_times_median_wait_times_cost(personas, partnership):
    for stage, days, cost in ((Stage.REVIEW, 14, 100), (Stage.NEGOTIATION, 7, 100)):
        for _ in range(5):
            deal = DealFactory(
                partnership=partnership,
                owner=personas.owner,
                sponsor=personas.executive,
                stage=stage,
                weekly_cost_of_delay=cost,
            )
            interval(deal, days=days, stage=stage)
    ranked = _figures(personas.executive)["bottlenecks"]
    assert [row.key for row in ranked[:2]] == [Stage.REVIEW, Stage.NEGOTIATION]
    # 500 a week × 2 weeks, and × 1 week: the medians within half a per cent.
    assert ranked[0].score == pytest.approx(1000, rel=HALF_A_PER_CENT)
    assert ranked[1].score == pytest.approx(500, rel=HALF_A_PER_CENT)


def test_the_oldest_stay_is_counted_from_the_deal_s_stage_change(personas, partnership):
    long_ago = timezone.now() - dt.timedelta(days=40)
    for n in range(5):
        DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.BUSINESS_CASE,
            stage_changed_at=long_ago if n == 0 else timezone.now(),
        )
    case = _row(_figures(personas.executive)["stages"], Stage.BUSINESS_CASE)
    assert case.now.count.value == 5
    assert case.now.oldest.value == pytest.approx(40, abs=0.01)


def test_a_queue_of_fewer_than_five_deals_is_not_ranked(personas, partnership):
    history = DealFactory(partnership=partnership)
    for _ in range(5):
        interval(history, days=70, stage=Stage.APPROVED)
    for _ in range(2):
        DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.APPROVED,
            weekly_cost_of_delay=10_000,
        )
    approved = next(
        row for row in _figures(personas.executive)["bottlenecks"] if row.key == Stage.APPROVED
    )
    assert approved.queue.value == 2 and approved.median_days.shown
    assert approved.score is None


def test_the_monthly_trend_puts_each_review_interval_in_the_month_it_ended(personas, deal):
    legal = department("legal")
    this_month = timezone.localdate().replace(day=1)
    ended = timezone.make_aware(dt.datetime.combine(this_month, dt.time(12)))
    for days in (2, 4, 6, 8, 10):
        interval(
            deal,
            days=days,
            kind=IntervalKind.REVIEW,
            department=legal,
            outcome=ReviewStatus.APPROVED,
            ended_at=ended,
        )
    trend = _figures(personas.executive)["trend"]
    assert trend[-1]["month"] == this_month
    assert trend[-1]["intervals"].value == 5
    assert trend[-1]["p50"].shown
    assert trend[-1]["p50"].value == pytest.approx(6, rel=HALF_A_PER_CENT)
    assert all(month["intervals"].value == 0 for month in trend[:-1])


def test_a_review_interval_ending_at_utc_midnight_counts_in_the_month_it_opens(personas, deal):
    # The trend counts UTC months (as the interval tally keeps them): an end on the
    # first instant is that month's, a second before the last's.
    legal = department("legal")
    first = timezone.localdate().replace(day=1)
    midnight = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    for ended in (midnight, midnight - dt.timedelta(seconds=1)):
        for days in (1, 2, 3, 4, 5):
            interval(deal, days=days, kind=IntervalKind.REVIEW, department=legal, ended_at=ended)
    trend = _figures(personas.executive)["trend"]
    assert [month["intervals"].value for month in trend[-2:]] == [5, 5]
    assert trend[-1]["month"] == first
