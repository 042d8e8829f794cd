"""Escalations to sponsors: reviews overdue past ESCALATE_AFTER_DAYS and stalled deals,
one email per sponsor per run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute, thread_id
from core.timezones import local_now
from deals.models import ACTIVE_STAGES, Deal
from stakeholders.models import Review, User

from .models import Notification, NotificationKind
from .outbox import FoldedInto, insert, message_for
from .reminders import latest_local_date, review_row


def plan_escalations(*, now: dt.datetime | None = None, local_hour: int | None = None) -> list[int]:
    """Reviews overdue by more than ESCALATE_AFTER_DAYS and stalled deals, to each sponsor.

    Once per overdue due date and once per stall: a review given a new due date,
    or a deal that moved and stalled again, escalates again. "Overdue" counts from the
    sponsor's own date; beat passes `local_hour` (REMINDER_HOUR) every quarter of an
    hour and each run plans only the sponsors whose local clock shows it. The keys name
    the item, not the day, so however often it runs each item goes out once.
    """
    now = now or timezone.now()
    # The latest "today" anywhere bounds the query; each sponsor's own date is applied below.
    cutoff = latest_local_date(now) - dt.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    overdue = list(
        Review.objects.open()
        .filter(due_on__lt=cutoff, deal__stage__in=ACTIVE_STAGES, deal__archived_at__isnull=True)
        .values_list("pk", "deal__sponsor_id", "due_on")
    )
    stalled = list(
        Deal.objects.stalled(now)
        .filter(archived_at__isnull=True)
        .values_list("pk", "sponsor_id", "stage_changed_at")
    )
    sponsors = {sponsor for _, sponsor, _ in overdue + stalled}
    zones = dict(User.objects.filter(pk__in=sponsors).values_list("pk", "time_zone"))
    local = {sponsor: local_now(zones.get(sponsor), now) for sponsor in sponsors}
    due = {s for s, at in local.items() if local_hour is None or at.hour == local_hour}
    days = dt.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    rows = [
        Notification(
            recipient_id=sponsor,
            kind=NotificationKind.ESCALATION,
            key=f"escalation:review:{review}:{due_on.isoformat()}",
            payload={"review": review},
        )
        for review, sponsor, due_on in overdue
        if sponsor in due and due_on < local[sponsor].date() - days
    ]
    rows += [
        Notification(
            recipient_id=sponsor,
            kind=NotificationKind.STALLED,
            key=f"stalled:deal:{deal}:{changed_at:%Y%m%dT%H%M%S}",
            payload={"deal": deal},
        )
        for deal, sponsor, changed_at in stalled
        if sponsor in due
    ]
    # Inserted sponsor by sponsor: one sponsor's items get neighbouring ids, so they land
    # in one delivery batch and go out as one email (see compose_escalations).
    rows.sort(key=lambda row: row.recipient_id)
    return insert(rows)


def escalation_items(notifications: list[Notification], now: dt.datetime) -> dict:
    """What each escalation is about, if it still holds: an overdue review or a stall.

    None when it no longer does (decided, moved on, or the deal has another sponsor).
    """
    reviews = Review.objects.select_related(
        "deal__partnership__partner", "department", "reviewer"
    ).in_bulk([n.payload["review"] for n in notifications if "review" in n.payload])
    deals = Deal.objects.select_related("partnership__partner").in_bulk(
        [n.payload["deal"] for n in notifications if "deal" in n.payload]
    )
    items: dict[int, dict | None] = {}
    for n in notifications:
        review = reviews.get(n.payload.get("review"))
        deal = review.deal if review else deals.get(n.payload.get("deal"))
        still = (
            review.is_open if review else bool(deal and deal.is_stalled)
        ) and deal.sponsor_id == n.recipient_id
        items[n.pk] = (
            {
                "row": review_row(review, n.recipient.local_date(now)) if review else None,
                "deal": deal,
                "deal_url": absolute(deal.get_absolute_url()),
                "decide_url": absolute(reverse("decision_create", args=[deal.pk])),
            }
            if still
            else None
        )
    return items


def compose_escalations(notifications: list[Notification], now: dt.datetime) -> dict:
    """One email per sponsor: a lone item keeps its own email, several go as one list."""
    items = escalation_items(notifications, now)
    out: dict[int, EmailMultiAlternatives | FoldedInto | None] = {}
    by_sponsor: dict[int, list[Notification]] = defaultdict(list)
    for n in sorted(notifications, key=lambda n: n.pk):
        if items[n.pk] is None:
            out[n.pk] = None
        else:
            by_sponsor[n.recipient_id].append(n)
    for group in by_sponsor.values():
        lead = group[0]
        base = {"user": lead.recipient, "stall_days": settings.STALL_DAYS}
        if len(group) == 1:
            item = items[lead.pk]
            name = "review_escalation" if item["row"] else "deal_stalled"
            thread = [thread_id("review", item["row"]["review"].pk)] if item["row"] else []
            out[lead.pk] = message_for(lead, name, {**base, **item}, thread=thread)
            continue
        reviews = [items[n.pk] for n in group if items[n.pk]["row"]]
        stalls = [items[n.pk] for n in group if not items[n.pk]["row"]]
        context = {**base, "reviews": reviews, "stalls": stalls, "count": len(group)}
        thread = [thread_id("review", item["row"]["review"].pk) for item in reviews]
        out[lead.pk] = message_for(
            lead, "escalations", context, riders=[n.key for n in group[1:]], thread=thread
        )
        for n in group[1:]:
            out[n.pk] = FoldedInto(lead.pk)
    return out
