"""iCalendar (RFC 5545) invitations for working sessions."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import timezone

from core.emails import message_domain

from .models import WorkingSession

# Line breaks of any kind (CRLF, a bare CR or LF, and the Unicode separators some
# calendar apps also honour) become an escaped \n; other control characters go.
_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11) that no calendar app can read as a new line."""
    text = _CONTROLS.sub("", text.replace("\t", " "))
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _BREAKS.sub("\\\\n", text)


def _param(text: str) -> str:
    """A quoted parameter value: no quotes, line breaks or controls inside (RFC 5545 3.2)."""
    text = _CONTROLS.sub("", _BREAKS.sub(" ", text))
    return '"' + " ".join(text.replace('"', "").split()) + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class Method:
    """The iTIP methods (RFC 5546 1.4) a session's calendar object is sent with."""

    PUBLISH = "PUBLISH"  # the download: a copy for one's own calendar, no attendees
    REQUEST = "REQUEST"  # the invitation and every update of it, to the attendees
    CANCEL = "CANCEL"  # the session is off


def session_uid(session: WorkingSession) -> str:
    """Stable for the life of the session, and unique across deployments: a second
    Deal Desk's session 7 is another event in the same calendar."""
    return f"session-{session.pk}@{message_domain()}"


def ics_invitation(
    session: WorkingSession, *, method: str = Method.PUBLISH, now: dt.datetime | None = None
) -> str:
    """The session as an iCalendar object for `method`, following RFC 5546's table for it.

    PUBLISH has no ATTENDEE (3.2.1); REQUEST and CANCEL list them all (3.2.2, 3.2.5);
    CANCEL carries STATUS:CANCELLED. SEQUENCE and LAST-MODIFIED follow the session's
    changes; DTSTAMP is when this object is made.
    """
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    description = f"{session.agenda}\n\nDeal: {session.deal.title}\n{url}"
    cancelled = method == Method.CANCEL or session.cancelled_at is not None
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Deal Desk//Working sessions//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{session_uid(session)}",
        f"SEQUENCE:{session.sequence}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"CREATED:{_utc(session.created_at)}",
        f"LAST-MODIFIED:{_utc(session.updated_at)}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{_escape(session.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(session.location)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"ORGANIZER;CN={_param(session.organiser.display_name)}:mailto:{session.organiser.email}",
    ]
    if method != Method.PUBLISH:
        for person in session.invitees.all():
            lines.append(
                f"ATTENDEE;CN={_param(person.display_name)};ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{person.email}"
            )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
