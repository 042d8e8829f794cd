"""The emails Deal Desk sends: review reminders, escalations to sponsors, weekly digests.

Two steps, both safe to repeat and to run on several workers at once:

1. **Plan** (`plan_review_reminders`, `plan_escalations`, `plan_digests`): insert
   one `Notification` row per email with a unique key (`reminder:7:2025-03-03`).
   Planning twice — beat firing twice, two workers, a retry — inserts nothing new.
2. **Deliver** (`deliver`): claim a batch of rows with a conditional UPDATE, compose
   their emails in a fixed number of queries whatever the size of the batch, send
   them over one SMTP connection and mark each row sent as soon as the server has
   accepted its message.

The exactly-once argument, in one place:

- A row is sent only by the task that claimed it (`claimed_by` = the Celery task
  id). Two tasks racing for one row: the UPDATE lets exactly one of them claim it.
- The task that claimed a row may claim it again. Celery redelivers a task with
  the same id when its worker died mid-task (acks_late +
  reject_on_worker_lost, or Redis' visibility timeout), and when it retries after
  an SMTP error; so "claimed but not sent when the worker died" is sent by the
  redelivered task rather than skipped. The first run is certainly dead by then:
  the task time limit is shorter than the visibility timeout (settings refuse
  anything else).
- A claim older than CLAIM_LEASE (twice the task time limit) is abandoned and any
  sender may take it: that covers a task that was lost altogether, and
  `unsent_ids` lets the beat sweeper find such rows.
- "Sent but not marked" cannot be closed: the SMTP server may accept a message
  and the worker die before the UPDATE that records it. The window is kept to
  that instant — one UPDATE right after each accepted message, never at the end
  of the batch — and the Message-ID is derived from the key, so a duplicate from
  that window is recognisable downstream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deals.models import ACTIVE_STAGES, OPEN_STAGES, Deal, Stage, StageChange
from metrics.models import (
    OFF_TRACK_GAP,
    Direction,
    OutcomeMetric,
    Status,
    achieved_share,
    expected_share,
    track_status,
)

from .models import (
    DigestPreference,
    Membership,
    Notification,
    NotificationKind,
    Review,
    ReviewStatus,
    Role,
    User,
    Weekday,
)

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 2
# Rows that failed this often are left for a person to look at (admin, last_error).
MAX_ATTEMPTS = 10
# Unsent rows older than this are not worth sending any more (a digest of last month).
GIVE_UP_AFTER = dt.timedelta(days=3)
DIGEST_LIST_LIMIT = 10


def claim_lease() -> dt.timedelta:
    return dt.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


# --------------------------------------------------------------------------- messages


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "dealdesk.localhost"


def email_context(context: dict) -> dict:
    """What every email template may use: the site and the settings page every email links to."""
    return {
        "site_url": settings.SITE_URL,
        "settings_url": absolute(reverse("notification_settings")),
        **context,
    }


def make_message(
    name: str, to: str, context: dict, *, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """An email from templates/emails/<name>_subject.txt, _body.txt and _body.html."""
    context = email_context(context)
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def message_for(
    notification: Notification, name: str, context: dict, *, riders: Iterable[str] = ()
) -> EmailMultiAlternatives:
    """`riders`: the keys of the notifications this email also carries (see FoldedInto)."""
    # The same key always gives the same Message-ID: a copy sent twice (the
    # at-least-once window described above) is recognisable as one message.
    keys = sorted([notification.key, *riders])
    if len(keys) == 1:
        message_key = notification.key.replace(":", ".").replace(" ", "")
    else:  # the same group, the same ID; another group (even with the same lead), another
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20]
        message_key = f"escalations.{digest}"
    headers = {
        "Message-ID": f"<{message_key}@{message_domain()}>",
        "X-Deal-Desk-Notification": " ".join(keys),
    }
    if notification.kind == NotificationKind.DIGEST:
        headers["List-Unsubscribe"] = f"<{absolute(reverse('notification_settings'))}>"
    return make_message(name, notification.recipient.email, context, headers=headers)


# --------------------------------------------------------------------------- planning


def _insert(rows: list[Notification]) -> list[int]:
    """Insert the rows whose keys are new; return the ids of every one of them still unsent."""
    if not rows:
        return []
    # ignore_conflicts: a key planned before (or by a racing worker) stays as it is.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return list(
        Notification.objects.filter(
            key__in=[row.key for row in rows], sent_at=None, cancelled_at=None
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _due_reviews(today: dt.date):
    """Open reviews on deals still being worked, due within two days or overdue."""
    return Review.objects.open().filter(
        due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        deal__stage__in=ACTIVE_STAGES,
        deal__archived_at__isnull=True,
    )


def plan_review_reminders(*, today: dt.date | None = None) -> list[int]:
    """One reminder a day per reviewer with reviews due within two days or overdue."""
    today = today or timezone.localdate()
    due = list(_due_reviews(today).values_list("reviewer_id", "department_id"))
    people = {reviewer for reviewer, _ in due if reviewer}
    # An unassigned review is everyone's in its department.
    unassigned = {department for reviewer, department in due if reviewer is None}
    if unassigned:
        people |= set(
            Membership.objects.filter(department__in=unassigned, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    rows = [
        Notification(
            recipient_id=person,
            kind=NotificationKind.REMINDER,
            key=f"reminder:{person}:{today.isoformat()}",
            payload={"date": today.isoformat()},
        )
        for person in sorted(people)
    ]
    return _insert(rows)


def plan_escalations(*, today: dt.date | None = None) -> list[int]:
    """Reviews overdue by more than ESCALATE_AFTER_DAYS and stalled deals, to each sponsor.

    Once per overdue due date and once per stall: a review given a new due date,
    or a deal that moved and stalled again, escalates again.
    """
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    rows = [
        Notification(
            recipient_id=sponsor,
            kind=NotificationKind.ESCALATION,
            key=f"escalation:review:{review}:{due_on.isoformat()}",
            payload={"review": review},
        )
        for review, sponsor, due_on in Review.objects.open()
        .filter(due_on__lt=cutoff, deal__stage__in=ACTIVE_STAGES, deal__archived_at__isnull=True)
        .values_list("pk", "deal__sponsor_id", "due_on")
    ]
    rows += [
        Notification(
            recipient_id=sponsor,
            kind=NotificationKind.STALLED,
            key=f"stalled:deal:{deal}:{changed_at:%Y%m%dT%H%M%S}",
            payload={"deal": deal},
        )
        for deal, sponsor, changed_at in Deal.objects.stalled()
        .filter(archived_at__isnull=True)
        .values_list("pk", "sponsor_id", "stage_changed_at")
    ]
    # Inserted sponsor by sponsor: one sponsor's items get neighbouring ids, so they land
    # in one delivery batch and go out as one email (see _compose_escalation_groups).
    rows.sort(key=lambda row: row.recipient_id)
    return _insert(rows)


def digest_period(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients(*, today: dt.date | None = None, everyone: bool = False):
    """Subscribed people with a part to play, whose digest day is today (or all of them)."""
    today = today or timezone.localdate()
    involved = (
        Q(groups__name=Role.EXECUTIVE)
        | Q(memberships__isnull=False)
        | Q(owned_deals__stage__in=OPEN_STAGES, owned_deals__archived_at__isnull=True)
    )
    people = User.objects.filter(is_active=True).exclude(email="").filter(involved)
    subscribed = Q(digest_preference__isnull=True) | Q(digest_preference__subscribed=True)
    people = people.filter(subscribed)
    if not everyone:
        weekday = today.weekday()
        on_default = (
            Q(digest_preference__isnull=True)
            if weekday == settings.DIGEST_WEEKDAY
            else Q(pk__in=[])
        )
        people = people.filter(on_default | Q(digest_preference__weekday=weekday))
    return people.distinct().order_by("pk")


def plan_digests(*, today: dt.date | None = None, everyone: bool = False) -> list[int]:
    """This week's digest for each subscribed person whose day it is: one per person per week."""
    today = today or timezone.localdate()
    period = digest_period(today)
    rows = [
        Notification(
            recipient_id=person,
            kind=NotificationKind.DIGEST,
            key=f"digest:{person}:{period}",
            payload={"period": period, "date": today.isoformat()},
        )
        for person in digest_recipients(today=today, everyone=everyone).values_list("pk", flat=True)
    ]
    return _insert(rows)


