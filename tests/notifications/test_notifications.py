"""Reminders, escalations and digests: planned once, sent once, through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.emails import make_message
from deals.models import Stage
from notifications import delivery, digests, escalations, outbox, reminders
from notifications.models import DigestPreference, Notification, NotificationKind
from notifications.tasks import (
    deliver_notifications,
    send_digests,
    send_escalations,
    send_review_reminders,
)
from stakeholders.models import Role
from tests.factories import (
    DealFactory,
    OutcomeMetricFactory,
    ReviewFactory,
    UserFactory,
    department,
    make_member,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def to(messages, email: str) -> list:
    return [m for m in messages if m["To"] == email]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def run(django_capture_on_commit_callbacks, eager_tasks):
    """Run a task as beat would, in this process, with what it enqueues after commit."""

    def run(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return task.apply(args=list(args))

    return run


def test_make_message_builds_subject_text_and_html_from_the_three_templates(
    personas, deal_in_review_without_reviews
):
    review = ReviewFactory(
        deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal
    )
    message = make_message(
        "review_reminder",
        "legal@example.test",
        {
            "user": personas.legal,
            "overdue": [],
            "due_soon": [reminders.review_row(review, TODAY)],
            "count": 1,
            "inbox_url": "http://x/reviews/",
        },
    )
    assert message.subject == "1 review due soon — Deal Desk"
    assert message.to == ["legal@example.test"]
    assert "Cloud contact centre" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Cloud contact centre" in html
    assert "/settings/notifications/" in message.body and "/settings/notifications/" in html


def test_each_reviewer_gets_one_reminder_listing_every_review_due_soon_or_overdue(
    personas, partnership, mailbox, run
):
    deals = [
        DealFactory(partnership=partnership, stage=Stage.REVIEW, title=f"Deal {n}")
        for n in range(3)
    ]
    ReviewFactory(deal=deals[0], due_on=days(-2), reviewer=personas.legal)
    ReviewFactory(deal=deals[1], due_on=days(2), reviewer=personas.legal)
    ReviewFactory(deal=deals[2], due_on=days(9), reviewer=personas.legal)  # not due yet
    ReviewFactory(deal=deals[0], department=department("it"), due_on=days(0), reviewer=personas.it)

    run(send_review_reminders)

    messages = mailbox.wait_for(2)
    assert len(messages) == 2
    [legal] = to(messages, "legal@example.test")
    assert legal["Subject"] == "1 review overdue, 1 due soon — Deal Desk"
    body = text_of(legal)
    assert "Deal 0" in body and "overdue by 2 days" in body
    assert "Deal 1" in body and "due in 2 days" in body
    assert "Deal 2" not in body
    assert "Deal 0" in html_of(legal)
    [it] = to(messages, "it@example.test")
    assert "due today" in text_of(it)


def test_an_unassigned_review_reminds_everyone_in_its_department_but_not_other_departments(
    personas, deal_in_review_without_reviews, mailbox, run
):
    colleague = make_member(UserFactory(email="legal2@example.test"), "legal")
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=None)

    run(send_review_reminders)

    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == [colleague.email, "legal@example.test"]


def test_beat_firing_twice_sends_each_reminder_once(
    personas, deal_in_review_without_reviews, mailbox, run
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)

    run(send_review_reminders)
    run(send_review_reminders)
    run(deliver_notifications, list(Notification.objects.values_list("pk", flat=True)))

    assert len(mailbox.wait_for(1)) == 1
    [row] = Notification.objects.all()
    assert row.kind == NotificationKind.REMINDER
    assert row.key == f"reminder:{personas.legal.pk}:{TODAY.isoformat()}"
    assert row.recipient == personas.legal
    assert row.sent_at is not None
    assert len(mailbox.wait_for(2, timeout=0.3)) == 1


def test_smtp_refusing_at_first_is_retried_and_the_reminder_is_delivered_exactly_once(
    personas, deal_in_review_without_reviews, mailbox, eager_tasks
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)
    ids = reminders.plan_review_reminders()
    mailbox.refuse_data = 2  # 451 twice, then accept
    # In-process, Celery runs a retry at once (no countdown) unless errors propagate.
    eager_tasks.conf.task_eager_propagates = False

    result = deliver_notifications.apply(args=[ids])

    assert result.get() == {"sent": 1, "cancelled": 0, "refused": 0, "skipped": 0}

    assert mailbox.refused == 2
    assert len(mailbox.wait_for(1)) == 1
    row = Notification.objects.get()
    assert row.sent_at is not None
    assert row.attempts == 3
    assert row.last_error == ""
    assert row.claimed_by == ""


def test_a_refused_send_leaves_the_row_unsent_and_released_for_the_retry(
    personas, deal_in_review_without_reviews, mailbox
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)
    ids = reminders.plan_review_reminders()
    mailbox.refuse_data = 1

    with pytest.raises(Exception, match="451"):
        delivery.deliver(ids=ids, token="task-1")

    row = Notification.objects.get()
    assert row.sent_at is None
    assert row.claimed_by == ""
    assert "451" in row.last_error
    assert row in Notification.objects.filter(pk__in=ids)  # the retry finds it again
    assert delivery.deliver(ids=ids, token="task-1").as_dict()["sent"] == 1


def test_an_address_the_server_refuses_for_good_is_recorded_and_the_batch_goes_on(
    personas, deal_in_review_without_reviews, mailbox
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)
    ReviewFactory(
        deal=deal_in_review_without_reviews,
        department=department("it"),
        due_on=days(1),
        reviewer=personas.it,
    )
    mailbox.unknown = {"legal@example.test"}

    result = delivery.deliver(ids=reminders.plan_review_reminders())

    assert result.as_dict() == {"sent": 1, "cancelled": 0, "refused": 1, "skipped": 0}
    assert [m["To"] for m in mailbox.wait_for(1)] == ["it@example.test"]
    refused = Notification.objects.get(recipient=personas.legal)
    assert refused.sent_at is None and refused.cancelled_at is not None
    assert "550" in refused.last_error
    assert outbox.unsent_ids(now=timezone.now() + dt.timedelta(hours=1)) == []


def test_a_row_claimed_by_a_task_that_died_is_sent_by_its_redelivery_not_skipped(
    personas, deal_in_review_without_reviews, mailbox
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)
    ids = reminders.plan_review_reminders()
    # The task claimed the row, then its worker was killed before SMTP accepted anything.
    outbox.claim(ids, token="task-1", now=timezone.now())

    other = delivery.deliver(ids=ids, token="task-2")  # beat firing again meanwhile
    assert other.as_dict() == {"sent": 0, "cancelled": 0, "refused": 0, "skipped": 1}
    redelivered = delivery.deliver(ids=ids, token="task-1")  # same task id

    assert redelivered.as_dict()["sent"] == 1
    assert len(mailbox.wait_for(1)) == 1
    assert Notification.objects.get().attempts == 2


def test_a_claim_abandoned_for_longer_than_the_lease_is_picked_up_by_the_sweeper(
    personas, deal_in_review_without_reviews, mailbox
):
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal)
    ids = reminders.plan_review_reminders()
    long_ago = timezone.now() - outbox.claim_lease() - dt.timedelta(minutes=1)
    outbox.claim(ids, token="lost-task", now=long_ago)
    Notification.objects.update(created_at=long_ago)

    assert outbox.unsent_ids() == ids
    assert delivery.deliver(ids=outbox.unsent_ids()).as_dict()["sent"] == 1
    assert outbox.unsent_ids() == []
    assert len(mailbox.wait_for(1)) == 1


def test_a_review_decided_before_its_reminder_went_out_cancels_the_reminder(
    personas, deal_in_review_without_reviews, mailbox
):
    review = ReviewFactory(
        deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal
    )
    ids = reminders.plan_review_reminders()
    review.status = "approved"
    review.save()

    assert delivery.deliver(ids=ids).as_dict()["cancelled"] == 1
    assert Notification.objects.get().cancelled_at is not None
    assert mailbox.wait_for(1, timeout=0.3) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_the_same_notifications_send_each_once(
    personas, partnership, mailbox
):
    if connection.vendor != "postgresql":
        pytest.skip("row claims under real concurrency are tested on PostgreSQL (CI runs it)")
    for n in range(6):
        reviewer = make_member(UserFactory(email=f"racer{n}@example.test"), "legal")
        ReviewFactory(
            deal=DealFactory(partnership=partnership, stage=Stage.REVIEW),
            due_on=days(1),
            reviewer=reviewer,
        )
    ids = reminders.plan_review_reminders()
    start = threading.Barrier(2)
    results = []

    def worker(token: str) -> None:
        start.wait()
        results.append(delivery.deliver(ids=ids, token=token).as_dict())
        connection.close()

    threads = [threading.Thread(target=worker, args=(f"task-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r["sent"] for r in results) == 6
    messages = mailbox.wait_for(6)
    assert len(messages) == 6
    assert len({m["To"] for m in messages}) == 6


# Escalations


def test_a_review_overdue_longer_than_the_escalation_delay_notifies_the_sponsor_with_a_link_to_decide(
    personas, deal_in_review_without_reviews, mailbox, run, settings
):
    settings.ESCALATE_AFTER_DAYS = 3
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(-4), reviewer=personas.legal)
    ReviewFactory(
        deal=deal_in_review_without_reviews, department=department("it"), due_on=days(-2)
    )  # not yet

    run(send_escalations)
    run(send_escalations)

    [message] = mailbox.wait_for(1)
    assert message["To"] == "exec@example.test"
    assert (
        message["Subject"]
        == "Escalation: Legal review of Cloud contact centre is overdue by 4 days"
    )
    assert f"/deals/{deal_in_review_without_reviews.pk}/decisions/new/" in text_of(message)
    assert f"/deals/{deal_in_review_without_reviews.pk}/decisions/new/" in html_of(message)
    assert Notification.objects.filter(kind=NotificationKind.ESCALATION).count() == 1


def test_a_stalled_deal_notifies_its_sponsor_once_per_stall(
    personas, partnership, mailbox, run, settings
):
    settings.STALL_DAYS = 21
    stalled = DealFactory(
        title="Slow deal",
        partnership=partnership,
        sponsor=personas.executive,
        stage=Stage.NEGOTIATION,
        stage_changed_at=timezone.now() - dt.timedelta(days=30),
    )
    DealFactory(partnership=partnership, stage=Stage.NEGOTIATION)  # moving fine

    run(send_escalations)
    run(send_escalations)

    [message] = mailbox.wait_for(1)
    assert message["To"] == "exec@example.test"
    assert message["Subject"] == "Stalled: Slow deal has been in Negotiation for 30 days"
    assert f"/deals/{stalled.pk}/decisions/new/" in text_of(message)


def test_a_sponsors_escalations_of_one_run_go_out_as_one_email(
    personas, partnership, mailbox, run, settings
):
    """Two overdue reviews and a stalled deal: one email listing all three, each item
    settled with it and not sent again; another sponsor gets their own."""
    settings.ESCALATE_AFTER_DAYS, settings.STALL_DAYS = 3, 21
    mine = [
        DealFactory(
            title=f"Deal {n}",
            partnership=partnership,
            sponsor=personas.executive,
            stage=Stage.REVIEW,
        )
        for n in range(2)
    ]
    for deal in mine:
        ReviewFactory(deal=deal, due_on=days(-5))
    stalled = DealFactory(
        title="Slow deal",
        partnership=partnership,
        sponsor=personas.executive,
        stage=Stage.NEGOTIATION,
        stage_changed_at=timezone.now() - dt.timedelta(days=30),
    )
    other = UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE])
    theirs = DealFactory(partnership=partnership, sponsor=other, stage=Stage.REVIEW)
    ReviewFactory(deal=theirs, due_on=days(-6))

    run(send_escalations)
    run(send_escalations)

    messages = mailbox.wait_for(2)
    assert len(messages) == 2
    [grouped] = to(messages, "exec@example.test")
    assert grouped["Subject"] == (
        "Escalation: 2 overdue reviews and 1 stalled deal need your decision"
    )
    for deal in [*mine, stalled]:
        assert f"/deals/{deal.pk}/decisions/new/" in text_of(grouped)
        assert f"/deals/{deal.pk}/decisions/new/" in html_of(grouped)
    [single] = to(messages, "cfo@example.test")
    assert single["Subject"].startswith("Escalation: Legal review of")
    rows = Notification.objects.filter(recipient=personas.executive)
    assert rows.count() == 3 and not rows.filter(sent_at=None).exists()
    # The group's Message-ID names the group, not its first item alone.
    assert grouped["Message-ID"].startswith("<escalations.")
    assert set(grouped["X-Deal-Desk-Notification"].split()) == {row.key for row in rows}


def test_batches_keep_one_recipients_notifications_together(personas, partnership, settings):
    settings.ESCALATE_AFTER_DAYS = 3
    other = UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE])
    for sponsor in (personas.executive, other, personas.executive, other, personas.executive):
        deal = DealFactory(partnership=partnership, sponsor=sponsor, stage=Stage.REVIEW)
        ReviewFactory(deal=deal, due_on=days(-5))
    ids = escalations.plan_escalations()
    recipient = dict(Notification.objects.values_list("pk", "recipient_id"))
    cut = list(outbox.batches(ids, size=2))
    assert sorted(pk for batch in cut for pk in batch) == sorted(ids)
    assert all(len({recipient[pk] for pk in batch}) == 1 for batch in cut)  # never split


def test_a_grouped_escalation_refused_for_now_is_sent_whole_on_retry(
    personas, partnership, mailbox, eager_tasks, settings
):
    settings.ESCALATE_AFTER_DAYS = 3
    for n in range(3):
        deal = DealFactory(partnership=partnership, sponsor=personas.executive, stage=Stage.REVIEW)
        ReviewFactory(deal=deal, due_on=days(-5 - n))
    ids = escalations.plan_escalations()
    mailbox.refuse_data = 1  # 451 once: the whole group goes back, nothing is marked sent
    with pytest.raises(Exception, match="451"):
        delivery.deliver(ids=ids, token="task-1")
    assert not Notification.objects.exclude(sent_at=None).exists()
    result = delivery.deliver(ids=ids, token="task-1")
    assert len(result.sent) == 3
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Escalation: 3 overdue reviews need your decision"
    assert delivery.deliver(ids=ids, token="task-2").skipped == 3


def test_an_item_settled_before_sending_drops_out_of_the_group(
    personas, partnership, mailbox, settings
):
    settings.ESCALATE_AFTER_DAYS = 3
    reviews = []
    for _ in range(3):
        deal = DealFactory(partnership=partnership, sponsor=personas.executive, stage=Stage.REVIEW)
        reviews.append(ReviewFactory(deal=deal, due_on=days(-5)))
    ids = escalations.plan_escalations()
    type(reviews[0]).objects.filter(pk=reviews[0].pk).update(status="approved")
    result = delivery.deliver(ids=ids)
    assert (len(result.sent), len(result.cancelled)) == (2, 1)
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Escalation: 2 overdue reviews need your decision"
    assert f"/deals/{reviews[0].deal_id}/" not in text_of(message)


# Digests


@pytest.fixture
def desk(personas, partnership, deal_in_review_without_reviews):
    deal_in_review_without_reviews.decision_requested_at = timezone.now()
    deal_in_review_without_reviews.decision_request_note = (
        "Legal and IT disagree on the liability cap."
    )
    deal_in_review_without_reviews.save()
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(-1), reviewer=personas.legal)
    ReviewFactory(deal=deal_in_review_without_reviews, department=department("it"), due_on=days(4))
    DealFactory(
        title="Stuck supplier deal",
        partnership=partnership,
        sponsor=personas.executive,
        stage=Stage.NEGOTIATION,
        stage_changed_at=timezone.now() - dt.timedelta(days=40),
    )
    return personas


def test_an_executive_digest_has_portfolio_moves_stalls_decisions_and_metrics(
    desk, mailbox, settings
):
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    delivery.deliver(ids=digests.plan_digests())

    [message] = to(mailbox.wait_for(6), "exec@example.test")
    assert message["Subject"].startswith("Deal Desk weekly")
    assert "1 decision waits for you" in message["Subject"]
    text, html = text_of(message), html_of(message)
    for section in ("DECISIONS WAITING FOR YOU", "PORTFOLIO", "MOVED THIS WEEK", "STALLED"):
        assert section in text
    assert "METRICS OFF TRACK" in text
    assert "Legal and IT disagree on the liability cap." in text
    assert "Stuck supplier deal" in text and "Stuck supplier deal" in html
    assert "Decisions waiting for you" in html
    assert 'name="viewport"' in html
    assert "/settings/notifications/" in text and "/settings/notifications/" in html
    # One-click (RFC 8058): a login-free link, not the settings page behind the login.
    assert re.fullmatch(r"<http://\S+/unsubscribe/\S+/>", message["List-Unsubscribe"].strip())
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_reviewer_digest_has_their_queue_overdue_items_and_what_waits_for_their_department(
    desk, mailbox, settings
):
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    delivery.deliver(ids=digests.plan_digests())

    [message] = to(mailbox.wait_for(6), "legal@example.test")
    text = text_of(message)
    assert "YOUR REVIEW QUEUE (1)" in text
    assert "overdue by 1 day" in text
    assert "WAITING FOR LEGAL: 1 open review, 1 overdue" in text
    assert "PORTFOLIO" not in text  # not an executive
    assert "1 review overdue" in message["Subject"]


def test_people_who_opt_out_get_no_digest_and_others_get_it_on_their_chosen_day(
    desk, mailbox, settings
):
    settings.DIGEST_WEEKDAY = (TODAY.weekday() + 1) % 7  # the default day is not today
    DigestPreference.objects.create(user=desk.legal, subscribed=False, weekday=TODAY.weekday())
    DigestPreference.objects.create(user=desk.it, subscribed=True, weekday=TODAY.weekday())

    delivery.deliver(ids=digests.plan_digests())

    assert [m["To"] for m in mailbox.wait_for(1)] == ["it@example.test"]


def test_each_person_gets_one_digest_per_week_even_when_the_run_repeats(
    desk, mailbox, settings, run
):
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    run(send_digests)
    first = len(mailbox.wait_for(1))
    run(send_digests)
    run(send_digests)

    assert first > 0
    assert len(mailbox.wait_for(first + 1, timeout=0.5)) == first
    assert (
        Notification.objects.filter(kind=NotificationKind.DIGEST, sent_at__isnull=False).count()
        == first
    )


def test_send_digests_sends_this_weeks_digests_now_and_skips_who_had_one(
    desk, mailbox, settings, capsys
):
    settings.DIGEST_WEEKDAY = (TODAY.weekday() + 3) % 7  # whatever the day, `send_digests` sends
    call_command("send_digests", "--dry-run")
    dry = capsys.readouterr().out
    assert "(dry run)" in dry
    assert "exec@example.test: executive digest: 1 decision waits for you" in dry
    assert "legal@example.test: reviewer digest" in dry
    assert mailbox.wait_for(1, timeout=0.3) == []
    assert not Notification.objects.exists()

    call_command("send_digests")
    sent = len(mailbox.wait_for(4))
    call_command("send_digests")
    again = capsys.readouterr().out

    assert sent >= 4
    assert len(mailbox.wait_for(sent + 1, timeout=0.5)) == sent
    assert "0 sent" in again.splitlines()[-1]
    call_command("send_digests", "--dry-run")
    assert f"0 to send, {sent} sent already (dry run)" in capsys.readouterr().out


@pytest.mark.parametrize("size", [5, 25])
def test_a_digest_batch_reads_a_fixed_number_of_queries_whatever_its_size(
    personas, partnership, mailbox, settings, size
):
    """Reads are constant per batch; the one write per message is the exactly-once mark."""
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    for n in range(size):
        reviewer = make_member(
            UserFactory(email=f"r{n}@example.test", roles=[Role.REVIEWER]), "procurement"
        )
        deal = DealFactory(partnership=partnership, stage=Stage.REVIEW, sponsor=personas.executive)
        ReviewFactory(deal=deal, department=department("procurement"), reviewer=reviewer)
    ids = digests.plan_digests()

    with CaptureQueriesContext(connection) as queries:
        result = delivery.deliver(ids=ids)

    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    writes = [s for s in statements if s == "UPDATE"]
    reads = len(statements) - len(writes)
    assert result.as_dict()["sent"] == len(ids) > size
    assert len(writes) == len(ids) + 1  # the claim, then one "sent" mark per message
    assert (
        reads <= 14
    )  # 14 today: claim read, people, roles, departments, rates, deal figures, renewals…


def test_each_digest_section_lists_the_ten_most_pressing_and_counts_the_rest(
    personas, partnership, client_for
):
    """A long desk: each list stops at ten, the most pressing first, and says how many
    more there are; the counts are those of everything the person may see."""
    exec_ = personas.executive
    now = timezone.now()
    asked = []
    for n in range(13):  # decisions asked, the oldest request waits longest
        deal = DealFactory(partnership=partnership, sponsor=exec_, stage=Stage.REVIEW)
        deal.decision_requested_at = now - dt.timedelta(hours=n + 1)
        deal.decision_request_note = f"Decide {n:02}"
        deal.save()
        asked.append(deal)
    rejected = DealFactory(partnership=partnership, sponsor=exec_, stage=Stage.REVIEW)
    ReviewFactory(deal=rejected, status="rejected")
    ReviewFactory(deal=rejected, department=department("it"), status="rejected")  # one row
    stalled = []
    for n in range(12):
        deal = DealFactory(
            partnership=partnership,
            sponsor=exec_,
            stage=Stage.NEGOTIATION,
            stage_changed_at=now - dt.timedelta(days=40),
            weekly_cost_of_delay=1000 + n,
        )
        stalled.append(deal)
    # Off track: nothing achieved while the line promises more than a quarter by now.
    off = [
        OutcomeMetricFactory(deal=stalled[n], latest_value=40, latest_on=TODAY) for n in range(11)
    ]
    OutcomeMetricFactory(deal=stalled[0], latest_value=60, latest_on=TODAY)  # on track

    context = digests.digest_contexts([exec_.pk])[exec_.pk]
    e = context["executive"]

    assert [item["deal"] for item in e["decisions"]] == asked[::-1][:10]
    assert (e["decisions_count"], e["decisions_more"]) == (14, 4)
    assert [item["deal"] for item in e["stalled"]] == stalled[::-1][:10]  # costliest first
    assert (e["stalled_count"], e["stalled_more"]) == (12, 2)
    assert len(e["off_track"]) == 10 and e["off_track_more"] == 1
    assert {item["metric"].pk for item in e["off_track"]} < {m.pk for m in off}
    assert context["headline"].startswith("14 decisions wait for you")
    assert "12 stalled deals" in context["headline"]

    text = client_for(exec_).get("/digest/preview/?format=text").content.decode()
    assert "DECISIONS WAITING FOR YOU (14)" in text
    assert "Decide 12" in text and "Decide 02" not in text  # the four newest are left out
    assert "…and 4 more: http" in text and "…and 2 more: http" in text
    html = client_for(exec_).get("/digest/preview/").content.decode()
    assert html.count("…and 4 more on the") == 1 and "…and 1 more on the" in html


def test_the_digest_counts_confidential_deals_only_for_the_executives_involved(
    personas, partnership
):
    """Two executives in one batch: each count is of what that executive may see (here
    they are involved as sponsor or owner; tests/notifications/test_digest_visibility.py
    has the other ways to be involved)."""
    other = UserFactory(email="exec2@example.test", roles=[Role.EXECUTIVE])
    old = timezone.now() - dt.timedelta(days=40)

    def stuck(**fields):
        return DealFactory(
            partnership=partnership, stage=Stage.REVIEW, stage_changed_at=old, **fields
        )

    for _ in range(3):
        stuck(sponsor=personas.executive)
    for _ in range(11):
        stuck(sponsor=personas.executive, confidential=True)
    stuck(sponsor=personas.executive, owner=other, confidential=True)
    stuck(sponsor=other, owner=other, confidential=True)

    contexts = digests.digest_contexts([personas.executive.pk, other.pk])
    mine, theirs = contexts[personas.executive.pk]["executive"], contexts[other.pk]["executive"]
    assert mine["stalled_count"] == 3 + 11 + 1
    assert len(mine["stalled"]) == 10 and mine["stalled_more"] == 5
    assert theirs["stalled_count"] == 3 + 1 + 1
    assert len(theirs["stalled"]) == 5 and theirs["stalled_more"] == 0
    assert all(
        not item["deal"].confidential
        or other.pk in (item["deal"].sponsor_id, item["deal"].owner_id)
        for item in theirs["stalled"]
    )


def test_a_reviewer_digest_lists_the_soonest_ten_and_counts_queue_and_department(
    personas, partnership
):
    colleague = make_member(
        UserFactory(email="legal2@example.test", roles=[Role.REVIEWER]), "legal"
    )
    for n in range(12):  # unassigned: in everyone's queue
        ReviewFactory(
            deal=DealFactory(partnership=partnership, stage=Stage.REVIEW), due_on=days(n - 3)
        )
    for n in range(2):  # mine
        ReviewFactory(
            deal=DealFactory(partnership=partnership, stage=Stage.REVIEW),
            due_on=days(-10 + n),
            reviewer=personas.legal,
        )
    ReviewFactory(  # my colleague's: the department's, not my queue
        deal=DealFactory(partnership=partnership, stage=Stage.REVIEW),
        due_on=days(-20),
        reviewer=colleague,
    )
    ReviewFactory(
        deal=DealFactory(partnership=partnership, stage=Stage.REVIEW), department=department("it")
    )

    context = digests.digest_contexts([personas.legal.pk])[personas.legal.pk]
    r = context["reviewer"]
    assert r["queue_count"] == 14 and len(r["queue"]) == 10
    assert r["overdue"] == 2 + 3
    due = [row["review"].due_on for row in r["queue"]]
    assert due == sorted(due) and due[0] == days(-10)
    [legal] = r["departments"]
    assert (legal["count"], legal["overdue"], len(legal["reviews"]), legal["more"]) == (
        15,
        6,
        10,
        5,
    )
    assert legal["reviews"][0]["review"].due_on == days(-20)
    assert context["headline"] == "5 reviews overdue"


def test_the_preview_shows_what_the_email_says(
    personas, partnership, client_for, mailbox, settings
):
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    for n in range(12):
        DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.REVIEW,
            stage_changed_at=timezone.now() - dt.timedelta(days=30 + n),
        )
    delivery.deliver(ids=digests.plan_digests())
    [message] = to(mailbox.wait_for(2), "owner@example.test")
    preview = client_for(personas.owner).get("/digest/preview/?format=text").content.decode()
    assert "YOUR DEALS (12 open)" in preview and "…and 2 more: http" in preview
    assert "12 of your deals stalled" in preview  # counted over all 12, not the 10 shown
    assert preview.splitlines() == text_of(message).splitlines()


# Pages


def test_the_settings_page_saves_a_digest_day_and_refuses_a_bad_one(client_for, personas):
    client = client_for(personas.legal)
    page = client.get("/settings/notifications/")
    assert page.status_code == 200
    assert b"Weekly digest" in page.content

    bad = client.post("/settings/notifications/", {"subscribed": "on", "weekday": "9"})
    assert bad.status_code == 422
    assert b"Select a valid choice" in bad.content
    assert not DigestPreference.objects.exists()

    good = client.post("/settings/notifications/", {"weekday": "3"})
    assert good.status_code == 302
    preference = DigestPreference.objects.get(user=personas.legal)
    assert (preference.subscribed, preference.weekday) == (False, 3)


def test_the_digest_preview_shows_a_person_their_own_digest(client_for, desk):
    page = client_for(desk.legal).get("/digest/preview/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your review queue" in html
    assert "Cloud contact centre" in html
    assert "preview of your digest" in html
    assert "script-src" not in page["Content-Security-Policy"]
    text = client_for(desk.legal).get("/digest/preview/?format=text")
    assert text["Content-Type"].startswith("text/plain")
    assert "YOUR REVIEW QUEUE" in text.content.decode()


def test_the_digest_preview_needs_a_login(client):
    assert client.get("/digest/preview/").status_code == 302


def test_the_beat_schedule_names_tasks_that_exist(settings):
    from config.celery import app

    app.loader.import_default_modules()  # what a worker autodiscovers
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert tasks and all(task in app.tasks for task in tasks), tasks
