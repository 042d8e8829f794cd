"""Reads for value pages: access checks and page data, each a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404

from core.money import rates_on, total
from deals.models import Deal, Stage
from deals.selectors import get_deal_for_user, visible_deals
from partnerships.models import PartnershipGoal
from stakeholders.models import Membership

from . import charts, rules
from .models import (
    Assumption,
    BusinessCase,
    CaseYear,
    CheckIn,
    JourneyStage,
    Outcome,
    OutcomeMetric,
)
from .rules import FINANCE

HEADLINE_METRICS = 3


# Access: every value object is reached through its deal, so the deal's rules apply.


def get_metric_for_user(user, pk: int) -> OutcomeMetric:
    metric = get_object_or_404(OutcomeMetric, pk=pk)
    metric.deal = get_deal_for_user(user, metric.deal_id)
    return metric


def get_case_for_user(user, pk: int) -> BusinessCase:
    case = get_object_or_404(BusinessCase, pk=pk)
    case.deal = get_deal_for_user(user, case.deal_id)
    return case


def get_journey_stage_for_user(user, pk: int) -> JourneyStage:
    stage = get_object_or_404(JourneyStage, pk=pk)
    stage.deal = get_deal_for_user(user, stage.deal_id)
    return stage


def get_assumption_for_user(user, pk: int) -> Assumption:
    assumption = get_object_or_404(Assumption.objects.select_related("business_case"), pk=pk)
    assumption.business_case.deal = get_deal_for_user(user, assumption.business_case.deal_id)
    return assumption


def get_check_in_for_user(user, pk: int) -> CheckIn:
    check_in = get_object_or_404(CheckIn.objects.select_related("metric"), pk=pk)
    check_in.metric.deal = get_deal_for_user(user, check_in.metric.deal_id)
    return check_in


# Delivery: how a set of metrics stands, for a deal or a partnership.


@dataclass
class Delivery:
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    not_measured: int = 0
    metrics: list[OutcomeMetric] = field(default_factory=list)

    def add(self, metric: OutcomeMetric) -> None:
        self.metrics.append(metric)
        status = metric.status
        setattr(self, status.value, getattr(self, status.value) + 1)

    @property
    def measured(self) -> int:
        return self.on_track + self.at_risk + self.off_track

    @property
    def score(self) -> int | None:
        """Per cent: on track counts fully, at risk half, off track nothing."""
        if not self.measured:
            return None
        return round(100 * (self.on_track + self.at_risk / 2) / self.measured)

    @property
    def verdict(self) -> str:
        if self.score is None:
            return "Not measured yet"
        if self.score >= 75:
            return "Delivering"
        if self.score >= 50:
            return "Partly delivering"
        return "Falling short"

    @property
    def verdict_class(self) -> str:
        return {
            "Delivering": "ok",
            "Partly delivering": "warn",
            "Falling short": "bad",
        }.get(self.verdict, "")


def delivery_of(metrics) -> Delivery:
    delivery = Delivery()
    for metric in metrics:
        delivery.add(metric)
    return delivery


# The value summary: the why of a deal, before its terms.


def _governing_cases():
    """Cases ordered so the governing one comes first: newest signed-off, else newest."""
    newest = BusinessCase.objects.filter(deal=OuterRef("deal")).order_by("-version")
    return (
        BusinessCase.objects.annotate(
            unsigned=ExpressionWrapper(Q(signed_off_at__isnull=True), output_field=BooleanField()),
            newest_version=Subquery(newest.values("version")[:1]),
        )
        .select_related("signed_off_by")
        .order_by("unsigned", "-version")
    )


def value_summary(deal: Deal) -> dict:
    """The value block shown on every review page: three queries. The governing case
    (the newest signed off, else the newest) comes with its years from case_versions."""
    metrics = list(OutcomeMetric.objects.filter(deal=deal)[:HEADLINE_METRICS])
    versions = case_versions(deal)
    latest = versions[0] if versions else None
    case = next((version for version in versions if version.is_signed_off), latest)
    goal_links = list(
        PartnershipGoal.objects.filter(partnership=deal.partnership_id).select_related("goal")
    )
    newest = latest.version if latest else None
    return summarise_value(deal, metrics, case, goal_links, newest_version=newest)


def summarise_value(
    deal: Deal,
    metrics: list[OutcomeMetric],
    case: BusinessCase | None,
    goal_links: list[PartnershipGoal],
    *,
    newest_version: int | None,
) -> dict:
    """The summary from data already loaded (the deal page loads it once for all blocks)."""
    headline = [m for m in metrics if m.is_headline][:HEADLINE_METRICS]
    headline += [m for m in metrics if not m.is_headline][: HEADLINE_METRICS - len(headline)]
    return {
        "deal": deal,
        "purpose": deal.summary,
        "currency": deal.currency,
        "metrics": headline,
        "case": case,
        "awaiting_version": newest_version
        if case and newest_version and (newest_version != case.version or not case.is_signed_off)
        else None,
        "goals": goal_links,
        "weekly_cost_of_delay": deal.weekly_cost_of_delay,
    }


def deal_value_context(deal: Deal, user) -> dict:
    """Everything the deal page shows about value: five queries, whatever the sizes."""
    metrics = metrics_with_check_ins(deal)
    versions = case_versions(deal, viewer=user)
    latest = versions[0] if versions else None
    signed = next((case for case in versions if case.is_signed_off), None)
    governing = signed or latest
    shown = list(dict.fromkeys(case for case in (latest, signed) if case is not None))
    if shown:
        prefetch_related_objects(
            shown, Prefetch("assumptions", queryset=Assumption.objects.select_related("owner"))
        )
    by_pk = {m.pk: m for m in metrics}
    journey = list(JourneyStage.objects.filter(deal=deal))
    for stage in journey:
        if stage.metric_id is not None:
            stage.metric = by_pk[stage.metric_id]  # fills the cache: no query per stage
    goal_links = list(
        PartnershipGoal.objects.filter(partnership=deal.partnership_id).select_related("goal")
    )
    can_edit_value = rules.EDIT_VALUE(user, deal)
    for metric in metrics:
        metric.chart = charts.metric_chart(
            metric, metric.check_in_rows, width=320, height=150, compact=True
        )
    is_live = deal.stage == Stage.LIVE
    return {
        "value_summary": summarise_value(
            deal,
            metrics,
            governing,
            goal_links,
            newest_version=latest.version if latest else None,
        ),
        # The same rows the page's strategic-fit card lists: loaded once, here.
        "goal_links": goal_links,
        "value_metrics": metrics,
        "case_versions": versions,
        "case_latest": latest,
        "case_governing": governing,
        "case_signed": signed,
        # The cash flow of the governing case, and its chart: the page's and the PDF's.
        **charts.cash_flow_context(governing, deal.currency),
        "journey": journey,
        "can_edit_value": can_edit_value,
        # A draft to sign and a Finance reader: both known from the versions query.
        "can_sign_off": bool(latest and not latest.is_signed_off and latest.viewer_is_finance),
        "is_live": is_live,
        "delivery": delivery_of(metrics) if is_live else None,
        "can_assess": can_edit_value and deal.stage in (Stage.SIGNED, Stage.LIVE) and bool(signed),
    }


def metrics_with_check_ins(deal: Deal) -> list[OutcomeMetric]:
    """A deal's metrics, each with `check_in_rows` (date and actual, oldest first): one query.

    One LEFT JOIN instead of a prefetch: a metric without check-ins still comes
    back once, with empty check-in columns.
    """
    rows = (
        OutcomeMetric.objects.filter(deal=deal)
        .select_related("owner", "department")
        .annotate(
            check_in_id=F("check_ins__id"),
            check_in_date=F("check_ins__date"),
            check_in_actual=F("check_ins__actual"),
        )
        .order_by("-is_headline", "pk", "check_ins__date", "check_ins__id")
    )
    metrics: dict[int, OutcomeMetric] = {}
    for row in rows:
        metric = metrics.setdefault(row.pk, row)
        if not hasattr(metric, "check_in_rows"):
            metric.check_in_rows = []
        if row.check_in_id is not None:
            metric.check_in_rows.append(
                CheckIn(
                    id=row.check_in_id,
                    metric=metric,
                    date=row.check_in_date,
                    actual=row.check_in_actual,
                )
            )
    return list(metrics.values())


def case_versions(deal: Deal, viewer=None) -> list[BusinessCase]:
    """Every version of a deal's case, newest first, with its years: one query.

    Read through the years because every version has at least one year
    (business_case.validate_case refuses a case without), so no version is missed.
    With a viewer, each version also says whether that person is in Finance
    (who alone signs off), which saves the deal page a query.
    """
    versions: dict[int, BusinessCase] = {}
    years = (
        CaseYear.objects.filter(business_case__deal=deal)
        .select_related("business_case__signed_off_by")
        .order_by("-business_case__version", "year")
    )
    if viewer is not None:
        years = years.annotate(
            viewer_is_finance=Exists(
                Membership.objects.filter(user=viewer.pk, department__slug=FINANCE)
            )
        )
    for year in years:
        case = versions.setdefault(year.business_case_id, year.business_case)
        case.__dict__.setdefault("year_rows", []).append(year)
        case.viewer_is_finance = getattr(year, "viewer_is_finance", False)
    return list(versions.values())


# Portfolio: promised against realised for live deals.


def portfolio(user, page_number) -> dict:
    """Live deals and their partnerships: eight queries, whatever the size of the portfolio."""
    live = visible_deals(user).filter(stage=Stage.LIVE)
    metrics = list(
        OutcomeMetric.objects.filter(deal__in=live.values("pk"))
        .annotate(partnership_id=F("deal__partnership_id"))
        .order_by("deal", "-is_headline", "pk")
    )
    by_deal: dict[int, list[OutcomeMetric]] = defaultdict(list)
    by_partnership: dict[int, Delivery] = defaultdict(Delivery)
    for metric in metrics:
        by_deal[metric.deal_id].append(metric)
        by_partnership[metric.partnership_id].add(metric)
    money = (
        live.values("partnership", "partnership__title", "partnership__partner__name", "currency")
        .annotate(n=Count("pk"), weekly=Sum("weekly_cost_of_delay"))
        .order_by()
    )
    rates, every_year = rates_on(), []
    partnerships: dict[int, dict] = {}
    for row in money:
        entry = partnerships.setdefault(
            row["partnership"],
            {
                "pk": row["partnership"],
                "title": row["partnership__title"],
                "partner": row["partnership__partner__name"],
                "deals": 0,
                "yearly": [],
                "delivery": by_partnership.get(row["partnership"], Delivery()),
            },
        )
        entry["deals"] += row["n"]
        entry["yearly"].append((row["currency"], row["weekly"] * 52))
        every_year.append(entry["yearly"][-1])
    for entry in partnerships.values():  # in the reporting currency, as on the dashboard
        entry["yearly"] = total(entry["yearly"], rates)
    ranked = sorted(
        partnerships.values(),
        key=lambda p: (p["delivery"].score is None, -(p["delivery"].score or 0), p["partner"]),
    )
    page = Paginator(
        live.select_related("partnership__partner").order_by("-weekly_cost_of_delay", "pk"), 20
    ).get_page(page_number)
    deals = list(page.object_list)
    cases = list(
        _governing_cases()
        .filter(deal__in=[d.pk for d in deals])
        .order_by("deal", "unsigned", "-version")
    )
    governing: dict[int, BusinessCase] = {}
    for case in cases:
        governing.setdefault(case.deal_id, case)
    if governing:
        prefetch_related_objects(list(governing.values()), "years")
    verdicts = defaultdict(dict)
    for row in (
        Assumption.objects.filter(business_case__in=[c.pk for c in governing.values()])
        .values("business_case__deal", "outcome")
        .annotate(n=Count("pk"))
    ):
        verdicts[row["business_case__deal"]][row["outcome"]] = row["n"]
    rows = [
        {
            "deal": deal,
            "case": governing.get(deal.pk),
            "delivery": delivery_of(by_deal.get(deal.pk, [])),
            "held": verdicts[deal.pk].get(Outcome.HELD, 0),
            "broken": verdicts[deal.pk].get(Outcome.BROKEN, 0),
            "open": verdicts[deal.pk].get(Outcome.OPEN, 0),
        }
        for deal in deals
    ]
    lessons = list(
        Assumption.objects.filter(
            outcome=Outcome.BROKEN, business_case__deal__in=visible_deals(user).values("pk")
        )
        .select_related("business_case__deal__partnership__partner")
        .order_by("-outcome_at", "-pk")[:10]
    )
    return {
        "partnerships": ranked,
        "page": page,
        "rows": rows,
        "lessons": lessons,
        "totals": delivery_of(metrics),
        "yearly": total(every_year, rates),
    }


def broken_assumptions(user, *, exclude_deal: Deal | None = None, limit: int = 5) -> list:
    """Lessons from other deals: assumptions that broke, newest first (one query)."""
    rows = Assumption.objects.filter(
        outcome=Outcome.BROKEN, business_case__deal__in=visible_deals(user).values("pk")
    )
    if exclude_deal is not None:
        rows = rows.exclude(business_case__deal=exclude_deal)
    return list(rows.select_related("business_case__deal").order_by("-outcome_at", "-pk")[:limit])