def unsent_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Rows nobody is working on: never claimed for a while, or their claim expired."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            sent_at=None,
            cancelled_at=None,
            attempts__lt=MAX_ATTEMPTS,
            created_at__gte=now - GIVE_UP_AFTER,
            created_at__lt=now - dt.timedelta(minutes=5),
        )
        .filter(Q(claimed_by="") | Q(claimed_at__lt=now - claim_lease()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int], size: int | None = None) -> Iterator[list[int]]:
    """Batches of about `size` ids, never splitting one recipient's notifications (their
    escalations go out as one email only when they share a batch). One query."""
    size = size or settings.NOTIFICATION_BATCH_SIZE
    recipients = dict(
        Notification.objects.filter(pk__in=ids).values_list("pk", "recipient_id").order_by()
    )
    batch: list[int] = []
    for pk in sorted(ids, key=lambda pk: (recipients.get(pk, 0), pk)):
        if len(batch) >= size and recipients.get(pk) != recipients.get(batch[-1]):
            yield batch
            batch = []
        batch.append(pk)
    if batch:
        yield batch


# --------------------------------------------------------------------------- delivery


@dataclass
class Delivery:
    sent: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # 5xx: cancelled, with the error
    skipped: int = 0  # sent already, or claimed by another task

    def as_dict(self) -> dict:
        return {
            "sent": len(self.sent),
            "cancelled": len(self.cancelled),
            "refused": len(self.refused),
            "skipped": self.skipped,
        }


