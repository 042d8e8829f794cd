"""Reads for deal pages: access checks and dashboard figures, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.money import Rates, rates_on, total
from stakeholders.backends import reach
from stakeholders.models import (
    Concern,
    Department,
    Membership,
    Review,
    ReviewStatus,
)

from . import tallies, waiting
from .models import (
    OPEN_STAGES,
    Deal,
    DealQuerySet,
    Stage,
    involvement,
)


def visible_deals(user) -> DealQuerySet:
    return Deal.objects.visible_to(user)


def _viewer_annotations(user, via: str = "") -> dict:
    # Whether this person has a part in the deal, in the same query (see Deal.involves).
    return {
        "involves_viewer": ExpressionWrapper(involvement(user, via), BooleanField()),
        "viewer_in_department": Exists(Membership.objects.filter(user_id=user.pk)),
    }


def confidential_read_live(user) -> list[int] | None:
    """The current confidential deals this person sees through a reviewing department or
    an invitation, as ids: what a person's figures add to the tallies, which count the
    deals they sponsor or own (TallyQuerySet.seen_by). None for a superuser, who sees
    every deal in the tallies. One query over the confidential deals only (a partial
    index)."""
    if user.is_superuser:
        return None
    if not getattr(user, "in_department", True) and not getattr(user, "invited", True):
        return []  # read with the user (stakeholders.backends): no department, no session
    # Asked once, not per deal (PostgreSQL gates the scan on it): does this person
    # belong to a department or to a working session at all? An executive usually not.
    in_department, invited = reach(user).values()
    may_see_some = in_department | invited
    return list(
        visible_deals(user)
        .current()
        .filter(may_see_some, confidential=True)
        .exclude(sponsor=user)
        .exclude(owner=user)
        .order_by()
        .values_list("pk", flat=True)
    )


def seen_current(user, secret: list[int] | None) -> DealQuerySet:
    """The current deals this person may see, once `secret` (confidential_read_live) is
    known: the same deals as visible_deals(user).current(), without asking per
    confidential deal whether the person reviews it or is invited."""
    deals = Deal.objects.current()
    if secret is None:  # a superuser
        return deals
    seen = Q(confidential=False) | Q(sponsor=user) | Q(owner=user)
    return deals.filter(seen | Q(pk__any_of=secret) if secret else seen)


def get_deal_for_user(user, pk: int) -> Deal:
    """The deal, or 404 when this person may not see it."""
    deal = (
        visible_deals(user)
        # intake_request: the request the deal came in with, if any (intake's one-to-one,
        # named, never imported), read by the deal page's intake section in this query.
        .select_related("partnership__partner", "owner", "sponsor", "intake_request")
        .annotate(**_viewer_annotations(user))
        .filter(pk=pk)
        .first()
    )
    if deal is None:
        raise Http404("No deal here, or it is not shared with you.")
    deal.annotated_for = user.pk  # the annotations above answer for this person only
    return deal


def waiting_for_decision() -> DealQuerySet:
    """Current open deals whose sponsor has to decide: someone asked (recording a decision
    clears the request), or a department rejected the deal after the sponsor's last
    decision (deals.waiting, kept on the deal by the database). The dashboard and the
    digest both list these."""
    return Deal.objects.current().filter(waiting_on=waiting.SPONSOR)


def awaiting_decision(user) -> list[Deal]:
    """Open deals this sponsor must decide on (waiting_for_decision)."""
    return list(
        waiting_for_decision()
        .filter(sponsor=user)
        .select_related("decision_requested_by")
        .listed(
            "decision_requested_at",
            "decision_request_note",
            *(f"decision_requested_by__{name}" for name in ("first_name", "last_name", "email")),
        )
        .order_by("decision_requested_at", "pk")[:20]
    )


def verdicts_to_answer(deal: Deal) -> list[Review]:
    """The departments that rejected the deal or asked for changes, with their reasons:
    what the sponsor's decision answers (one query)."""
    return list(
        Review.objects.filter(
            deal=deal, status__in=[ReviewStatus.REJECTED, ReviewStatus.CHANGES_REQUESTED]
        )
        .select_related("department", "decided_by")
        .order_by("department__name")
    )


