"""Each person's time zone: set by them, and every page's dates, times and "overdue" in it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from stakeholders.models import User, WorkingSession
from tests.factories import ReviewFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db

SINGAPORE = ZoneInfo("Asia/Singapore")
LONDON = ZoneInfo("Europe/London")


def in_zone(user: User, name: str) -> User:
    user.time_zone = name
    user.save()
    return user


def test_a_new_person_has_the_sites_time_zone(settings):
    assert UserFactory().time_zone == settings.TIME_ZONE == "Europe/London"


def test_a_person_sets_their_time_zone_on_the_settings_page(client_for, personas):
    client = client_for(personas.legal)
    page = client.get(reverse("notification_settings"))
    assert 'value="America/New_York"' in page.content.decode()

    response = client.post(
        reverse("notification_settings"),
        {"subscribed": "on", "weekday": "0", "time_zone": "America/New_York"},
    )

    assert response.status_code == 302
    personas.legal.refresh_from_db()
    assert personas.legal.time_zone == "America/New_York"
    event = AuditEvent.objects.get(object_type="stakeholders.user")
    assert (event.before, event.after) == (
        {"time_zone": "Europe/London"},
        {"time_zone": "America/New_York"},
    )
    assert (
        "Times are shown in America/New_York." in client.get(response["Location"]).content.decode()
    )


def test_an_unknown_time_zone_is_refused(client_for, personas):
    response = client_for(personas.legal).post(
        reverse("notification_settings"),
        {"subscribed": "on", "weekday": "0", "time_zone": "Mars/Olympus_Mons"},
    )

    assert response.status_code == 422
    personas.legal.refresh_from_db()
    assert personas.legal.time_zone == "Europe/London"


def test_the_admin_edits_a_persons_time_zone(client_for, personas):
    url = reverse("admin:stakeholders_user_change", args=[personas.legal.pk])
    page = client_for(personas.admin).get(url)
    assert page.status_code == 200
    assert 'name="time_zone"' in page.content.decode()


def test_a_session_created_in_singapore_time_shows_its_zone(client_for, personas, deal):
    organiser = in_zone(personas.owner, "Asia/Singapore")
    reader = in_zone(personas.legal, "Europe/London")
    day = timezone.localdate() + dt.timedelta(days=5)
    client = client_for(organiser)

    form = client.get(reverse("session_create", args=[deal.pk])).content.decode()
    assert "In your time zone, Asia/Singapore." in form

    client.post(
        reverse("session_create", args=[deal.pk]),
        {
            "title": "Liability cap",
            "starts_at": f"{day:%Y-%m-%d}T14:30",
            "duration_minutes": "60",
            "agenda": "The cap",
            "departments": [department("legal").pk],
        },
    )

    session = WorkingSession.objects.get()
    starts = dt.datetime.combine(day, dt.time(14, 30), tzinfo=SINGAPORE)
    assert session.starts_at == starts  # 14:30 where the organiser is, not in London
    url = session.get_absolute_url()

    mine = client.get(url).content.decode()
    assert f"{day:%A} {day.day} {day:%b %Y}, 14:30 +08" in mine
    assert "Times in your time zone, Asia/Singapore." in mine

    theirs = client_for(reader).get(url).content.decode()
    london = starts.astimezone(LONDON)
    assert f"{london:%H:%M} {london.tzname()}" in theirs
    assert "Times in your time zone, Europe/London." in theirs
    assert f"For {organiser.display_name} it starts at 14:30 +08 (Asia/Singapore)." in theirs


def test_dates_and_times_on_pages_follow_the_viewers_zone(client_for, personas, deal_in_review):
    """23:30 on 10 March in London is 08:30 on 11 March in Tokyo."""
    moved = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    deal_in_review.stage_changes.update(at=moved)
    url = deal_in_review.get_absolute_url()

    in_london = client_for(in_zone(personas.legal, "Europe/London")).get(url).content.decode()
    in_tokyo = client_for(in_zone(personas.it, "Asia/Tokyo")).get(url).content.decode()

    assert "10 Mar 2026, 23:30 GMT" in in_london
    assert "11 Mar 2026, 08:30 JST" in in_tokyo
    assert "23:30" not in in_tokyo


def test_overdue_follows_the_readers_own_date(client_for, personas, deal_in_review_without_reviews):
    """At any instant Kiritimati (UTC+14) or Pago Pago (UTC-11) has another date than
    London: the review due on the earlier of the two dates is overdue only for whoever
    already lives on the later one."""
    now = timezone.now()
    london_today = now.astimezone(LONDON).date()
    far = next(
        name
        for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if now.astimezone(ZoneInfo(name)).date() != london_today
    )
    far_today = now.astimezone(ZoneInfo(far)).date()
    londoner = in_zone(personas.legal, "Europe/London")
    faraway = make_member(UserFactory(email="far@example.test", time_zone=far), "legal")
    review = ReviewFactory(
        deal=deal_in_review_without_reviews,
        department=department("legal"),
        due_on=min(london_today, far_today),
    )
    late, on_time = (faraway, londoner) if far_today > london_today else (londoner, faraway)
    badge = '<span class="badge bad">Overdue</span>'

    assert badge in client_for(late).get(reverse("review_inbox")).content.decode()
    assert badge not in client_for(on_time).get(reverse("review_inbox")).content.decode()
    assert badge in client_for(late).get(review.get_absolute_url()).content.decode()
    assert badge not in client_for(on_time).get(review.get_absolute_url()).content.decode()
