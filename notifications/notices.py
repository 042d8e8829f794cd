"""Reminders of agreements' notice deadlines (the last day to stop a renewal), never of
the end date: NOTICE_REMINDER_DAYS before it (90, 30 and 7 by default) to the deal's
owner and sponsor, and an escalation to the sponsor NOTICE_ESCALATION_DAYS before it
while nobody has decided. Each at REMINDER_HOUR in the recipient's zone, each once.

The key names the agreement, the deadline, the lead time and the person
(`notice:12:2026-03-02:30:7`): planning again — the next quarter hour, two workers, a
re-run — inserts nothing; a deadline moved by a renewal gets reminders of its own. A
planner that was down for days sends only the closest lead time it missed, not all.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from agreements.models import Agreement
from core.emails import absolute, thread_id
from core.timezones import local_now
from stakeholders.models import User

from .models import Notification, NotificationKind
from .outbox import insert, message_for
from .reminders import latest_local_date

NOTICE_KINDS = (NotificationKind.NOTICE_REMINDER, NotificationKind.NOTICE_ESCALATION)


def lead_for(days_left: int) -> int | None:
    """The closest lead time this many days out has reached (None: not yet one)."""
    reached = [lead for lead in settings.NOTICE_REMINDER_DAYS if days_left <= lead]
    return min(reached) if reached else None


def upcoming(today: dt.date):
    """Running, undecided agreements whose notice deadline is within the longest lead."""
    longest = max(settings.NOTICE_REMINDER_DAYS + [settings.NOTICE_ESCALATION_DAYS])
    return (
        Agreement.objects.with_deadline()
        .undecided()
        .filter(
            notice_deadline__gte=today - dt.timedelta(days=2),
            notice_deadline__lte=today + dt.timedelta(days=longest),
            deal__archived_at__isnull=True,
        )
    )


def plan_notice_reminders(
    *, now: dt.datetime | None = None, local_hour: int | None = None
) -> list[int]:
    now = now or timezone.now()
    rows_ = list(
        upcoming(latest_local_date(now)).values_list(
            "pk", "notice_deadline", "deal__owner_id", "deal__sponsor_id"
        )
    )
    people = {p for _, _, owner, sponsor in rows_ for p in (owner, sponsor)}
    zones = dict(User.objects.filter(pk__in=people, is_active=True).values_list("pk", "time_zone"))
    rows = []
    for agreement_id, deadline, owner, sponsor in rows_:
        for person in dict.fromkeys((owner, sponsor)):
            if person not in zones:
                continue
            local = local_now(zones[person], now)
            if local_hour is not None and local.hour != local_hour:
                continue
            days_left = (deadline - local.date()).days
            if days_left < 0:
                continue
            payload = {"agreement": agreement_id, "deadline": deadline.isoformat()}
            lead = lead_for(days_left)
            if lead is not None:
                rows.append(
                    Notification(
                        recipient_id=person,
                        kind=NotificationKind.NOTICE_REMINDER,
                        key=f"notice:{agreement_id}:{deadline.isoformat()}:{lead}:{person}",
                        payload={**payload, "lead": lead},
                    )
                )
            if person == sponsor and days_left <= settings.NOTICE_ESCALATION_DAYS:
                rows.append(
                    Notification(
                        recipient_id=person,
                        kind=NotificationKind.NOTICE_ESCALATION,
                        key=f"notice-escalation:{agreement_id}:{deadline.isoformat()}:{person}",
                        payload=payload,
                    )
                )
    return insert(rows)


def compose_notices(notifications: list[Notification], now: dt.datetime) -> dict:
    """Each reminder as of its recipient's day; one query for the whole batch. A reminder
    whose agreement was decided, ended or moved its deadline since is not sent."""
    ids = {n.payload.get("agreement") for n in notifications}
    agreements = {
        a.pk: a
        for a in Agreement.objects.filter(pk__in=ids).select_related(
            "deal__partnership__partner", "deal__owner", "deal__sponsor"
        )
    }
    out = {}
    for n in notifications:
        agreement = agreements.get(n.payload.get("agreement"))
        if (
            agreement is None
            or not n.recipient.is_active
            or agreement.ended_on
            or agreement.decision
            or agreement.notice_deadline is None
            or agreement.notice_deadline.isoformat() != n.payload.get("deadline")
        ):
            out[n.pk] = None
            continue
        today = n.recipient.local_date(now)
        days_left = (agreement.notice_deadline - today).days
        context = {
            "user": n.recipient,
            "agreement": agreement,
            "deal": agreement.deal,
            "days_left": days_left,
            "escalation": n.kind == NotificationKind.NOTICE_ESCALATION,
            "url": absolute(agreement.get_absolute_url()),
        }
        thread = [thread_id("agreement", agreement.pk)]
        out[n.pk] = message_for(n, "notice_reminder", context, thread=thread)
    return out