def new_token() -> str:
    return f"local-{uuid.uuid4()}"


def claim(ids: list[int], *, token: str, now: dt.datetime) -> list[Notification]:
    """Claim the unsent rows among `ids` for this task: one UPDATE, one SELECT."""
    Notification.objects.filter(pk__in=ids, sent_at=None, cancelled_at=None).filter(
        Q(claimed_by="") | Q(claimed_by=token) | Q(claimed_at__lt=now - claim_lease())
    ).update(claimed_by=token, claimed_at=now, attempts=F("attempts") + 1)
    return list(
        Notification.objects.filter(pk__in=ids, claimed_by=token, sent_at=None, cancelled_at=None)
        .select_related("recipient")
        .order_by("pk")
    )


def _release(ids: Iterable[int], *, token: str, error: str) -> None:
    Notification.objects.filter(pk__in=list(ids), claimed_by=token, sent_at=None).update(
        claimed_by="", last_error=error[:2000]
    )


def _is_permanent(error: SMTPException) -> bool:
    """A 5xx answer about this message or its recipient: retrying will not help."""
    if isinstance(error, SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, SMTPResponseException) and 500 <= error.smtp_code < 600


def deliver(*, ids: list[int], token: str | None = None) -> Delivery:
    """Send the notifications among `ids` not sent yet, over one SMTP connection.

    A temporary SMTP failure (4xx, connection lost) releases what is left of the
    batch and raises, for the task to retry it with backoff; what was sent stays
    sent. A permanent refusal of one message is recorded on its row and the batch
    goes on.
    """
    token = token or new_token()
    result = Delivery()
    now = timezone.now()
    claimed = claim(ids, token=token, now=now)
    result.skipped = len(set(ids)) - len(claimed)
    if not claimed:
        return result
    try:
        composed = compose(claimed, today=timezone.localdate())
    except Exception as error:
        _release([n.pk for n in claimed], token=token, error=f"compose: {error!r}")
        raise
    cancelled = [n.pk for n, message in composed if message is None]
    if cancelled:
        Notification.objects.filter(pk__in=cancelled, claimed_by=token, sent_at=None).update(
            cancelled_at=now, claimed_by=""
        )
        result.cancelled = cancelled
    # A notification folded into another's email is settled with that email.
    riders: dict[int, list[int]] = defaultdict(list)
    for n, message in composed:
        if isinstance(message, FoldedInto):
            riders[message.lead].append(n.pk)
    outgoing = [(n, m) for n, m in composed if isinstance(m, EmailMultiAlternatives)]
    if not outgoing:
        return result
    pending = {n.pk for n, _ in outgoing} | {pk for group in riders.values() for pk in group}
    try:
        with get_connection(fail_silently=False) as connection:
            for notification, message in outgoing:
                try:
                    connection.send_messages([message])
                except SMTPException as error:
                    if not _is_permanent(error):
                        raise
                    # A bad address stays bad: recorded, and not tried again.
                    group = [notification.pk, *riders[notification.pk]]
                    Notification.objects.filter(pk__in=group, claimed_by=token).update(
                        cancelled_at=timezone.now(), claimed_by="", last_error=f"refused: {error!r}"
                    )
                    pending.difference_update(group)
                    result.refused.extend(group)
                    log.warning("Mail server refused %s: %r", notification.key, error)
                    continue
                # The server has the message. Record that at once: if the worker
                # died between these two lines the message would go out again —
                # the one window at-least-once delivery cannot close.
                group = [notification.pk, *riders[notification.pk]]
                Notification.objects.filter(pk__in=group, claimed_by=token, sent_at=None).update(
                    sent_at=timezone.now(), claimed_by="", last_error=""
                )
                pending.difference_update(group)
                result.sent.extend(group)
    except Exception as error:
        # What was not sent goes back to the pool, for this task's retry (or the sweeper).
        _release(pending, token=token, error=repr(error))
        raise
    return result


