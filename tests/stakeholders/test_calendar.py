"""A working session's .ics holds no line that its text did not escape (issue 12, finding 6).

A bare carriage return in an agenda used to come out raw: strict parsers kept it in the
value, lenient calendar apps read a new line, so `…\\rATTENDEE:mailto:evil@evil.example`
invited someone. Every line break (CR, LF, CRLF, vertical tab, form feed, U+2028, …) is
now an escaped \\n, other control characters go, and parameter values are one line.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from stakeholders.calendar import ics_invitation
from stakeholders.models import WorkingSession
from tests.factories import UserFactory, WorkingSessionFactory, department

pytestmark = pytest.mark.django_db

EVIL = "ATTENDEE:mailto:evil@evil.example"
# One of each kind of line break, then the injection after a bare CR.
AGENDA = (
    "1. Cap\r2. SLA\n3. Credits\r\n4. Exit\x0b5. Data\x0c6. Fees\u20287. Audit\u2029"
    f"8. Close\x85done\r{EVIL}"
)
AGENDA_READ_BACK = (
    "1. Cap\n2. SLA\n3. Credits\n4. Exit\n5. Data\n6. Fees\n7. Audit\n8. Close\ndone\n" + EVIL
)
TITLE = f"Kick-off\r{EVIL}\nX-INJECTED:yes\r\nBEGIN:VALARM"
TITLE_READ_BACK = f"Kick-off\n{EVIL}\nX-INJECTED:yes\nBEGIN:VALARM"
# RFC 5545 3.1: NAME *(";" param) ":" value, a value without control characters but HTAB.
PARAM_VALUE = r'(?:"[^"\x00-\x08\x0a-\x1f\x7f]*"|[^";:,\x00-\x08\x0a-\x1f\x7f]*)'
CONTENT_LINE = re.compile(
    rf"[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+={PARAM_VALUE}(?:,{PARAM_VALUE})*)*"
    r":[^\x00-\x08\x0a-\x1f\x7f]*"
)


@pytest.fixture
def hostile_session(personas, deal):
    """A session whose text holds every line break, with an injection after a bare CR,
    and an invitee whose name tries the same inside a parameter."""
    sneaky = UserFactory(
        email="sneaky@example.test", first_name=f"Eve\r{EVIL}", last_name='"Q";X=1\n'
    )
    return WorkingSessionFactory(
        deal=deal,
        title=TITLE,
        agenda=AGENDA,
        location=f"Room 4\r{EVIL}",
        departments=[department("legal")],
        invitees=[personas.legal, sneaky],
    )


def unfolded_lines(body: str) -> list[str]:
    assert body.endswith("\r\n")
    return body[: -len("\r\n")].replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def assert_no_injected_line(body: str) -> None:
    # The only line breaks in the file are the CRLFs between content lines: nothing a
    # lenient reader (Python's splitlines() breaks on CR, LF, VT, FF, U+2028, …) splits.
    assert body.splitlines() == body[: -len("\r\n")].split("\r\n")
    for line in body.splitlines():
        assert not line.startswith("ATTENDEE:mailto:evil"), line
        assert not line.startswith(("X-INJECTED", "BEGIN:VALARM")), line
    for line in unfolded_lines(body):
        assert CONTENT_LINE.fullmatch(line), f"not NAME[;params]:value: {line!r}"


def assert_reads_back(body: str, session: WorkingSession, personas, invitation=True) -> None:
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert calendar.walk("VALARM") == []
    attendees = event.get("ATTENDEE")
    if not invitation:  # PUBLISH (the download) carries no ATTENDEE (RFC 5546 3.2.1)
        assert attendees is None
        attendees = []
    else:
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert sorted(str(a) for a in attendees) == [
            f"mailto:{personas.legal.email}",
            "mailto:sneaky@example.test",
        ]
    assert "X-INJECTED" not in event
    assert str(event["SUMMARY"]) == TITLE_READ_BACK
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    assert str(event["DESCRIPTION"]) == f"{AGENDA_READ_BACK}\n\nDeal: {session.deal.title}\n{url}"
    assert str(event["LOCATION"]) == f"Room 4\n{EVIL}"
    assert str(event["ORGANIZER"]) == f"mailto:{session.organiser.email}"
    for sneaky in (a for a in attendees if "sneaky" in str(a)):
        assert "\r" not in sneaky.params["CN"] and "\n" not in sneaky.params["CN"]


def test_line_breaks_in_a_sessions_text_inject_no_calendar_property(hostile_session, personas):
    body = ics_invitation(hostile_session, method="REQUEST")

    assert_no_injected_line(body)
    assert_reads_back(body, hostile_session, personas)


def test_the_ics_download_is_the_escaped_invitation(client_for, hostile_session, personas):
    response = client_for(personas.legal).get(reverse("session_ics", args=[hostile_session.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    assert_no_injected_line(body)
    assert_reads_back(body, hostile_session, personas, invitation=False)


def test_an_agenda_typed_into_the_session_form_comes_out_escaped(client_for, personas, deal):
    starts = timezone.localtime() + dt.timedelta(days=3)
    response = client_for(personas.owner).post(
        reverse("session_create", args=[deal.pk]),
        {
            "title": "Liability cap",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "location": "Room 4",
            "agenda": f"1. Cap\r{EVIL}\r\n2. SLA\x0bX-INJECTED:yes",
            "departments": [department("legal").pk],
            "invitees": [personas.legal.pk],
        },
    )
    assert response.status_code == 302
    session = WorkingSession.objects.get()
    body = client_for(personas.legal).get(reverse("session_ics", args=[session.pk])).content
    body = body.decode()

    assert_no_injected_line(body)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["DESCRIPTION"]).startswith(f"1. Cap\n{EVIL}\n2. SLA\nX-INJECTED:yes\n\n")


# (A NUL byte never gets this far: requests holding one are refused, and PostgreSQL
# would not store it.)
@pytest.mark.parametrize("control", ["\x01", "\x07", "\x1b", "\x7f", "\t"])
def test_other_control_characters_do_not_reach_the_file(personas, deal, control):
    session = WorkingSessionFactory(deal=deal, title=f"Bell{control}ring", agenda="a")
    body = ics_invitation(session)

    assert_no_injected_line(body)
    summary = str(Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"])
    assert summary in ("Bellring", "Bell ring")
