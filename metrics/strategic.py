"""Strategic goals: the goals page's value per goal and top deals, a goal's deals."""

from __future__ import annotations

import copy
from collections import defaultdict

from django.db.models import Count, F, Prefetch, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from deals.models import Deal, Stage
from deals.selectors import visible_deals
from partnerships.models import PartnershipGoal, StrategicGoal

GOAL_TOP_DEALS = 5


def goals_overview(user) -> list[dict]:
    """Active goals with their partnerships, value and top deals: four queries.

    Deals are read per partnership, not per goal link: a join of every visible deal to
    every link, sorted per goal, cost 30-60 ms at 10,000 deals. A deal has one
    partnership, so a goal's count and value are its partnerships' sums, and its top
    deals are among its partnerships' top deals."""
    goals = list(
        StrategicGoal.objects.filter(active=True)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "partnership_links",
                queryset=PartnershipGoal.objects.select_related("partnership__partner"),
            )
        )
    )
    links = {goal.pk: list(goal.partnership_links.all()) for goal in goals}
    linked = {link.partnership_id for found in links.values() for link in found}
    # Abandoned deals carry no value any more.
    deals = visible_deals(user).exclude(stage=Stage.ABANDONED).filter(partnership_id__in=linked)
    sums: dict[int, list[dict]] = defaultdict(list)
    for row in (
        deals.values("partnership_id", "currency")
        .annotate(
            n=Count("pk"),
            annual=Sum("expected_annual_value"),
            weekly=Sum("weekly_cost_of_delay"),
        )
        .order_by("currency")
    ):
        sums[row["partnership_id"]].append(row)
    best: dict[int, list[Deal]] = defaultdict(list)
    # Ranked on the ids and costs alone, then the few top deals read whole: sorting every
    # deal's full row (and its partner's) cost three times as much.
    ranked = (
        deals.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("partnership_id")],
                order_by=[F("weekly_cost_of_delay").desc(), F("pk").asc()],
            ),
        )
        .filter(rank__lte=GOAL_TOP_DEALS)
        .values("pk")
    )
    for deal in Deal.objects.filter(pk__in=ranked).select_related("partnership__partner"):
        best[deal.partnership_id].append(deal)
    return [_goal_row(goal, links[goal.pk], sums, best) for goal in goals]


def _goal_row(goal, links, sums: dict, best: dict) -> dict:
    """A goal's count, value per currency and top deals, from its partnerships'."""
    money: dict[str, dict] = {}
    count = 0
    top = []
    for link in links:
        for row in sums.get(link.partnership_id, []):
            count += row["n"]
            entry = money.setdefault(
                row["currency"], {"currency": row["currency"], "annual": None, "weekly": None}
            )
            entry["annual"] = _plus(entry["annual"], row["annual"])
            entry["weekly"] = _plus(entry["weekly"], row["weekly"])
        for deal in best.get(link.partnership_id, []):
            shown = copy.copy(deal)  # a deal of two goals shows each goal's fit
            shown.fit_score = link.fit_score
            top.append(shown)
    top.sort(key=lambda deal: (-deal.weekly_cost_of_delay, deal.pk))
    return {
        "goal": goal,
        "links": links,
        "deals": count,
        "money": [money[currency] for currency in sorted(money)],
        "top": top[:GOAL_TOP_DEALS],
    }


def _plus(a, b):
    """A sum that stays None (no value recorded) until a value comes."""
    return b if a is None else a if b is None else a + b


def goal_deals(user, goal: StrategicGoal):
    """The deals serving one goal, best fit and most value first, for a paginator."""
    return (
        visible_deals(user)
        .filter(partnership__goal_links__goal=goal)
        .select_related("partnership__partner")
        .annotate(
            fit_score=F("partnership__goal_links__fit_score"),
            rationale=F("partnership__goal_links__rationale"),
        )
        .order_by("-fit_score", "-weekly_cost_of_delay", "pk")
    )


def get_goal(pk: int) -> StrategicGoal:
    goal = StrategicGoal.objects.filter(pk=pk).select_related("owner").first()
    if goal is None:
        raise Http404("No such goal.")
    return goal