def get_under_deal_for_user(queryset, user, pk: int, what: str):
    """An object that belongs to a deal (review, term, concern…), or 404 unless its deal is visible."""
    found = (
        queryset.filter(deal__in=visible_deals(user).values("pk"), pk=pk)
        .annotate(**_viewer_annotations(user, via="deal__"))
        .first()
    )
    if found is None:
        raise Http404(f"No {what} here, or it is not shared with you.")
    if type(found).deal.is_cached(found):  # selected with it: answer Deal.involves for free
        found.deal.involves_viewer = found.involves_viewer
        found.deal.viewer_in_department = found.viewer_in_department
        found.deal.annotated_for = user.pk
    return found


def blocking_concern_exists() -> Exists:
    """True for a deal held by an open blocking concern."""
    return Exists(
        Concern.objects.filter(deal=OuterRef("pk"), blocking=True, resolved_at__isnull=True)
    )


def blocking_deal_ids():
    """The deals held by an open blocking concern, as a subquery of their ids."""
    return (
        Concern.objects.filter(blocking=True, resolved_at__isnull=True).values("deal_id").order_by()
    )


def held_on_the_row() -> Coalesce:
    """True for a deal held by an open blocking concern, asked row by row: a page of 25
    deals looks 25 times in the (deal) index. Asked as EXISTS, PostgreSQL reads every open
    blocking concern into a hash to answer for those 25 (3.4 ms at 100,000 deals)."""
    held = Concern.objects.filter(deal=OuterRef("pk"), blocking=True, resolved_at__isnull=True)
    return Coalesce(
        Subquery(held.values(held=Value(True))[:1], output_field=BooleanField()), Value(False)
    )


def deal_table(deals: DealQuerySet, *, people: bool = True) -> DealQuerySet:
    """The deals with what a table of them shows: the partner, held or not, and (`people`,
    the CSV export of every deal, where one hash of the held deals is cheaper than a look
    per row) the sponsor and the owner."""
    related = ("partnership__partner", "sponsor", "owner") if people else ("partnership__partner",)
    held = blocking_concern_exists() if people else held_on_the_row()
    return deals.select_related(*related).annotate(is_blocked=held)


def review_counts(deals: DealQuerySet | list[int], due: tuple[dt.date, dt.date] | None = None):
    """Reviews of `deals` that are pending, or due in the window `due` (from, before), in
    one GROUP BY: per department and week of the due date (tallies.due_week: only inside
    the window, so pending reviews due outside it fall into one group per department). Each row counts pending
    and overdue reviews, and inside the window the reviews due, answered late and still
    waiting past their date. `deals` as a query is hashed once for all of them; as a
    list of ids (selectors.confidential_read_live), each deal's reviews are read by index."""
    today = timezone.localdate()
    in_window = Q(due_on__gte=due[0], due_on__lt=due[1]) if due else Q(pk__in=[])
    is_pending = Q(status=ReviewStatus.PENDING)
    waiting = Q(decided_at__isnull=True, due_on__lt=today)
    # due_on, never null, is counted: not the id, which the indexes do not hold.
    return (
        Review.objects.filter(
            is_pending | in_window,
            **(
                {"deal_id__any_of": deals}
                if isinstance(deals, list)
                else {"deal__in": deals.values("pk")}
            ),
        )
        .annotate(
            department_pk=F("department_id"),
            day=tallies.due_week(due),
        )
        .values("department_pk", "day")
        .annotate(
            pending=Count("due_on", filter=is_pending),
            overdue=Count("due_on", filter=is_pending & Q(due_on__lt=today)),
            due=Count("due_on", filter=in_window),
            late=Count(
                "due_on", filter=in_window & (waiting | Q(decided_at__date__gt=F("due_on")))
            ),
            waiting=Count("due_on", filter=in_window & waiting & is_pending),
        )
        .values("department_pk", "day", "pending", "overdue", "due", "late", "waiting")
        .order_by()
    )


