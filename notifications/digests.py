"""The weekly digest: who gets it and when, what it says to each person, its email.

What each role's section says is read in notifications.digest_sections.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute
from core.timezones import local_now
from deals.models import OPEN_STAGES
from stakeholders.models import Role, User

from .digest_executive import executive_sections
from .digest_playbooks import stale_playbook_sections
from .digest_renewals import renewal_sections
from .digest_sections import DIGEST_LIST_LIMIT, owner_sections, readers, reviewer_sections
from .models import DigestPreference, Notification, NotificationKind, Weekday
from .outbox import insert, message_for


def digest_period(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients(
    *, now: dt.datetime | None = None, everyone: bool = False, local_hour: int | None = None
):
    """Subscribed people with a part to play whose digest day it is where they are (or all).

    "Today" is each person's own day in their time zone; with `local_hour` (beat passes
    DIGEST_HOUR every quarter of an hour) only those whose local clock shows that hour.
    """
    now = now or timezone.now()
    involved = (
        Q(groups__name=Role.EXECUTIVE)
        | Q(memberships__isnull=False)
        | Q(owned_deals__stage__in=OPEN_STAGES, owned_deals__archived_at__isnull=True)
    )
    people = User.objects.filter(is_active=True).exclude(email="").filter(involved)
    subscribed = Q(digest_preference__isnull=True) | Q(digest_preference__subscribed=True)
    people = people.filter(subscribed)
    if not everyone:
        people = people.filter(_digest_day_is_today(now, local_hour=local_hour))
    return people.distinct().order_by("pk")


def _digest_day_is_today(now: dt.datetime, *, local_hour: int | None) -> Q:
    """People in a zone whose local weekday (and hour, if given) is their digest day's.

    One query for the zones in use; at most three local weekdays exist at any instant.
    """
    zones = set(User.objects.order_by().values_list("time_zone", flat=True).distinct())
    by_weekday: dict[int, list[str]] = defaultdict(list)
    for name in zones:
        local = local_now(name, now)
        if local_hour is None or local.hour == local_hour:
            by_weekday[local.weekday()].append(name)
    today = Q(pk__in=[])
    for weekday, names in by_weekday.items():
        day = Q(digest_preference__weekday=weekday)
        if weekday == settings.DIGEST_WEEKDAY:  # no preference saved: the default day
            day |= Q(digest_preference__isnull=True)
        today |= Q(time_zone__in=names) & day
    return today


def plan_digests(
    *, now: dt.datetime | None = None, everyone: bool = False, local_hour: int | None = None
) -> list[int]:
    """This week's digest for each subscribed person whose day it is: one per person per
    week, the week being the one of their own local date."""
    now = now or timezone.now()
    rows = []
    for person, zone_name in digest_recipients(
        now=now, everyone=everyone, local_hour=local_hour
    ).values_list("pk", "time_zone"):
        today = local_now(zone_name, now).date()
        period = digest_period(today)
        rows.append(
            Notification(
                recipient_id=person,
                kind=NotificationKind.DIGEST,
                key=f"digest:{person}:{period}",
                payload={"period": period, "date": today.isoformat()},
            )
        )
    return insert(rows)


def digest_contexts(user_ids: list[int], *, today: dt.date | None = None) -> dict[int, dict]:
    """The digest of each person, written for their roles: about ten queries for any number.

    Each role's section comes from its builder in digest_sections; a person with
    several roles gets several sections.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    users = readers(user_ids)
    if not users:
        return {}
    executive = executive_sections(users, now=now)
    reviewer = reviewer_sections(users, today=today)
    owner = owner_sections(users, now=now)
    renewals = renewal_sections(users, today=today)
    playbooks = stale_playbook_sections(users)
    links = {
        "dashboard_url": absolute(reverse("dashboard")),
        "inbox_url": absolute(reverse("review_inbox")),
        "preview_url": absolute(reverse("digest_preview")),
    }
    contexts = {}
    for user in users:
        preference = getattr(user, "digest_preference", None) or DigestPreference(user=user)
        context = {
            "user": user,
            "today": today,
            "period": digest_period(today),
            "week_start": today - dt.timedelta(days=today.weekday()),
            "subscribed": preference.subscribed,
            "weekday": Weekday(preference.weekday).label,
            **links,
            "stall_days": settings.STALL_DAYS,
            "list_limit": DIGEST_LIST_LIMIT,
            "executive": executive.get(user.pk),
            "reviewer": reviewer.get(user.pk),
            "owner": owner.get(user.pk),
            "renewals": renewals.get(user.pk),
            "stale_playbooks": playbooks.get(user.pk),
        }
        context["headline"] = _headline(context)
        contexts[user.pk] = context
    return contexts


def _headline(context: dict) -> str:
    """What matters most this week, for the subject line."""
    parts = []
    executive, reviewer = context["executive"], context["reviewer"]
    if executive and executive["decisions_count"]:
        n = executive["decisions_count"]
        parts.append(f"{n} decision{'s' if n != 1 else ''} wait{'s' if n == 1 else ''} for you")
    if reviewer and reviewer["overdue"]:
        n = reviewer["overdue"]
        parts.append(f"{n} review{'s' if n != 1 else ''} overdue")
    elif reviewer and reviewer["queue_count"]:
        n = reviewer["queue_count"]
        parts.append(f"{n} review{'s' if n != 1 else ''} in your queue")
    if executive and executive["stalled_count"]:
        n = executive["stalled_count"]
        parts.append(f"{n} stalled deal{'s' if n != 1 else ''}")
    owner = context["owner"]
    if not parts and owner:
        stalled = owner["stalled"]
        n = owner["count"]
        parts.append(
            f"{stalled} of your deals stalled"
            if stalled
            else f"{n} open deal{'s' if n != 1 else ''} of yours"
        )
    return ", ".join(parts) or "all quiet"


def digest_summary(context: dict) -> str:
    """One line about a digest, for `send_digests --dry-run`."""
    roles = [role for role in ("executive", "reviewer", "owner") if context[role]]
    return f"{' + '.join(roles) or 'no role'} digest: {context['headline']}"


def compose_digests(notifications: list[Notification], now: dt.datetime) -> dict:
    """Each digest as of its recipient's local date. A batch holds people of at most
    three local dates at once (UTC-12 to UTC+14): the queries stay bounded."""
    by_date: dict[dt.date, list[Notification]] = defaultdict(list)
    for n in notifications:
        by_date[n.recipient.local_date(now)].append(n)
    contexts: dict[int, dict] = {}
    for today, group in by_date.items():
        contexts.update(digest_contexts([n.recipient_id for n in group], today=today))
    out = {}
    for n in notifications:
        context = contexts.get(n.recipient_id)
        if context is None or not context["subscribed"]:
            out[n.pk] = None  # unsubscribed or left since it was planned
            continue
        out[n.pk] = message_for(n, "digest", context)
    return out
