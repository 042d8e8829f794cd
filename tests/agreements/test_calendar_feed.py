"""Each person's private calendar feed: their notice deadlines and obligations due, read
back with the icalendar library; a forged or altered token gets nothing."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.calendar import feed_path, token_for
from agreements.models import Agreement, Obligation
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
