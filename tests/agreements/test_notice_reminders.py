"""Reminders of the notice deadline, through the outbox and a real SMTP server: lead times
90, 30 and 7 days to the owner and the sponsor, the sponsor's escalation at 14 days while
undecided, each exactly once however often the planner runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Agreement
from agreements.services import agreement_decide
from notifications.delivery import deliver
from notifications.models import Notification, NotificationKind
from notifications.notices import NOTICE_KINDS, lead_for, plan_notice_reminders
from notifications.tasks import send_notice_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks, eager_tasks):
    def run(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return task.apply(args=list(args))

    return run


def deadline_in(agreement: Agreement, days: int) -> Agreement:
    """Set the stored deadline as the daily computation would have it."""
    Agreement.objects.filter(pk=agreement.pk).update(
        notice_deadline=timezone.localdate() + dt.timedelta(days=days)
    )
    return Agreement.objects.get(pk=agreement.pk)


def test_the_closest_lead_time_reached_is_the_one_sent(settings):
    assert settings.NOTICE_REMINDER_DAYS == [90, 30, 7]
    assert [lead_for(d) for d in (120, 90, 60, 30, 20, 7, 0)] == [None, 90, 90, 30, 30, 7, 7]


def test_owner_and_sponsor_get_each_reminder_once_through_smtp(personas, agreement, mailbox, run):
    agreement = deadline_in(agreement, 30)
    run(send_notice_reminders)
    run(send_notice_reminders)  # the planner again: nothing new
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["exec@example.test", "owner@example.test"]
    assert len(mailbox.wait_for(3, timeout=0.5)) == 2
    subject = messages[0]["Subject"].strip()
    assert subject == f"notice deadline for {agreement.deal.title} in 30 days — Deal Desk"
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Registered letter" in body and agreement.get_absolute_url() in body
    keys = Notification.objects.filter(kind__in=NOTICE_KINDS).values_list("key", flat=True)
    assert set(keys) == {
        f"notice:{agreement.pk}:{agreement.notice_deadline.isoformat()}:30:{p.pk}"
        for p in (personas.owner, personas.executive)
    }


def test_at_fourteen_days_undecided_the_sponsor_gets_the_escalation_once(personas, agreement):
    deadline_in(agreement, 14)
    first = plan_notice_reminders()
    again = plan_notice_reminders()
    assert sorted(first) == sorted(again)  # the same rows, none added
    kinds = sorted(
        Notification.objects.filter(kind__in=NOTICE_KINDS).values_list("kind", "recipient_id")
    )
    assert kinds == sorted(
        [
            (NotificationKind.NOTICE_REMINDER, personas.owner.pk),
            (NotificationKind.NOTICE_REMINDER, personas.executive.pk),
            (NotificationKind.NOTICE_ESCALATION, personas.executive.pk),
        ]
    )


def test_a_decided_agreement_is_neither_reminded_nor_escalated(personas, agreement):
    agreement = deadline_in(agreement, 7)
    agreement_decide(agreement=agreement, user=personas.executive, decision="renew")
    assert plan_notice_reminders() == []
    assert not Notification.objects.filter(kind__in=NOTICE_KINDS).exists()


def test_a_reminder_planned_before_a_decision_is_cancelled_not_sent(personas, agreement, mailbox):
    agreement = deadline_in(agreement, 90)
    plan_notice_reminders()
    agreement_decide(agreement=agreement, user=personas.owner, decision="renew")
    ids = list(Notification.objects.filter(kind__in=NOTICE_KINDS).values_list("pk", flat=True))
    result = deliver(ids=ids)
    assert len(result.cancelled) == 2 and not result.sent
    assert mailbox.wait_for(1, timeout=0.3) == []


def test_lead_times_are_configurable(settings, agreement):
    settings.NOTICE_REMINDER_DAYS = [60, 10]
    deadline_in(agreement, 45)
    plan_notice_reminders()
    keys = Notification.objects.filter(kind__in=NOTICE_KINDS).values_list("key", flat=True)
    assert {k.split(":")[3] for k in keys} == {"60"}


def test_a_new_deadline_after_renewal_gets_its_own_reminders(agreement):
    agreement = deadline_in(agreement, 7)
    plan_notice_reminders()
    deadline_in(agreement, 80)  # the next term's deadline, inside the 90-day lead
    plan_notice_reminders()
    assert Notification.objects.filter(kind=NotificationKind.NOTICE_REMINDER).count() == 4


def test_the_digest_lists_the_readers_notice_deadlines(personas, agreement):
    from core.emails import make_message
    from notifications.digests import digest_contexts

    agreement = deadline_in(agreement, 20)
    contexts = digest_contexts([personas.owner.pk, personas.legal.pk])
    section = contexts[personas.owner.pk]["renewals"]
    assert [item["agreement"] for item in section["items"]] == [agreement]
    assert section["items"][0]["when"] == "in 20 days"
    assert contexts[personas.legal.pk]["renewals"] is None
    message = make_message("digest", personas.owner.email, contexts[personas.owner.pk])
    assert "RENEWALS: NOTICE DEADLINES (1)" in message.body
    assert agreement.deal.title in message.alternatives[0][0]
