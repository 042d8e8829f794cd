"""iCalendar (RFC 5545) invitations for working sessions."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

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


def ics_invitation(session: WorkingSession, request=None) -> str:
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    description = f"{session.agenda}\n\nDeal: {session.deal.title}\n{url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Deal Desk//Working sessions//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@dealdesk",
        f"DTSTAMP:{_utc(session.created_at)}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{_escape(session.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(session.location)}",
        f"URL:{url}",
        f"ORGANIZER;CN={_param(session.organiser.display_name)}:mailto:{session.organiser.email}",
    ]
    for person in session.invitees.all():
        lines.append(
            f"ATTENDEE;CN={_param(person.display_name)};ROLE=REQ-PARTICIPANT:mailto:{person.email}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
