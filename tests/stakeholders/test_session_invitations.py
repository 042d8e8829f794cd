"""Working-session invitations by email (iMIP): scheduled → REQUEST, rescheduled → REQUEST
with the same UID and a higher SEQUENCE, cancelled → CANCEL; the download is PUBLISH.
Each calendar object is read by two independent parsers (icalendar, ics) and checked
against RFC 5546's table for its METHOD; the mail goes through a real SMTP server."""

from __future__ import annotations

import datetime as dt

import icalendar
import ics
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from notifications.delivery import compose
from notifications.models import Notification, NotificationKind
from notifications.tasks import deliver_notifications
from stakeholders.models import WorkingSession
from stakeholders.services import session_cancel, session_reschedule, session_schedule
from tests.factories import UserFactory, department

pytestmark = pytest.mark.django_db

ICS_ATTACHMENT = "application/ics"


@pytest.fixture
def act(django_capture_on_commit_callbacks, eager_tasks):
    """Call a service as a view would: its after-commit work (the delivery) runs."""

    def act(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return act


def schedule(act, personas, deal, **overrides) -> WorkingSession:
    data = {
        "title": "Liability cap, all departments",
        "starts_at": timezone.now().replace(microsecond=0) + dt.timedelta(days=3),
        "duration_minutes": 90,
        "location": "Room 4; video link",
        "agenda": "1. Cap\n2. SLA, credits",
        **overrides,
    }
    return act(
        session_schedule,
        deal=deal,
        user=personas.owner,
        data=data,
        departments=[department("legal")],
        invitees=[personas.legal, personas.it],
    )


def calendar_parts(message) -> list:
    """Every text/calendar or .ics part of a received message."""
    return [
        part
        for part in message.walk()
        if part.get_content_type() in ("text/calendar", ICS_ATTACHMENT)
    ]


def calendar_of(message, *, method: str) -> str:
    """The text/calendar alternative, checked to say the same as the .ics attachment."""
    [alternative] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [attachment] = [p for p in message.walk() if p.get_content_type() == ICS_ATTACHMENT]
    assert alternative.get_param("method") == method
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    text = alternative.get_content()
    attached = attachment.get_content()
    attached = attached.decode() if isinstance(attached, bytes) else attached
    assert text.replace("\r\n", "\n") == attached.replace("\r\n", "\n")
    return text


def parse(text: str):
    """The one VEVENT, as icalendar reads it, after the second parser has read it too."""
    other = ics.Calendar(text)
    [other_event] = other.events
    calendar = icalendar.Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    assert other_event.uid == str(event["UID"])
    assert other_event.begin.datetime == event["DTSTART"].dt
    assert other_event.name == str(event["SUMMARY"])
    return calendar, event, other_event


def attendees(event) -> set[str]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


def to(messages, email: str) -> list:
    return [m for m in messages if m["To"] == email]


def test_scheduling_emails_each_invitee_one_request_with_organiser_and_attendees(
    act, personas, deal, mailbox, settings
):
    settings.SITE_URL = "https://deals.example.com"
    session = schedule(act, personas, deal)

    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([personas.legal.email, personas.it.email])
    [message] = to(messages, personas.legal.email)
    assert message["Subject"].strip().startswith("Invitation: Liability cap, all departments,")
    assert message.get_content_type() == "multipart/mixed"
    assert "invites you to a working session" in message.get_body(("plain",)).get_content()
    calendar, event, other = parse(calendar_of(message, method="REQUEST"))

    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"session-{session.pk}@deals.example.com"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == f"mailto:{personas.owner.email}"
    assert attendees(event) == {personas.legal.email, personas.it.email}
    assert {a.email for a in other.attendees} == {personas.legal.email, personas.it.email}
    assert event["DTSTART"].dt == session.starts_at
    assert event["DTEND"].dt == session.starts_at + dt.timedelta(minutes=90)
    assert str(event["LOCATION"]) == "Room 4; video link"
    assert str(event["STATUS"]) == "CONFIRMED"
    # RFC 5546 3.2.2: DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID are required in a REQUEST.
    for name in ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID", "LAST-MODIFIED"):
        assert name in event, name
    assert abs(event["DTSTAMP"].dt - timezone.now()) < dt.timedelta(minutes=1)
    # Automatic mail: no out-of-office answers; and an invitation has nothing to unsubscribe.
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["List-Unsubscribe"] is None
    assert message["Reply-To"] == personas.owner.email  # replies reach the organiser
    assert Notification.objects.filter(kind=NotificationKind.INVITATION).count() == 2


def test_rescheduling_sends_an_update_with_the_same_uid_and_the_next_sequence(
    act, personas, deal, mailbox
):
    session = schedule(act, personas, deal)
    [first] = to(mailbox.wait_for(2), personas.it.email)
    _, invitation, _ = parse(calendar_of(first, method="REQUEST"))
    mailbox.reset()
    later = session.starts_at + dt.timedelta(days=1, hours=2)

    moved = act(
        session_reschedule,
        session=session,
        user=personas.owner,
        data={"starts_at": later, "location": "Room 7"},
    )

    assert moved.sequence == 1
    [update] = to(mailbox.wait_for(2), personas.it.email)
    assert update["Subject"].strip().startswith("Updated: Liability cap")
    calendar, event, other = parse(calendar_of(update, method="REQUEST"))
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == invitation["UID"]
    assert event["SEQUENCE"] == 1 > invitation["SEQUENCE"]
    assert event["DTSTART"].dt == later
    assert other.location == "Room 7"
    assert attendees(event) == {personas.legal.email, personas.it.email}
    assert event["LAST-MODIFIED"].dt == moved.updated_at.replace(microsecond=0)
    assert event["LAST-MODIFIED"].dt > invitation["LAST-MODIFIED"].dt - dt.timedelta(seconds=1)
    assert event["DTSTAMP"].dt >= invitation["DTSTAMP"].dt
    audit = AuditEvent.objects.get(action="session rescheduled")
    assert audit.actor == personas.owner and audit.deal == deal
    assert len(mailbox.wait_for(3, timeout=0.3)) == 2


def test_cancelling_sends_method_cancel_with_status_cancelled_and_keeps_the_session(
    act, personas, deal, mailbox
):
    session = schedule(act, personas, deal)
    [first] = to(mailbox.wait_for(2), personas.legal.email)
    _, invitation, _ = parse(calendar_of(first, method="REQUEST"))
    mailbox.reset()

    act(session_cancel, session=session, user=personas.executive)

    [cancel] = to(mailbox.wait_for(2), personas.legal.email)
    assert cancel["Subject"].strip().startswith("Cancelled: Liability cap")
    calendar, event, other = parse(calendar_of(cancel, method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert other.status == "CANCELLED"
    assert event["UID"] == invitation["UID"]
    assert event["SEQUENCE"] > invitation["SEQUENCE"]
    # RFC 5546 3.2.5: a CANCEL of the whole event names its attendees and the organiser.
    assert attendees(event) == {personas.legal.email, personas.it.email}
    assert str(event["ORGANIZER"]) == f"mailto:{personas.owner.email}"
    session.refresh_from_db()
    assert session.cancelled_at is not None  # marked, not deleted
    assert AuditEvent.objects.filter(action="session cancelled", actor=personas.executive).exists()


def test_the_download_is_publish_without_attendees_with_sequence_and_a_fresh_dtstamp(
    act, client_for, personas, deal, settings
):
    settings.SITE_URL = "https://other-deployment.example.org"
    session = schedule(act, personas, deal)
    act(session_reschedule, session=session, user=personas.owner, data={"location": "Room 9"})
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)
    WorkingSession.objects.filter(pk=session.pk).update(created_at=two_days_ago)

    response = client_for(personas.legal).get(reverse("session_ics", args=[session.pk]))

    calendar, event, other = parse(response.content.decode())
    assert calendar["METHOD"] == "PUBLISH"
    assert "ATTENDEE" not in event  # RFC 5546 3.2.1: PUBLISH has no attendees
    assert not other.attendees
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"session-{session.pk}@other-deployment.example.org"
    assert "LAST-MODIFIED" in event
    # DTSTAMP is when the object was made (now), not when the session was created.
    assert abs(event["DTSTAMP"].dt - timezone.now()) < dt.timedelta(minutes=1)
    assert event["CREATED"].dt == two_days_ago


def test_a_rolled_back_schedule_sends_nothing(personas, deal, mailbox, eager_tasks):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        schedule(lambda service, **kw: service(**kw), personas, deal)
        raise Abandon

    assert not WorkingSession.objects.exists()
    assert not Notification.objects.exists()
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_a_retried_delivery_sends_each_invitation_once(act, personas, deal, mailbox):
    schedule(act, personas, deal)
    assert len(mailbox.wait_for(2)) == 2

    deliver_notifications.apply(args=[list(Notification.objects.values_list("pk", flat=True))])

    assert len(mailbox.wait_for(3, timeout=0.5)) == 2
    assert not Notification.objects.filter(sent_at=None).exists()


def test_an_update_made_before_the_invitation_went_out_replaces_it(
    personas, deal, mailbox, eager_tasks
):
    """Two changes in a row: only the latest revision is worth sending."""
    session = schedule(lambda service, **kw: service(**kw), personas, deal)  # not delivered yet
    session_reschedule(session=session, user=personas.owner, data={"location": "Room 2"})

    deliver_notifications.apply(args=[list(Notification.objects.values_list("pk", flat=True))])

    messages = mailbox.wait_for(2)
    assert len(messages) == 2
    for message in messages:
        _, event, _ = parse(calendar_of(message, method="REQUEST"))
        assert event["SEQUENCE"] == 1 and str(event["LOCATION"]) == "Room 2"
    assert Notification.objects.filter(cancelled_at__isnull=False).count() == 2


def test_the_organiser_reschedules_and_cancels_from_the_session_page(
    act, client_for, personas, deal, mailbox
):
    session = schedule(act, personas, deal)
    mailbox.wait_for(2)
    client = client_for(personas.owner)
    page = client.get(session.get_absolute_url())
    assert reverse("session_reschedule", args=[session.pk]).encode() in page.content
    assert reverse("session_cancel", args=[session.pk]).encode() in page.content
    later = timezone.localtime(session.starts_at + dt.timedelta(days=2))

    form = client.get(reverse("session_reschedule", args=[session.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("session_reschedule", args=[session.pk]),
        {
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "location": "Room 5",
            "agenda": session.agenda,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.sequence, session.location, session.duration_minutes) == (1, "Room 5", 60)

    unchanged = client.post(
        reverse("session_reschedule", args=[session.pk]),
        {
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "location": "Room 5",
            "agenda": session.agenda,
        },
    )
    assert unchanged.status_code == 422
    assert b"Nothing changed" in unchanged.content

    assert client.post(reverse("session_cancel", args=[session.pk])).status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at is not None and session.sequence == 2
    page = client.get(session.get_absolute_url())
    assert b"Cancelled" in page.content
    assert "· cancelled".encode() in client.get(deal.get_absolute_url()).content
    assert reverse("session_cancel", args=[session.pk]).encode() not in page.content
    # A cancelled session is not moved or cancelled again.
    assert client.post(reverse("session_cancel", args=[session.pk])).status_code == 403
    assert client.get(reverse("session_reschedule", args=[session.pk])).status_code == 403


@pytest.mark.parametrize("who", ["legal", "it", "outsider"])
def test_invitees_and_others_neither_reschedule_nor_cancel(act, client_for, personas, deal, who):
    session = schedule(act, personas, deal)
    client = client_for(getattr(personas, who))
    expected = 403  # they may read the session (the deal is not confidential), not change it

    assert client.get(reverse("session_reschedule", args=[session.pk])).status_code == expected
    assert client.post(reverse("session_cancel", args=[session.pk])).status_code == expected
    session.refresh_from_db()
    assert session.cancelled_at is None and session.sequence == 0
    page = client.get(session.get_absolute_url())
    assert page.status_code == 200
    assert reverse("session_cancel", args=[session.pk]).encode() not in page.content
    assert reverse("session_reschedule", args=[session.pk]).encode() not in page.content


@pytest.mark.parametrize("people", [2, 8])
def test_composing_invitations_costs_the_same_queries_for_any_number_of_invitees(
    personas, deal, django_assert_max_num_queries, people
):
    invitees = [personas.legal, personas.it, *UserFactory.create_batch(people - 2)]
    session = session_schedule(
        deal=deal,
        user=personas.owner,
        data={
            "title": "Cap",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            "duration_minutes": 60,
            "agenda": "The cap",
        },
        departments=[],
        invitees=invitees,
    )
    rows = list(
        Notification.objects.filter(kind=NotificationKind.INVITATION).select_related("recipient")
    )
    assert len(rows) == people

    with django_assert_max_num_queries(3):  # the sessions, their deal and organiser; invitees
        composed = compose(rows, now=timezone.now())

    assert all(message is not None for _, message in composed)
    assert {m.to[0] for _, m in composed} == {u.email for u in invitees}
    assert session.sequence == 0
