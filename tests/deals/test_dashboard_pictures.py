"""The dashboard's pictures and totals: one reporting currency with its rate date, the
currencies without a rate named, each chart an SVG with a title, a description and a
table, only what the viewer may see, and a fixed number of queries at any size."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core import freshness
from core.models import ExchangeRate
from deals.models import Deal, Stage, StageChange
from stakeholders.models import ReviewStatus
from tests.factories import (
    DealFactory,
    OutcomeMetricFactory,
    ReviewFactory,
    department,
)

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=60)


def usd_rate(value="0.90", days_ago=10) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency="USD",
        rate=Decimal(value),
        applies_from=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def stalled(partnership, title, cost, **fields) -> Deal:
    deal = DealFactory(
        partnership=partnership,
        title=title,
        stage=fields.pop("stage", Stage.REVIEW),
        stage_changed_at=LONG_AGO,
        **fields,
    )
    Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(cost))
    return deal


def main(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_the_pipeline_is_one_total_in_the_reporting_currency_with_its_rate_date(
    client_for, personas, partnership, settings
):
    settings.REPORTING_CURRENCY = "EUR"
    usd_rate("0.90", days_ago=10)
    DealFactory(partnership=partnership, contract_value=Decimal("1000000"), currency="EUR")
    DealFactory(partnership=partnership, contract_value=Decimal("500000"), currency="USD")
    response = client_for(personas.executive).get("/")
    tiles = response.context["tiles"]
    assert tiles["pipeline"].amount == Decimal("1450000.00")
    html = main(response)
    tile = html[html.index("Pipeline value (EUR)") :][:1500]
    assert "1,450,000\u00a0EUR" in tile
    as_of = timezone.localdate() - dt.timedelta(days=10)
    assert f"at rates as of {as_of.day} {as_of:%b %Y}" in tile
    assert "500,000\u00a0USD" in tile  # the original amount, in the details
    assert "not included" not in html


def test_a_currency_without_a_rate_is_named_and_left_out_of_the_totals(
    client_for, personas, partnership
):
    DealFactory(partnership=partnership, contract_value=Decimal("1000000"), currency="EUR")
    DealFactory(partnership=partnership, contract_value=Decimal("1200000"), currency="USD")
    response = client_for(personas.executive).get("/")
    assert response.context["tiles"]["pipeline"].amount == Decimal("1000000")
    html = main(response)
    assert re.search(
        r"USD <span class=\"money\">1,200,000</span> not included: no exchange rate", html
    )


def test_negative_money_is_styled_and_signed(client_for, personas, partnership):
    deal = DealFactory(partnership=partnership, title="Loses money")
    Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal("-6612"))
    html = main(client_for(personas.executive).get("/"))
    assert '<span class="money money--negative">\u22126,612\u00a0EUR</span>' in html


CHARTS = ("value-by-stage", "stalled-bubbles", "review-heat", "promised-realised", "signed-months")


def test_each_picture_is_an_svg_with_a_title_a_description_and_a_table(
    client_for, personas, partnership
):
    usd_rate()
    stalled(partnership, "Stuck deal", 5000, currency="USD")
    live = DealFactory(partnership=partnership, title="Live deal", stage=Stage.LIVE)
    OutcomeMetricFactory(deal=live, latest_value=Decimal("50"), latest_on=timezone.localdate())
    ReviewFactory(
        deal=DealFactory(partnership=partnership, stage=Stage.REVIEW),
        department=department("legal"),
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    html = main(client_for(personas.executive).get("/"))
    for chart in CHARTS:
        svg = re.search(rf'<svg [^>]*aria-labelledby="{chart}-title {chart}-desc"[^>]*>', html)
        assert svg, chart
        assert 'viewBox="0 0 ' in svg.group(0) and 'width="100%"' in svg.group(0)
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert html.count('role="img"') >= 4  # the bubble chart is a group: its bubbles are links
    assert html.count('<details class="chart-table">') == len(CHARTS)
    # Overdue is said, not only coloured: "!" in the cell, hatching, and the table's words.
    assert "1/1!" in html and "(1 overdue)" in html and "heat-hatch" in html
    heat_table = html[html.index('id="heat-table-caption"') :]
    heat_table = heat_table[: heat_table.index("</table>")]
    assert '<td class="num">1/1 (1 overdue)</td>' in heat_table
    assert '<td class="num">—</td>' in heat_table  # the weeks with nothing due


def test_the_bubbles_link_to_deals_the_viewer_may_see_and_to_no_other(
    client_for, personas, partnership
):
    public = stalled(partnership, "Public stall", 4000)
    secret = stalled(partnership, "Secret stall", 9000, confidential=True)
    secret_live = DealFactory(
        partnership=partnership, title="Secret live", stage=Stage.LIVE, confidential=True
    )
    Deal.objects.filter(pk=secret_live.pk).update(weekly_cost_of_delay=Decimal(50000))
    outsider = client_for(personas.outsider).get("/")
    html = main(outsider)
    bubbles = re.findall(r'<a class="chart-link" href="/deals/(\d+)/" aria-label="([^"]+)"', html)
    assert bubbles == [(str(public.pk), bubbles[0][1])]
    assert bubbles[0][1].startswith("Public stall: 60 days in Review")
    assert "Secret" not in html
    tiles = outsider.context["tiles"]
    assert tiles["stalled_deals"] == 1 and tiles["open_deals"] == 1
    assert [row.deal.title for row in outsider.context["live"]] == []
    # The owner of the confidential deals sees them in the pictures.
    mine = main(client_for(secret.owner).get("/"))
    assert f'href="/deals/{secret.pk}/"' in mine


def test_the_table_defaults_to_open_deals_by_cost_of_delay_and_the_counts_agree(
    client_for, personas, partnership
):
    stalled(partnership, "Cheap", 100)
    stalled(partnership, "Dear", 9000)
    DealFactory(partnership=partnership, title="Fresh", stage=Stage.INTAKE)
    DealFactory(partnership=partnership, title="Held", stage=Stage.ON_HOLD)
    DealFactory(partnership=partnership, title="Gone live", stage=Stage.LIVE)
    DealFactory(partnership=partnership, title="Dropped", stage=Stage.ABANDONED)
    client = client_for(personas.executive)
    response = client.get("/")
    shown = [d.title for d in response.context["page"].object_list]
    assert shown[:2] == ["Dear", "Cheap"] and set(shown) == {"Dear", "Cheap", "Fresh", "Held"}
    tiles = response.context["tiles"]
    assert tiles["open_deals"] == response.context["page"].paginator.count == 4
    html = main(response)
    assert "4 open deals. Costliest delay first." in html
    assert re.search(r"Open deals</p><p class=\"value\">4<", html)
    # The stalled tile's link lists as many deals as it counts.
    stalled_page = client.get("/", {"show": "stalled", "sort": "stalled"})
    assert stalled_page.context["page"].paginator.count == tiles["stalled_deals"] == 2
    # The user can still ask for everything, and sort otherwise.
    everything = client.get("/", {"show": "all", "sort": "title"})
    assert [d.title for d in everything.context["page"].object_list] == sorted(
        ["Cheap", "Dear", "Fresh", "Held", "Gone live", "Dropped"]
    )
    # The CSV agrees with the table's default.
    export = b"".join(client.get(reverse("dashboard_export")).streaming_content).decode()
    rows = [line.split(",")[0] for line in export.strip().splitlines()[1:]]
    assert rows[:2] == ["Dear", "Cheap"] and len(rows) == 4


def test_value_by_stage_counts_the_moves_of_the_last_week(client_for, personas, partnership):
    moved = DealFactory(
        partnership=partnership,
        stage=Stage.NEGOTIATION,
        contract_value=Decimal("300000"),
        stage_changed_at=timezone.now() - dt.timedelta(days=2),
    )
    StageChange.objects.filter(deal=moved).update(at=LONG_AGO, to_stage=Stage.REVIEW)
    StageChange.objects.create(
        deal=moved, from_stage=Stage.REVIEW, to_stage=Stage.NEGOTIATION, at=moved.stage_changed_at
    )
    DealFactory(partnership=partnership, stage=Stage.REVIEW, stage_changed_at=LONG_AGO)
    stages = {s.stage: s for s in client_for(personas.executive).get("/").context["stages"]}
    assert stages[Stage.NEGOTIATION].change.amount == Decimal("300000")
    assert stages[Stage.REVIEW].change.amount == Decimal("-300000")
    assert stages[Stage.REVIEW].count == 1


def test_signed_value_per_month_dates_each_deal_by_its_move_into_signed(
    client_for, personas, partnership
):
    now = timezone.now()
    deal = DealFactory(
        partnership=partnership,
        stage=Stage.LIVE,
        contract_value=Decimal("700000"),
        stage_changed_at=now,
    )
    StageChange.objects.create(
        deal=deal, from_stage=Stage.APPROVED, to_stage=Stage.SIGNED, at=now - dt.timedelta(days=1)
    )
    old = DealFactory(partnership=partnership, stage=Stage.LIVE, stage_changed_at=now)
    StageChange.objects.create(  # signed long before the window: not counted
        deal=old, from_stage=Stage.APPROVED, to_stage=Stage.SIGNED, at=now - dt.timedelta(days=500)
    )
    months = client_for(personas.executive).get("/").context["months"]
    assert len(months) == 12
    assert sum(m.value.amount for m in months) == Decimal("700000")
    assert sum(m.count for m in months) == 1


def test_a_reviewer_s_pictures_count_the_confidential_deals_their_department_reviews(
    client_for, personas, partnership
):
    """Read live beside the tallies (which leave them out): the deal's move this week and
    its signing, for Legal who reviews it and for no other department."""
    now = timezone.now()
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        stage=Stage.SIGNED,
        contract_value=Decimal("420000"),
        stage_changed_at=now - dt.timedelta(days=1),
        confidential=True,
    )
    StageChange.objects.filter(deal=deal).update(at=LONG_AGO, to_stage=Stage.APPROVED)
    StageChange.objects.create(
        deal=deal, from_stage=Stage.APPROVED, to_stage=Stage.SIGNED, at=deal.stage_changed_at
    )
    ReviewFactory(deal=deal, department=department("legal"), status=ReviewStatus.APPROVED)

    def pictures(person) -> tuple[Decimal, Decimal, Decimal]:
        context = client_for(person).get("/").context
        stages = {s.stage: s for s in context["stages"]}
        signed = sum(m.value.amount for m in context["months"])
        return stages[Stage.SIGNED].change.amount, stages[Stage.APPROVED].change.amount, signed

    value = Decimal("420000")
    assert pictures(personas.legal) == (value, -value, value)
    assert pictures(personas.it) == (0, 0, 0)


def make_desk(partnership, count: int) -> None:
    """Every picture has rows: stalled deals, moves this week, live deals with metrics,
    signed deals, reviews due in the window (some overdue), two currencies."""
    for n in range(count):
        stage = [Stage.REVIEW, Stage.NEGOTIATION, Stage.LIVE, Stage.SIGNED][n % 4]
        deal = DealFactory(
            partnership=partnership,
            stage=stage,
            currency=["EUR", "USD", "GBP"][n % 3],
            stage_changed_at=LONG_AGO if n % 2 else timezone.now() - dt.timedelta(days=1),
        )
        Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(100 + n))
        if stage in (Stage.LIVE, Stage.SIGNED):
            StageChange.objects.create(
                deal=deal,
                from_stage=Stage.APPROVED,
                to_stage=Stage.SIGNED,
                at=deal.stage_changed_at,
            )
        if stage == Stage.LIVE:
            OutcomeMetricFactory(
                deal=deal, latest_value=Decimal(60), latest_on=timezone.localdate()
            )
        ReviewFactory(
            deal=deal,
            department=department(["legal", "it", "procurement"][n % 3]),
            due_on=timezone.localdate() - dt.timedelta(days=n % 20),
            status=ReviewStatus.PENDING if n % 2 else ReviewStatus.APPROVED,
        )


@pytest.mark.parametrize("count", [8, 48])
def test_the_first_view_runs_the_same_queries_at_two_sizes(
    client_for, personas, partnership, django_assert_num_queries, count
):
    usd_rate()
    make_desk(partnership, count)
    client = client_for(personas.executive)
    client.get("/")
    freshness.bump()  # the first view: body, tiles, pictures and counts computed afresh
    # The same number at both sizes: 16 with the request's two savepoints or BEGIN and
    # COMMIT, within the bench's DASHBOARD_QUERIES (20: a reviewer's view also reads the
    # confidential deals their department reviews; an executive in no department does
    # not, and their roles and unread notifications come with the user: config.auth).
    with django_assert_num_queries(16):
        response = client.get("/")
    assert response.context["bubbles"] and sum(m.count for m in response.context["months"])
    assert response.context["live"] and response.context["heat"].due
