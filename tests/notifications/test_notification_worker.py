"""Real Celery workers on Redis, a real SMTP server, and workers killed mid-send.

These run on PostgreSQL with Redis (CI does): the worker processes read the test
database, so the data is committed (transaction=True).
"""

from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
from django.utils import timezone

from notifications import reminders
from notifications.models import Notification
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def due_review(personas, deal_in_review_without_reviews):
    """Legal's review of "Cloud contact centre", assigned to the Legal persona, due tomorrow."""
    return ReviewFactory(
        deal=deal_in_review_without_reviews,
        reviewer=personas.legal,
        due_on=timezone.localdate() + dt.timedelta(days=1),
    )


def sent(notification_id: int) -> bool:
    return Notification.objects.filter(pk=notification_id, sent_at__isnull=False).exists()


def test_beat_firing_twice_on_a_real_worker_sends_one_reminder_after_smtp_refused_it_twice(
    celery_workers, mailbox, due_review
):
    mailbox.refuse_data = 2  # the first two attempts get 451 Try again later
    celery_workers.start()

    celery_workers.send("notifications.tasks.send_review_reminders")
    celery_workers.send("notifications.tasks.send_review_reminders")

    messages = mailbox.wait_for(1, timeout=30)
    assert [m["To"] for m in messages] == ["legal@example.test"], celery_workers.log()
    row = Notification.objects.get()
    assert celery_workers.wait_until(lambda: sent(row.pk)), celery_workers.log()
    assert mailbox.refused == 2
    assert "Retry in" in celery_workers.log()
    assert len(mailbox.wait_for(2, timeout=1)) == 1


def test_a_worker_killed_mid_send_runs_the_task_again_and_the_email_goes_out_once(
    celery_workers, mailbox, due_review
):
    [notification_id] = reminders.plan_review_reminders()
    mailbox.stall_mail = (1, 30.0)  # hold the first MAIL FROM: the worker is mid-send
    worker = celery_workers.start()
    celery_workers.send("notifications.tasks.deliver_notifications", [notification_id])

    assert mailbox.mail_started.wait(20), celery_workers.log()
    claimed = Notification.objects.get()
    assert claimed.claimed_by and claimed.sent_at is None
    [child] = celery_workers.children(worker)

    os.kill(child, signal.SIGKILL)  # the pool process dies; the worker requeues its task

    messages = mailbox.wait_for(1, timeout=30)
    assert len(messages) == 1, celery_workers.log()
    assert celery_workers.wait_until(lambda: sent(notification_id)), celery_workers.log()
    row = Notification.objects.get()
    assert row.attempts == 2
    assert row.claimed_by == ""
    assert len(mailbox.wait_for(2, timeout=1)) == 1


def test_when_the_whole_worker_dies_another_worker_takes_the_task_over_and_sends_once(
    celery_workers, mailbox, due_review
):
    [notification_id] = reminders.plan_review_reminders()
    mailbox.stall_mail = (1, 30.0)
    first = celery_workers.start()
    celery_workers.send("notifications.tasks.deliver_notifications", [notification_id])
    assert mailbox.mail_started.wait(20), celery_workers.log()

    celery_workers.kill(first)  # SIGKILL to the worker and its pool: no goodbye to Redis
    celery_workers.start()  # Redis hands the unacknowledged task over after its timeout

    messages = mailbox.wait_for(1, timeout=40)
    assert len(messages) == 1, celery_workers.log()
    assert celery_workers.wait_until(lambda: sent(notification_id)), celery_workers.log()
    assert Notification.objects.get().attempts == 2
    assert len(mailbox.wait_for(2, timeout=1)) == 1
