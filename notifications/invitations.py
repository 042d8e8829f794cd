"""Working-session invitations by email (iMIP, RFC 6047): one email per invitee each
time the invitation changes — scheduled, rescheduled, cancelled.

Planned inside the stakeholders service's transaction (see stakeholders.signals and
notifications.receivers), so a rolled-back change plans nothing, and delivered through
the outbox after commit, exactly once like every other notification. The key names the
session, its SEQUENCE and the person: an update is a new email, a repeat is not.
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.emails import absolute
from stakeholders.calendar import Method, ics_invitation
from stakeholders.models import WorkingSession

from .models import Notification, NotificationKind
from .outbox import insert, message_for

# The subject's first word per kind of change.
WHAT = {"new": "Invitation", "update": "Updated", "cancel": "Cancelled"}


def plan_invitations(*, session: WorkingSession, method: str) -> list[int]:
    """One row per invitee for this revision of the session's invitation."""
    rows = [
        Notification(
            recipient_id=person,
            kind=NotificationKind.INVITATION,
            key=f"invitation:{session.pk}:{session.sequence}:{person}",
            payload={"session": session.pk, "sequence": session.sequence, "method": method},
        )
        for person in sorted(session.invitees.values_list("pk", flat=True))
    ]
    return insert(rows)


def compose_invitations(notifications: list[Notification], today: dt.date) -> dict:
    sessions = (
        WorkingSession.objects.select_related("deal", "organiser")
        .prefetch_related("invitees")
        .in_bulk([n.payload["session"] for n in notifications])
    )
    now = timezone.now()
    out: dict[int, EmailMultiAlternatives | None] = {}
    for n in notifications:
        session = sessions.get(n.payload["session"])
        # Superseded by a later revision (that one goes out instead), or no longer anyone's.
        if (
            session is None
            or session.sequence != n.payload["sequence"]
            or not n.recipient.is_active
            or n.recipient not in session.invitees.all()
        ):
            out[n.pk] = None
            continue
        method = n.payload["method"]
        change = "cancel" if method == Method.CANCEL else "update" if session.sequence else "new"
        context = {
            "user": n.recipient,
            "session": session,
            "deal": session.deal,
            "change": change,
            "what": WHAT[change],
            "session_url": absolute(session.get_absolute_url()),
        }
        message = message_for(n, "session_invitation", context)
        message.reply_to = [session.organiser.email]  # a reply (or RSVP) reaches the organiser
        ics = ics_invitation(session, method=method, now=now)
        # Calendar clients act on the text/calendar alternative (RFC 6047 2.4); the
        # attachment is for those that only offer a file to open.
        message.attach_alternative(ics, f"text/calendar; method={method}")
        message.attach("invite.ics", ics, "application/ics")
        out[n.pk] = message
    return out