# --------------------------------------------------------------------------- composing


@dataclass(frozen=True)
class FoldedInto:
    """This notification goes out inside the email of notification `lead`."""

    lead: int


def compose(
    notifications: list[Notification], *, today: dt.date
) -> list[tuple[Notification, EmailMultiAlternatives | FoldedInto | None]]:
    """Each notification's email, or None when there is nothing left to say, or FoldedInto
    when another notification's email carries it (a sponsor's escalations go as one).

    Grouped by kind, each group loads what it needs for all its recipients at
    once: the number of queries does not grow with the size of the batch.
    """
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        by_kind[notification.kind].append(notification)
    out: dict[int, EmailMultiAlternatives | None] = {}
    if by_kind[NotificationKind.REMINDER]:
        out.update(_compose_reminders(by_kind[NotificationKind.REMINDER], today))
    escalations = by_kind[NotificationKind.ESCALATION] + by_kind[NotificationKind.STALLED]
    if escalations:
        out.update(_compose_escalation_groups(escalations, today))
    if by_kind[NotificationKind.DIGEST]:
        out.update(_compose_digests(by_kind[NotificationKind.DIGEST], today))
    return [(n, out.get(n.pk)) for n in notifications]


def _review_row(review: Review, today: dt.date) -> dict:
    days = (review.due_on - today).days
    if days < 0:
        when = f"overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        when = "due today"
    else:
        when = f"due in {days} day{'s' if days != 1 else ''}"
    return {
        "review": review,
        "deal": review.deal,
        "department": review.department.name,
        "when": when,
        "overdue": days < 0,
        "url": absolute(review.get_absolute_url()),
    }


def _compose_reminders(notifications: list[Notification], today: dt.date) -> dict:
    people = [n.recipient_id for n in notifications]
    departments: dict[int, set[int]] = defaultdict(set)
    for user_id, department_id in Membership.objects.filter(user__in=people).values_list(
        "user_id", "department_id"
    ):
        departments[user_id].add(department_id)
    all_departments = set().union(*departments.values()) if departments else set()
    reviews = list(
        _due_reviews(today)
        .filter(Q(reviewer__in=people) | Q(reviewer__isnull=True, department__in=all_departments))
        .select_related("deal__partnership__partner", "department")
        .order_by("due_on", "pk")
    )
    out = {}
    for n in notifications:
        mine = [
            _review_row(r, today)
            for r in reviews
            if r.reviewer_id == n.recipient_id
            or (r.reviewer_id is None and r.department_id in departments[n.recipient_id])
        ]
        if not mine or not n.recipient.is_active:
            out[n.pk] = None
            continue
        context = {
            "user": n.recipient,
            "overdue": [row for row in mine if row["overdue"]],
            "due_soon": [row for row in mine if not row["overdue"]],
            "count": len(mine),
            "inbox_url": absolute(reverse("review_inbox")),
        }
        out[n.pk] = message_for(n, "review_reminder", context)
    return out


