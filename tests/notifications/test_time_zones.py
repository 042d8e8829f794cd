"""Reminders and digests at the hour and on the day where each recipient is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications import delivery, digests, reminders
from notifications.models import Notification, NotificationKind
from tests.factories import DealFactory, ReviewFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
# A day comfortably in the future, so that reviews due around it are open and due soon.
DAY = timezone.localdate() + dt.timedelta(days=10)


def at(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def reminded(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.REMINDER))


@pytest.fixture
def new_yorker_and_londoner(personas, deal_in_review_without_reviews, settings):
    """Legal's reviewer works in New York, Procurement's in London; each has a review
    due the day after DAY."""
    settings.REMINDER_HOUR = 8
    personas.legal.time_zone = "America/New_York"
    personas.legal.save()
    personas.procurement.time_zone = "Europe/London"
    personas.procurement.save()
    deal = deal_in_review_without_reviews
    for who in (personas.legal, personas.procurement):
        ReviewFactory(
            deal=deal,
            department=who.memberships.get().department,
            reviewer=who,
            due_on=DAY + dt.timedelta(days=1),
        )
    return personas.legal, personas.procurement


def test_a_reviewer_in_new_york_gets_the_reminder_at_8_new_york_time_not_at_8_london(
    new_yorker_and_londoner,
):
    new_yorker, londoner = new_yorker_and_londoner

    # 08:00 in London is 03:00 in New York: the Londoner's morning only.
    reminders.plan_review_reminders(now=at(DAY, 8, 0, LONDON), local_hour=8)
    assert reminded(new_yorker) == []
    assert [n.key for n in reminded(londoner)] == [f"reminder:{londoner.pk}:{DAY.isoformat()}"]

    reminders.plan_review_reminders(now=at(DAY, 7, 45, NEW_YORK), local_hour=8)
    assert reminded(new_yorker) == []

    # Beat runs every quarter of an hour: the New Yorker's 08:00 plans one row, and the
    # runs at 08:15, 08:30 and 08:45 plan nothing more.
    for minute in (0, 15, 30, 45):
        reminders.plan_review_reminders(now=at(DAY, 8, minute, NEW_YORK), local_hour=8)
    [row] = reminded(new_yorker)
    assert row.key == f"reminder:{new_yorker.pk}:{DAY.isoformat()}"
    assert row.payload == {"date": DAY.isoformat()}
    assert len(reminded(londoner)) == 1

    # 09:00 in New York is nobody's reminder hour here.
    assert reminders.plan_review_reminders(now=at(DAY, 9, 0, NEW_YORK), local_hour=8) == []


def test_the_next_local_day_brings_the_next_reminder(new_yorker_and_londoner):
    new_yorker, _ = new_yorker_and_londoner

    reminders.plan_review_reminders(now=at(DAY, 8, 0, NEW_YORK), local_hour=8)
    reminders.plan_review_reminders(
        now=at(DAY + dt.timedelta(days=1), 8, 0, NEW_YORK), local_hour=8
    )

    assert sorted(n.key for n in reminded(new_yorker)) == [
        f"reminder:{new_yorker.pk}:{DAY.isoformat()}",
        f"reminder:{new_yorker.pk}:{(DAY + dt.timedelta(days=1)).isoformat()}",
    ]


def test_a_reminder_counts_the_days_from_the_reviewers_own_date(
    personas, deal_in_review_without_reviews, mailbox
):
    """08:00 on DAY in Auckland is still the day before in London: the review due on DAY
    is due today for the Aucklander, and the email says so."""
    personas.legal.time_zone = "Pacific/Auckland"
    personas.legal.save()
    ReviewFactory(
        deal=deal_in_review_without_reviews,
        department=department("legal"),
        reviewer=personas.legal,
        due_on=DAY,
    )
    morning = at(DAY, 8, 0, AUCKLAND)
    assert morning.astimezone(LONDON).date() == DAY - dt.timedelta(days=1)

    ids = reminders.plan_review_reminders(now=morning, local_hour=8)
    [row] = reminded(personas.legal)
    assert row.key == f"reminder:{personas.legal.pk}:{DAY.isoformat()}"

    [(_, message)] = delivery.compose(Notification.objects.filter(pk__in=ids), now=morning)
    body = message.body
    assert "due today" in body
    assert "due in 1 day" not in body


def test_a_review_due_soon_only_in_kiritimati_waits_for_the_reviewers_own_day(
    personas, deal_in_review_without_reviews
):
    """The planner's query looks as far ahead as anyone's today; each person is held to
    their own: due in three days in London is not due soon there."""
    personas.legal.time_zone = "Europe/London"
    personas.legal.save()
    ReviewFactory(
        deal=deal_in_review_without_reviews,
        department=department("legal"),
        reviewer=personas.legal,
        due_on=DAY + dt.timedelta(days=3),
    )

    assert reminders.plan_review_reminders(now=at(DAY, 8, 0, LONDON), local_hour=8) == []
    assert (
        len(reminders.plan_review_reminders(now=at(DAY, 8, 0, LONDON) + dt.timedelta(days=1))) == 1
    )


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=7 - after.weekday())


def test_the_digest_for_auckland_on_monday_morning_is_of_aucklands_new_week(
    personas, settings, mailbox
):
    settings.DIGEST_WEEKDAY = 0  # Monday
    settings.DIGEST_HOUR = 7
    executive = personas.executive
    executive.time_zone = "Pacific/Auckland"
    executive.save()
    monday = next_monday(timezone.localdate())
    morning = at(monday, 7, 0, AUCKLAND)
    # Monday 07:00 in Auckland is Sunday evening in London: last week, there.
    sunday = monday - dt.timedelta(days=1)
    assert morning.astimezone(LONDON).date() == sunday
    assert digests.digest_period(monday) != digests.digest_period(sunday)

    ids = digests.plan_digests(now=morning, local_hour=7)

    [row] = Notification.objects.filter(pk__in=ids)
    assert row.recipient == executive
    assert row.key == f"digest:{executive.pk}:{digests.digest_period(monday)}"
    assert row.payload == {"period": digests.digest_period(monday), "date": monday.isoformat()}
    # Nobody in London gets theirs on a Sunday evening.
    assert Notification.objects.count() == 1

    [(_, message)] = delivery.compose([row], now=morning)
    assert f"Deal Desk weekly, {monday:%-d %b}:" in message.subject

    # 07:00 on Monday in London: the Londoners' digests, not a second one for Auckland.
    london_ids = digests.plan_digests(now=at(monday, 7, 0, LONDON), local_hour=7)
    assert london_ids and row.pk not in london_ids
    london = Notification.objects.filter(pk__in=london_ids)
    assert {n.recipient.time_zone for n in london} == {"Europe/London"}
    assert Notification.objects.filter(recipient=executive).count() == 1


def test_the_digest_comes_at_the_digest_hour_of_the_persons_own_day(personas, settings):
    settings.DIGEST_WEEKDAY = 0
    settings.DIGEST_HOUR = 7
    personas.legal.time_zone = "America/New_York"
    personas.legal.save()
    monday = next_monday(timezone.localdate())

    before = digests.plan_digests(now=at(monday, 6, 45, NEW_YORK), local_hour=7)
    during = digests.plan_digests(now=at(monday, 7, 15, NEW_YORK), local_hour=7)

    assert personas.legal.pk not in set(
        Notification.objects.filter(pk__in=before).values_list("recipient_id", flat=True)
    )
    assert personas.legal.pk in set(
        Notification.objects.filter(pk__in=during).values_list("recipient_id", flat=True)
    )


def test_emails_print_dates_and_times_in_the_recipients_zone(personas, deal_in_review):
    """The digest lists the week's stage moves with their day: the recipient's day."""
    executive = personas.executive
    executive.time_zone = "Pacific/Auckland"
    executive.save()
    # 20:00 in London is the next morning in Auckland, in either's summer or winter.
    moved_at = (
        (timezone.now() - dt.timedelta(days=1))
        .astimezone(LONDON)
        .replace(hour=20, minute=0, second=0, microsecond=0)
    )
    deal_in_review.stage_changes.update(at=moved_at)
    notification = Notification.objects.create(
        recipient=executive, kind=NotificationKind.DIGEST, key="digest:test"
    )
    local = moved_at.astimezone(AUCKLAND)
    assert local.date() != moved_at.date()

    [(_, message)] = delivery.compose([notification], now=timezone.now())

    assert f"({local:%a} {local.day} {local:%b})" in message.body
    assert f"({moved_at:%a} {moved_at.day} {moved_at:%b})" not in message.body


def test_the_beat_runs_the_planners_every_quarter_hour_at_the_local_hour(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    reminders_entry = schedule["review-reminders"]
    digests_entry = schedule["weekly-digests"]
    assert reminders_entry["kwargs"] == {"local_hour": settings.REMINDER_HOUR}
    assert digests_entry["kwargs"] == {"local_hour": settings.DIGEST_HOUR}
    for entry in (reminders_entry, digests_entry):
        assert entry["schedule"].minute == {0, 15, 30, 45}
        assert len(entry["schedule"].hour) == 24


@pytest.mark.parametrize("size", [4, 20])
def test_planning_reminders_across_zones_reads_a_fixed_number_of_queries(
    personas, deal_in_review_without_reviews, django_assert_max_num_queries, size
):
    """Each person's zone and day cost nothing per person: the due reviews, the
    unassigned reviews' departments, the people's zones, then the insert."""
    zones = ["America/New_York", "Europe/London", "Asia/Kolkata", "Pacific/Auckland"]
    for n in range(size):
        reviewer = make_member(
            UserFactory(email=f"r{n}@example.test", time_zone=zones[n % len(zones)]), "it"
        )
        ReviewFactory(
            deal=DealFactory(partnership=deal_in_review_without_reviews.partnership),
            department=department("it"),
            reviewer=reviewer,
            due_on=DAY,
        )
    ReviewFactory(deal=deal_in_review_without_reviews, department=department("legal"), due_on=DAY)

    with django_assert_max_num_queries(5):
        ids = reminders.plan_review_reminders(now=at(DAY, 8, 0, NEW_YORK))

    # A manual run (no local hour): everyone due a reminder, once: the IT reviewers and
    # Legal's one member for its unassigned review.
    assert len(ids) == size + 1


def test_a_sponsor_in_new_york_hears_of_an_overdue_review_at_8_new_york_time(
    personas, deal_in_review_without_reviews, settings
):
    from notifications import escalations

    settings.REMINDER_HOUR = 8
    settings.ESCALATE_AFTER_DAYS = 3
    sponsor = deal_in_review_without_reviews.sponsor
    sponsor.time_zone = "America/New_York"
    sponsor.save()
    ReviewFactory(
        deal=deal_in_review_without_reviews,
        department=department("legal"),
        due_on=DAY - dt.timedelta(days=4),
    )

    def escalated():
        return list(
            Notification.objects.filter(recipient=sponsor, kind=NotificationKind.ESCALATION)
        )

    escalations.plan_escalations(now=at(DAY, 8, 5, LONDON), local_hour=8)
    assert escalated() == []  # 03:05 in New York
    for minute in (5, 20, 35, 50):
        escalations.plan_escalations(now=at(DAY, 8, minute, NEW_YORK), local_hour=8)
    assert len(escalated()) == 1  # each item once, however often beat runs


def test_beat_looks_for_escalations_every_quarter_hour_at_the_local_hour(settings):
    from config.settings import CELERY_BEAT_SCHEDULE

    entry = CELERY_BEAT_SCHEDULE["escalations"]
    assert entry["kwargs"] == {"local_hour": settings.REMINDER_HOUR}
    assert entry["schedule"].minute == {5, 20, 35, 50}
