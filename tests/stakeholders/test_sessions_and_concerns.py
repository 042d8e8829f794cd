import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from stakeholders.models import Concern, WorkingSession
from tests.factories import department

pytestmark = pytest.mark.django_db


def session_data(personas, **overrides):
    starts = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "title": "Liability cap, all departments",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "location": "Room 4; video link",
        "agenda": "1. Cap\n2. SLA, credits",
        "departments": [department("legal").pk, department("it").pk],
        "invitees": [personas.legal.pk, personas.it.pk],
    }
    data.update(overrides)
    return data


def test_the_owner_schedules_a_session_and_invitees_download_an_ics(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("session_create", args=[deal.pk]), session_data(personas)
    )
    session = WorkingSession.objects.get()
    assert response["Location"] == session.get_absolute_url()
    assert AuditEvent.objects.filter(action="session scheduled", deal=deal).exists()

    ics = client_for(personas.legal).get(reverse("session_ics", args=[session.pk]))
    body = ics.content.decode()
    unfolded = body.replace("\r\n ", "")  # RFC 5545 folds long lines
    assert ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Liability cap\\, all departments\r\n" in unfolded
    assert "LOCATION:Room 4\\; video link" in unfolded
    assert f"DTSTART:{session.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in unfolded
    # The download is METHOD:PUBLISH, which carries no ATTENDEE (RFC 5546 3.2.1).
    assert "METHOD:PUBLISH\r\n" in unfolded
    assert f'ORGANIZER;CN="{personas.owner.display_name}":mailto:{personas.owner.email}' in unfolded
    assert "ATTENDEE" not in unfolded
    assert f"mailto:{personas.legal.email}" not in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": "2001-01-01T10:00"}, "Schedule the session in the future."),
        ({"duration_minutes": "5"}, "between 15 minutes and 8 hours"),
        ({"departments": [], "invitees": []}, "Invite at least one department or person."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_session_input_is_refused(client_for, personas, deal, overrides, message):
    response = client_for(personas.owner).post(
        reverse("session_create", args=[deal.pk]), session_data(personas, **overrides)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not WorkingSession.objects.exists()


def test_recorded_attendees_count_as_voices_on_the_deal(client_for, personas, deal):
    client = client_for(personas.owner)
    client.post(reverse("session_create", args=[deal.pk]), session_data(personas))
    session = WorkingSession.objects.get()
    response = client.post(
        session.get_absolute_url(),
        {
            "outcomes": "Cap agreed at 12 months",
            "decisions": "Legal drafts",
            "attendees": [personas.it.pk],
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.outcomes == "Cap agreed at 12 months"
    html = client.get(deal.get_absolute_url()).content.decode()
    text = " ".join(html.replace("<strong>", "").replace("</strong>", "").split())
    assert "1 person has spoken, from IT." in text, text[
        text.find("Whose voice") : text.find("Whose voice") + 300
    ]


def test_a_concern_is_raised_answered_and_resolved_with_its_thread(client_for, personas, deal):
    response = client_for(personas.it).post(
        reverse("concern_create", args=[deal.pk]),
        {
            "title": "No SSO",
            "detail": "SAML missing",
            "severity": "high",
            "blocking": "on",
            "department": department("it").pk,
        },
    )
    concern = Concern.objects.get()
    assert response["Location"] == concern.get_absolute_url()
    assert concern.blocking and concern.raised_by == personas.it
    client_for(personas.owner).post(
        reverse("concern_reply", args=[concern.pk]), {"body": "Asked the partner"}
    )
    client_for(personas.owner).post(
        reverse("concern_resolve", args=[concern.pk]), {"resolution": "On roadmap, in contract"}
    )
    concern.refresh_from_db()
    assert not concern.is_open and concern.resolved_by == personas.owner
    html = client_for(personas.it).get(concern.get_absolute_url()).content.decode()
    assert "Asked the partner" in html and "On roadmap, in contract" in html
    again = client_for(personas.owner).post(
        reverse("concern_resolve", args=[concern.pk]), {"resolution": "Twice"}
    )
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="concern resolved").count() == 1


def test_an_empty_concern_is_refused_at_the_field(client_for, personas, deal):
    response = client_for(personas.it).post(
        reverse("concern_create", args=[deal.pk]), {"severity": "high"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Concern.objects.exists()