def _escalation_items(notifications: list[Notification], today: dt.date) -> dict:
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
                "row": _review_row(review, today) if review else None,
                "deal": deal,
                "deal_url": absolute(deal.get_absolute_url()),
                "decide_url": absolute(reverse("decision_create", args=[deal.pk])),
            }
            if still
            else None
        )
    return items


def _compose_escalation_groups(notifications: list[Notification], today: dt.date) -> dict:
    """One email per sponsor: a lone item keeps its own email, several go as one list."""
    items = _escalation_items(notifications, today)
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
            out[lead.pk] = message_for(lead, name, {**base, **item})
            continue
        reviews = [items[n.pk] for n in group if items[n.pk]["row"]]
        stalls = [items[n.pk] for n in group if not items[n.pk]["row"]]
        context = {**base, "reviews": reviews, "stalls": stalls, "count": len(group)}
        out[lead.pk] = message_for(lead, "escalations", context, riders=[n.key for n in group[1:]])
        for n in group[1:]:
            out[n.pk] = FoldedInto(lead.pk)
    return out


def _compose_digests(notifications: list[Notification], today: dt.date) -> dict:
    contexts = digest_contexts([n.recipient_id for n in notifications], today=today)
    out = {}
    for n in notifications:
        context = contexts.get(n.recipient_id)
        if context is None or not context["subscribed"]:
            out[n.pk] = None  # unsubscribed or left since it was planned
            continue
        out[n.pk] = message_for(n, "digest", context)
    return out


# --------------------------------------------------------------------------- the digest


def _money(rows: Iterable[tuple[str, Decimal]]) -> list[dict]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in rows:
        totals[currency] += amount or 0
    return [
        {"currency": currency, "total": total}
        for currency, total in sorted(totals.items(), key=lambda item: -item[1])
        if total
    ]


def _window(expression, partition: list, order: list | None = None) -> Window:
    return Window(expression, partition_by=partition, order_by=order)


def _top_visible(
    queryset, *, deal: str, order: list, executives: list[int]
) -> tuple[list, dict[int, int]]:
    """The first DIGEST_LIST_LIMIT rows each executive may see, and how many they may see.

    One query. An executive sees the public rows and the confidential ones of deals they
    sponsor or own. Two window partitions split those apart: by `seen_as_sponsor`
    (NULL for every public row, else the sponsor) and by `seen_as_owner` (the owner of
    a confidential deal that someone else sponsors). An executive's first rows are
    among the first of the public partition and of their own partitions, which the
    windows keep and count. `deal` is the path to the deal ("" or "deal__").
    """
    confidential = Q(**{f"{deal}confidential": True})
    sponsor, owner = F(f"{deal}sponsor_id"), F(f"{deal}owner_id")
    limit = DIGEST_LIST_LIMIT
    rows = list(
        queryset.filter(
            Q(**{f"{deal}confidential": False})
            | Q(**{f"{deal}sponsor__in": executives})
            | Q(**{f"{deal}owner__in": executives})
        )
        .annotate(
            seen_as_sponsor=Case(When(confidential, then=sponsor)),
            seen_as_owner=Case(When(confidential & ~Q(**{f"{deal}owner": sponsor}), then=owner)),
        )
        .annotate(
            rn_sponsor=_window(RowNumber(), [F("seen_as_sponsor")], order),
            n_sponsor=_window(Count("pk"), [F("seen_as_sponsor")]),
            rn_owner=_window(RowNumber(), [F("seen_as_owner")], order),
            n_owner=_window(Count("pk"), [F("seen_as_owner")]),
        )
        .filter(
            Q(seen_as_sponsor__isnull=True, rn_sponsor__lte=limit)
            | Q(seen_as_sponsor__in=executives, rn_sponsor__lte=limit)
            | Q(seen_as_owner__in=executives, rn_owner__lte=limit)
        )
        .order_by(*order)
    )
    public = 0
    as_sponsor: dict[int, int] = {}
    as_owner: dict[int, int] = {}
    for row in rows:
        if row.seen_as_sponsor is None:
            public = row.n_sponsor
        else:
            as_sponsor[row.seen_as_sponsor] = row.n_sponsor
        if row.seen_as_owner is not None:
            as_owner[row.seen_as_owner] = row.n_owner
    counts = {e: public + as_sponsor.get(e, 0) + as_owner.get(e, 0) for e in executives}
    return rows, counts


