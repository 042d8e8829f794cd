"""Each person's private calendar feed: their notice deadlines and obligations due, read
back with the icalendar library; a forged or altered token gets nothing."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.calendar import SALT, feed_path, token_for
from agreements.calendar import calendar_address_replace as replace_address
from agreements.models import Agreement, Obligation
from core.models import AuditAction, AuditEvent
from deals.models import Deal

pytestmark = pytest.mark.django_db


def events(response) -> list:
    calendar = icalendar.Calendar.from_ical(response.content)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_the_feed_parses_and_lists_the_persons_deadlines_and_obligations(personas, agreement):
    Obligation.objects.create(
        agreement=agreement,
        title="Insurance certificate, renewed; yearly",
        owner=personas.owner,
        reviewer=personas.executive,
        first_due=timezone.localdate() + dt.timedelta(days=3),
    ).occurrences.create(due_on=timezone.localdate() + dt.timedelta(days=3))
    response = Client().get(feed_path(personas.owner))  # no login: calendar apps fetch it
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    by_summary = {str(e["SUMMARY"]): e for e in found}
    deadline = by_summary[f"Notice deadline: {agreement.deal.title}"]
    assert deadline.decoded("DTSTART") == agreement.notice_deadline
    assert str(deadline["URL"]).endswith(agreement.get_absolute_url())
    due = by_summary["Due: Insurance certificate, renewed; yearly"]
    assert due.decoded("DTSTART") == timezone.localdate() + dt.timedelta(days=3)
    assert len({str(e["UID"]) for e in found}) == len(found)


def test_someone_elses_deadlines_are_not_in_my_feed(personas, agreement):
    response = Client().get(feed_path(personas.legal))
    assert response.status_code == 200
    assert events(response) == []


def test_a_forged_or_altered_token_is_a_404(personas, agreement):
    client = Client()
    assert (
        client.get(reverse("calendar_feed", args=[f"{personas.owner.pk}:forged"])).status_code
        == 404
    )
    token = token_for(personas.owner)
    other = token.replace(f"{personas.owner.pk}:", f"{personas.executive.pk}:", 1)
    assert client.get(reverse("calendar_feed", args=[other])).status_code == 404


def test_a_decided_agreement_stays_in_the_feed_saying_so(personas, agreement):
    Agreement.objects.filter(pk=agreement.pk).update(decision="renew")
    [event] = events(Client().get(feed_path(personas.executive)))
    assert "Decided: Renew" in str(event["DESCRIPTION"])


def test_an_obligation_on_a_confidential_deal_stays_out_of_an_outsiders_feed(personas, agreement):
    """Even when made before the service refused such owners (or by the shell)."""
    Deal.objects.filter(pk=agreement.deal_id).update(confidential=True)
    Obligation.objects.create(
        agreement=agreement,
        title="Quarterly audit report",
        owner=personas.outsider,
        reviewer=personas.executive,
        first_due=timezone.localdate() + dt.timedelta(days=3),
    ).occurrences.create(due_on=timezone.localdate() + dt.timedelta(days=3))
    response = Client().get(feed_path(personas.outsider))
    assert response.status_code == 200
    assert events(response) == []
    assert agreement.deal.title.encode() not in response.content


def test_replacing_the_address_stops_the_old_one_and_the_new_one_works(
    client_for, personas, agreement
):
    old = feed_path(personas.owner)
    assert Client().get(old).status_code == 200
    client = client_for(personas.owner)
    response = client.post(reverse("calendar_address_replace"))
    assert response.status_code == 302
    personas.owner.refresh_from_db()
    new = feed_path(personas.owner)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert "new address" in client.get(reverse("renewals")).content.decode()
    event = AuditEvent.objects.get(action=AuditAction.CALENDAR_ADDRESS_REPLACED)
    assert event.actor == personas.owner
    assert personas.owner.calendar_key not in str(event.before) + str(event.after)


def test_an_address_with_another_persons_key_or_none_is_refused(personas, agreement):
    replace_address(user=personas.owner)
    personas.owner.refresh_from_db()
    signer = signing.Signer(salt=SALT)
    # The id alone (as before any key) and the id with a guessed key both stop working.
    assert (
        Client()
        .get(reverse("calendar_feed", args=[signer.sign(str(personas.owner.pk))]))
        .status_code
        == 404
    )
    forged = signer.sign(f"{personas.owner.pk}.{'0' * 32}")
    assert Client().get(reverse("calendar_feed", args=[forged])).status_code == 404


def test_replacing_the_address_needs_a_post_by_a_logged_in_person(client_for, personas):
    assert client_for(personas.owner).get(reverse("calendar_address_replace")).status_code == 405
    response = Client().post(reverse("calendar_address_replace"))
    assert response.status_code == 302 and "login" in response["Location"]
    personas.owner.refresh_from_db()
    assert personas.owner.calendar_key == ""