def dashboard_tiles(
    user,
    rates: Rates | None = None,
    stalled_shown: int = 10,
    reviews_due: tuple[dt.date, dt.date] | None = None,
    secret: list[int] | None = None,
) -> dict:
    """The summary tiles, in a fixed number of queries whatever the number of deals: the
    confidential deals one may see (unless `secret` gives them), the deals' and the
    reviews' groups (a UNION each over the tallies and those deals: deals.tallies), the
    departments, the costliest stalled deals. Money is totalled in the reporting currency
    at `rates`; `rows` are the groups, for the value-by-stage chart."""
    rates = rates or rates_on()
    if secret is None and not user.is_superuser:
        secret = confidential_read_live(user)
    deals = seen_current(user, secret)
    stall_cutoff = timezone.now() - dt.timedelta(days=settings.STALL_DAYS)
    rows = tallies.deal_rows(user, stall_cutoff, blocking_deal_ids() if secret else None, secret)
    by_stage: dict[str, int] = {}
    pipeline: list[tuple[str, Decimal]] = []
    stalled_cost: list[tuple[str, Decimal]] = []
    open_deals = stalled_deals = blocked_deals = 0
    for row in rows:
        blocked_deals += row["blocked"]
        stalled_cost.append((row["currency"], row["stalled_cost"]))
        by_stage[row["stage"]] = by_stage.get(row["stage"], 0) + row["n"]
        if row["stage"] in OPEN_STAGES:
            open_deals += row["n"]
            stalled_deals += row["stalled"]
            pipeline.append((row["currency"], row["total"]))
    stalled_total = total(stalled_cost, rates)
    # Departments with their pending and overdue reviews on visible deals: one grouped
    # query over the review tallies and the confidential deals' reviews (review_counts),
    # which also counts the reviews due in `reviews_due` for the dashboard's heat map.
    confidential = review_counts(secret, reviews_due) if secret else None
    review_rows = tallies.review_rows(user, reviews_due, confidential)
    pending: dict[int, int] = {}
    overdue: dict[int, int] = {}
    for row in review_rows:
        pending[row["department_pk"]] = pending.get(row["department_pk"], 0) + row["pending"]
        overdue[row["department_pk"]] = overdue.get(row["department_pk"], 0) + row["overdue"]
    departments = [
        {"pk": pk, "name": name, "pending": pending.get(pk, 0), "overdue": overdue.get(pk, 0)}
        for pk, name in Department.objects.order_by("name").values_list("pk", "name")
    ]
    return {
        "rows": rows,
        "open_deals": open_deals,
        "blocked_deals": blocked_deals,
        "stalled_deals": stalled_deals,
        "live_deals": by_stage.get(Stage.LIVE, 0),
        "by_stage": [
            {"stage": stage.value, "label": stage.label, "count": by_stage.get(stage.value, 0)}
            for stage in Stage
        ],
        # As the digest: a currency whose open deals are worth nothing adds nothing.
        "pipeline": total(pipeline, rates),
        "departments": departments,
        "review_rows": review_rows,
        "stalled_cost": stalled_total,
        # The stalled deals whose business cases lose the most each week (by the
        # cost-of-delay index, in their own currencies); no query at all when the grouped
        # figures above say there are none.
        "stalled_by_cost": list(
            deals.stalled()
            .filter(weekly_cost_of_delay__gt=0)
            .listed(partner=False)
            .order_by("-weekly_cost_of_delay", "pk")[:stalled_shown]
        )
        if stalled_total
        else [],
        "pending_reviews": sum(d["pending"] for d in departments),
        "stall_days": settings.STALL_DAYS,
    }