def digest_contexts(user_ids: list[int], *, today: dt.date | None = None) -> dict[int, dict]:
    """The digest of each person, written for their roles: about ten queries for any number.

    Executives: portfolio status, deals that moved this week, stalled deals and
    their cost of delay, decisions waiting for them, metrics off track. Reviewers:
    their queue, overdue items, what waits for their departments. Deal owners:
    their open deals. Confidential deals appear only to their sponsor and owner
    (and, as reviews, to the departments reviewing them).

    A digest is read by a person: each list shows its DIGEST_LIST_LIMIT most pressing
    items (decisions waiting longest, costliest stalls, soonest due reviews…) and says
    how many more there are, counted in the database. The database returns only the
    rows shown, so a digest costs the same at 1,000 deals as at 10,000.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    week_ago = now - dt.timedelta(days=7)
    stall_cutoff = now - dt.timedelta(days=settings.STALL_DAYS)
    limit = DIGEST_LIST_LIMIT
    users = list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .select_related("digest_preference")
        .prefetch_related(
            "groups",
            Prefetch("memberships", queryset=Membership.objects.select_related("department")),
        )
    )
    if not users:
        return {}
    for user in users:
        user._role_names = {group.name for group in user.groups.all()}
    executives = [u.pk for u in users if u.is_executive]
    department_ids = {m.department_id for u in users for m in u.memberships.all()}
    current = Deal.objects.filter(archived_at__isnull=True)

    portfolio: list[dict] = []
    stage_counts: list[dict] = []
    stalled_money: list[dict] = []
    moved: list[StageChange] = []
    moved_count: dict[int, int] = {}
    stalled: list[Deal] = []
    stalled_count: dict[int, int] = {}
    awaiting: dict[int, list[Deal]] = defaultdict(list)
    awaiting_count: dict[int, int] = defaultdict(int)
    off_track: dict[int, list[OutcomeMetric]] = defaultdict(list)
    off_track_count: dict[int, int] = defaultdict(int)
    if executives:
        # Counts and values by stage, and what the stalled ones cost, in one grouped query.
        stalled_q = Q(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff)
        stage_counts = list(
            current.filter(confidential=False, stage__in=OPEN_STAGES)
            .values("stage", "currency")
            .annotate(
                n=Count("pk"),
                total=Sum("contract_value"),
                stalled_cost=Sum("weekly_cost_of_delay", filter=stalled_q),
            )
            .order_by()
        )
        stalled_money = _money((row["currency"], row["stalled_cost"]) for row in stage_counts)
        moved, moved_count = _top_visible(
            StageChange.objects.filter(
                at__gte=week_ago, deal__archived_at__isnull=True, from_stage__gt=""
            )
            .select_related("deal")
            # Narrow rows: the windows sort every move of the week.
            .only(
                "deal__title",
                "deal__confidential",
                "deal__sponsor_id",
                "deal__owner_id",
                "from_stage",
                "to_stage",
                "at",
            ),
            deal="deal__",
            order=[F("at").desc(), F("pk").desc()],
            executives=executives,
        )
        stalled, stalled_count = _top_visible(
            current.stalled(now),
            deal="",
            order=[F("weekly_cost_of_delay").desc(), F("pk").asc()],
            executives=executives,
        )
        # Asked to decide, or a department rejected: EXISTS, not a join and DISTINCT.
        # Longest waiting first (deals only rejected come after those asked about).
        rejected = Review.objects.filter(deal=OuterRef("pk"), status=ReviewStatus.REJECTED)
        waiting = [F("decision_requested_at").asc(nulls_last=True), F("pk").asc()]
        for deal in (
            current.filter(sponsor__in=executives, stage__in=OPEN_STAGES)
            .filter(Q(decision_requested_at__isnull=False) | Exists(rejected))
            .annotate(
                rn=_window(RowNumber(), [F("sponsor_id")], waiting),
                n=_window(Count("pk"), [F("sponsor_id")]),
            )
            .filter(rn__lte=limit)
            .order_by(*waiting)
        ):
            awaiting[deal.sponsor_id].append(deal)
            awaiting_count[deal.sponsor_id] = deal.n
        # Status is judged on plain values first (thousands of rows at a large
        # company), then only the off-track metrics shown are loaded as objects:
        # those of the biggest deals first.
        shown: list[int] = []
        progressed = F("baseline") + (1 - OFF_TRACK_GAP) * (F("target") - F("baseline"))
        for pk, sponsor_id, baseline, target, value, on, start, end in (
            OutcomeMetric.objects.filter(
                deal__sponsor__in=executives,
                deal__archived_at__isnull=True,
                latest_value__isnull=False,
                latest_on__gt=F("start_date"),
            )
            # Off track needs less than 3/4 of the change achieved (the line promises
            # at most all of it): most metrics are ruled out here, without a division.
            .filter(
                Q(direction=Direction.INCREASE, latest_value__lte=progressed)
                | Q(direction=Direction.DECREASE, latest_value__gte=progressed)
            )
            .exclude(deal__stage=Stage.ABANDONED)
            .order_by(F("deal__contract_value").desc(nulls_last=True), "deal_id", "pk")
            .values_list(
                "pk",
                "deal__sponsor_id",
                "baseline",
                "target",
                "latest_value",
                "latest_on",
                "start_date",
                "target_date",
            )
        ):
            status = track_status(
                expected_share(start, end, on), achieved_share(baseline, target, value)
            )
            if status == Status.OFF_TRACK:
                if off_track_count[sponsor_id] < limit:
                    shown.append(pk)
                off_track_count[sponsor_id] += 1
        metrics = OutcomeMetric.objects.select_related("deal").in_bulk(shown)
        for pk in shown:
            off_track[metrics[pk].deal.sponsor_id].append(metrics[pk])
        by_stage: dict[str, int] = defaultdict(int)
        for row in stage_counts:
            by_stage[row["stage"]] += row["n"]
        portfolio = [
            {"label": stage.label, "count": by_stage[stage.value]}
            for stage in Stage
            if stage in OPEN_STAGES
        ]
    # Reviews: each department's first open reviews with its counts, and each person's
    # assigned ones and the department's unassigned ones (a person's queue), in one query.
    department_reviews: list[Review] = []
    if department_ids:
        department, reviewer = F("department_id"), F("reviewer_id")
        due = [F("due_on").asc(), F("pk").asc()]
        late = Sum(Case(When(due_on__lt=today, then=Value(1)), default=Value(0)))
        department_reviews = list(
            Review.objects.open()
            .filter(
                department__in=department_ids,
                deal__stage__in=OPEN_STAGES,
                deal__archived_at__isnull=True,
            )
            .annotate(
                rn_department=_window(RowNumber(), [department], due),
                n_department=_window(Count("pk"), [department]),
                late_department=_window(late, [department]),
                rn_queue=_window(RowNumber(), [department, reviewer], due),
                n_queue=_window(Count("pk"), [department, reviewer]),
                late_queue=_window(late, [department, reviewer]),
            )
            .filter(
                Q(rn_department__lte=limit)
                | Q(rn_queue__lte=limit, reviewer__isnull=True)
                | Q(rn_queue__lte=limit, reviewer__in=[u.pk for u in users])
            )
            .select_related("deal__partnership__partner", "department", "reviewer")
            .order_by(*due)
        )
    owned: dict[int, list[Deal]] = defaultdict(list)
    owned_count: dict[int, int] = {}
    owned_stalled: dict[int, int] = {}
    longest = [F("stage_changed_at").asc(), F("pk").asc()]
    for deal in (
        current.filter(owner__in=[u.pk for u in users], stage__in=OPEN_STAGES)
        .annotate(
            rn=_window(RowNumber(), [F("owner_id")], longest),
            n=_window(Count("pk"), [F("owner_id")]),
            n_stalled=_window(
                Sum(
                    Case(
                        When(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff, then=1),
                        default=0,
                    )
                ),
                [F("owner_id")],
            ),
        )
        .filter(rn__lte=limit)
        .select_related("partnership__partner")
        .order_by(*longest)
    ):
        owned[deal.owner_id].append(deal)
        owned_count[deal.owner_id] = deal.n
        owned_stalled[deal.owner_id] = deal.n_stalled

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
            "dashboard_url": absolute(reverse("dashboard")),
            "inbox_url": absolute(reverse("review_inbox")),
            "preview_url": absolute(reverse("digest_preview")),
            "stall_days": settings.STALL_DAYS,
            "list_limit": limit,
            "executive": None,
            "reviewer": None,
            "owner": None,
        }

        def sees(deal: Deal, user: User = user) -> bool:
            return not deal.confidential or user.pk in (deal.sponsor_id, deal.owner_id)

        if user.pk in executives:
            my_moves = [c for c in moved if sees(c.deal)][:limit]
            my_stalled = [d for d in stalled if sees(d)][:limit]
            decisions = awaiting[user.pk]
            context["executive"] = {
                "portfolio": portfolio,
                "open_deals": sum(row["count"] for row in portfolio),
                "pipeline": _money((row["currency"], row["total"]) for row in stage_counts),
                "moved": [
                    {"change": c, "url": absolute(c.deal.get_absolute_url())} for c in my_moves
                ],
                "moved_more": max(0, moved_count[user.pk] - len(my_moves)),
                "stalled": [{"deal": d, "url": absolute(d.get_absolute_url())} for d in my_stalled],
                "stalled_count": stalled_count[user.pk],
                "stalled_more": max(0, stalled_count[user.pk] - len(my_stalled)),
                "stalled_money": stalled_money,
                "decisions": [
                    {
                        "deal": d,
                        "url": absolute(d.get_absolute_url()),
                        "decide_url": absolute(reverse("decision_create", args=[d.pk])),
                    }
                    for d in decisions
                ],
                "decisions_count": awaiting_count[user.pk],
                "decisions_more": max(0, awaiting_count[user.pk] - len(decisions)),
                "off_track": [
                    {"metric": m, "url": absolute(m.deal.get_absolute_url())}
                    for m in off_track[user.pk]
                ],
                "off_track_more": max(0, off_track_count[user.pk] - len(off_track[user.pk])),
            }
        mine = {m.department_id for m in user.memberships.all()}
        if mine:
            queue = [
                r
                for r in department_reviews
                if r.department_id in mine
                and r.reviewer_id in (user.pk, None)
                and r.rn_queue <= limit
            ]
            # The queue's counts: each of my departments' unassigned reviews and mine.
            partitions = {(r.department_id, r.reviewer_id): r for r in queue}
            waiting = []
            for membership in user.memberships.all():
                rows = [
                    r
                    for r in department_reviews
                    if r.department_id == membership.department_id and r.rn_department <= limit
                ]
                waiting.append(
                    {
                        "department": membership.department.name,
                        "count": rows[0].n_department if rows else 0,
                        "overdue": rows[0].late_department if rows else 0,
                        "reviews": [_review_row(r, today) for r in rows],
                        "more": max(0, (rows[0].n_department if rows else 0) - len(rows)),
                    }
                )
            context["reviewer"] = {
                "queue": [_review_row(r, today) for r in queue[:limit]],
                "queue_count": sum(r.n_queue for r in partitions.values()),
                "overdue": sum(r.late_queue for r in partitions.values()),
                "departments": waiting,
            }
        if owned[user.pk]:
            context["owner"] = {
                "deals": [
                    {"deal": d, "url": absolute(d.get_absolute_url())} for d in owned[user.pk]
                ],
                "count": owned_count[user.pk],
                "stalled": owned_stalled[user.pk],
                "more": max(0, owned_count[user.pk] - len(owned[user.pk])),
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
