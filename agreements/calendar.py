"""Each person's private calendar feed (RFC 5545): the notice deadlines of the agreements
they own or sponsor, and the due dates of the obligations they owe evidence for.

The URL carries a signed token naming the person (django.core.signing with its own
salt): calendar apps fetch it without logging in, and nobody can forge another's.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core.audit import audit_record
from core.emails import absolute, message_domain
from core.models import AuditAction
from deals.models import Deal
from stakeholders.models import User

from .models import Agreement, Occurrence, OccurrenceStatus

SALT = "agreements.calendar"
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def token_for(user) -> str:
    # Before a person first replaces their address the key is empty and the token names
    # the id alone, as the addresses given out before keys existed did.
    value = f"{user.pk}.{user.calendar_key}" if user.calendar_key else str(user.pk)
    return signing.Signer(salt=SALT).sign(value)


def feed_path(user) -> str:
    return reverse("calendar_feed", args=[token_for(user)])


def user_for_token(token: str) -> User | None:
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, key = value.partition(".")
    if not pk.isdigit():
        return None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(key, user.calendar_key):
        return None  # an address from before the person replaced it
    return user


@transaction.atomic
def calendar_address_replace(*, user: User) -> str:
    """Give the person a new calendar address; every one given out before stops working."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.calendar_key = secrets.token_hex(16)
    locked.save(update_fields=["calendar_key"])
    # The keys themselves stay out of the audit trail: they are half of a credential.
    audit_record(
        actor=locked,
        action=AuditAction.CALENDAR_ADDRESS_REPLACED,
        instance=locked,
        before={"calendar_address": "previous"},
        after={"calendar_address": "new"},
    )
    user.calendar_key = locked.calendar_key
    return feed_path(locked)


def _text(value: str) -> str:
    value = _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def _fold(line: str) -> str:
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _event(
    uid: str, day: dt.date, summary: str, description: str, url: str, stamp: str
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@{message_domain()}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def feed(user) -> str:
    """The feed: two queries."""
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Deal Desk//Agreements//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text('Deal Desk deadlines of ' + user.display_name)}",
    ]
    agreements = (
        Agreement.objects.with_deadline()
        .filter(Q(deal__owner=user) | Q(deal__sponsor=user), deal__archived_at__isnull=True)
        .select_related("deal__partnership__partner")
        .order_by("notice_deadline", "pk")
    )
    for agreement in agreements:
        deal = agreement.deal
        lines += _event(
            f"notice-{agreement.pk}-{agreement.notice_deadline:%Y%m%d}",
            agreement.notice_deadline,
            f"Notice deadline: {deal.title}",
            f"Last day to give notice on {deal.title} ({deal.partnership.partner.name}). "
            f"The term ends {agreement.current_term_end:%-d %b %Y}."
            + (f" Decided: {agreement.get_decision_display()}." if agreement.decision else ""),
            absolute(agreement.get_absolute_url()),
            stamp,
        )
    occurrences = (
        Occurrence.objects.filter(
            obligation__owner=user,
            status__in=[OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED],
            obligation__agreement__ended_on__isnull=True,
            obligation__agreement__deal__archived_at__isnull=True,
            # Only deals the person may see: a feed must never name a confidential deal.
            obligation__agreement__deal__in=Deal.objects.visible_to(user).values("pk"),
        )
        .select_related("obligation__agreement__deal")
        .order_by("due_on", "pk")
    )
    for occurrence in occurrences:
        obligation = occurrence.obligation
        lines += _event(
            f"obligation-{occurrence.pk}",
            occurrence.due_on,
            f"Due: {obligation.title}",
            f"{obligation.get_owed_by_display()}, {obligation.agreement.deal.title}.",
            absolute(occurrence.get_absolute_url()),
            stamp,
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
