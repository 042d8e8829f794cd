"""Event notifications through a real SMTP server: each event kind mails exactly one
message to each right person, never to the actor, never to who turned it off, never
for a change rolled back, and never twice however often delivery runs."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.audit import AuditAction, audit_record
from core.models import AuditEvent
from deals.models import DecisionKind, Stage
from deals.services import deal_advance, deal_request_decision, decision_record
from notifications import delivery
from notifications.events import mentioned
from notifications.models import Channel, Notification, NotificationKind
from notifications.services import event_channels_set
from notifications.tasks import deliver_notifications
from stakeholders import signoff
from stakeholders.services import (
    concern_raise,
    concern_reply,
    review_comment,
    review_give_verdict,
)
from tests.factories import DealFactory, UserFactory, department

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(django_capture_on_commit_callbacks, eager_tasks, mailbox):
    """Do something as a request would: commit, then what was enqueued on commit runs.

    Returns the mail the change sent, by recipient."""

    def act(change):
        mailbox.reset()
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        act.result = result
        return by_recipient(mailbox.wait_for(1, timeout=0.5))

    return act


def by_recipient(messages) -> dict[str, list]:
    out: dict[str, list] = {}
    for message in messages:
        out.setdefault(message["To"], []).append(message)
    return out


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def one_each(mail: dict[str, list], *people) -> None:
    """Exactly one message to each of these people, and to nobody else."""
    assert sorted(mail) == sorted(person.email for person in people)
    assert all(len(messages) == 1 for messages in mail.values()), mail


@pytest.fixture
def in_business_case(personas, partnership):
    return DealFactory(
        title="Cloud migration",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
    )


def review_of(deal, slug: str):
    return deal.reviews.get(department__slug=slug)


# --------------------------------------------------------------------------- each kind


def test_a_review_requested_mails_each_department_asked_and_not_the_owner_who_moved_it(
    personas, in_business_case, act
):
    mail = act(
        lambda: deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
    )

    one_each(mail, personas.legal, personas.procurement, personas.it)
    message = mail[personas.legal.email][0]
    assert "Cloud migration" in message["Subject"]
    review = review_of(in_business_case, "legal")
    assert f"/reviews/{review.pk}/" in text_of(message)
    assert Notification.objects.get(recipient=personas.legal).kind == "review_requested"


def test_a_review_needed_again_mails_the_department(personas, deal_in_review, act):
    review = review_of(deal_in_review, "legal")

    mail = act(lambda: signoff.review_reopen(review=review, user=personas.owner, reason="New MSA"))

    one_each(mail, personas.legal)
    assert "again" in mail[personas.legal.email][0]["Subject"]
    assert "New MSA" in text_of(mail[personas.legal.email][0])


@pytest.mark.parametrize(
    "verdict,kind",
    [
        ("request_changes", NotificationKind.CHANGES_REQUESTED),
        ("reject", NotificationKind.REJECTED),
        ("approve_with_conditions", NotificationKind.CONDITIONS),
    ],
)
def test_a_verdict_that_asks_something_mails_the_owner_and_the_sponsor_not_the_reviewer(
    personas, deal_in_review, act, verdict, kind
):
    review = review_of(deal_in_review, "legal")

    mail = act(
        lambda: review_give_verdict(
            review=review, user=personas.legal, verdict=verdict, text="Cap liability at 2x."
        )
    )

    one_each(mail, personas.owner, personas.executive)
    assert "Cap liability at 2x." in text_of(mail[personas.owner.email][0])
    assert set(
        Notification.objects.filter(recipient=personas.owner).values_list("kind", flat=True)
    ) == {kind}


def test_a_plain_approval_mails_nobody(personas, deal_in_review, act):
    review = review_of(deal_in_review, "legal")

    assert (
        act(lambda: review_give_verdict(review=review, user=personas.legal, verdict="approve"))
        == {}
    )


def test_asking_for_the_sponsors_decision_mails_the_sponsor_and_the_decision_mails_owner_and_asker(
    personas, deal_in_review, act
):
    asked = act(
        lambda: deal_request_decision(
            deal=deal_in_review, user=personas.legal, note="Accept the liability cap?"
        )
    )
    one_each(asked, personas.executive)
    assert "Accept the liability cap?" in text_of(asked[personas.executive.email][0])

    decided = act(
        lambda: decision_record(
            deal=deal_in_review,
            user=personas.executive,
            data={"kind": DecisionKind.TRADE_OFF, "title": "Accept the cap", "rationale": "Fine."},
        )
    )
    one_each(decided, personas.owner, personas.legal)
    assert "Accept the cap" in decided[personas.owner.email][0]["Subject"]


def test_a_decision_nobody_asked_for_mails_only_the_owner(personas, deal_in_review, act):
    mail = act(
        lambda: decision_record(
            deal=deal_in_review,
            user=personas.executive,
            data={"kind": DecisionKind.TRADE_OFF, "title": "Go", "rationale": "Fine."},
        )
    )

    one_each(mail, personas.owner)


def test_a_concern_mails_the_owner_the_sponsor_and_its_department_not_the_raiser(
    personas, deal_in_review, act
):
    mail = act(
        lambda: concern_raise(
            deal=deal_in_review,
            user=personas.legal,
            data={"title": "Data residency", "detail": "EU only.", "department": department("it")},
        )
    )

    one_each(mail, personas.owner, personas.executive, personas.it)
    assert "Data residency" in mail[personas.it.email][0]["Subject"]


def test_a_reply_mails_the_concerns_raiser_and_whoever_it_mentions(personas, deal_in_review, act):
    concern = concern_raise(
        deal=deal_in_review, user=personas.legal, data={"title": "Data residency", "detail": "EU."}
    )
    name = personas.procurement.display_name

    mail = act(
        lambda: concern_reply(
            concern=concern, user=personas.owner, body=f"Agreed. @{name}, can you check the DPA?"
        )
    )

    one_each(mail, personas.legal, personas.procurement)
    kinds = dict(
        Notification.objects.filter(kind__in=["reply", "mention"]).values_list(
            "recipient__email", "kind"
        )
    )
    assert kinds == {"legal@example.test": "reply", "procurement@example.test": "mention"}


def test_a_comment_mails_the_others_who_commented_and_who_it_mentions_by_email(
    personas, deal_in_review, act
):
    review = review_of(deal_in_review, "legal")
    act(lambda: review_comment(review=review, user=personas.legal, body="Clause 7 is odd."))

    mail = act(
        lambda: review_comment(
            review=review, user=personas.owner, body="Fixed. @it@example.test please look too."
        )
    )

    one_each(mail, personas.legal, personas.it)


def test_a_person_mentioned_and_answered_at_once_gets_one_mail(personas, deal_in_review, act):
    review = review_of(deal_in_review, "legal")
    act(lambda: review_comment(review=review, user=personas.legal, body="Clause 7 is odd."))

    mail = act(
        lambda: review_comment(review=review, user=personas.owner, body="@legal@example.test done")
    )

    one_each(mail, personas.legal)


def test_mentions_turned_off_still_leave_the_reply_that_mentions_me(personas, deal_in_review, act):
    review = review_of(deal_in_review, "legal")
    act(lambda: review_comment(review=review, user=personas.legal, body="Clause 7 is odd."))
    event_channels_set(user=personas.legal, channels={"mention": Channel.OFF})

    mail = act(
        lambda: review_comment(review=review, user=personas.owner, body="@legal@example.test done")
    )

    one_each(mail, personas.legal)
    assert Notification.objects.filter(recipient=personas.legal, kind="reply").exists()


# --------------------------------------------------------------------------- who not


def test_nobody_hears_of_their_own_action(personas, deal_in_review, act):
    review = review_of(deal_in_review, "legal")

    mail = act(
        lambda: review_comment(
            review=review, user=personas.legal, body=f"Note to self @{personas.legal.email}"
        )
    )

    assert mail == {}
    assert not Notification.objects.filter(recipient=personas.legal, kind="mention").exists()


def test_someone_mentioned_on_a_confidential_deal_they_cannot_see_hears_nothing(
    personas, confidential_deal, act
):
    mail = act(
        lambda: deal_request_decision(
            deal=confidential_deal, user=personas.owner, note="Decide, please."
        )
    )
    one_each(mail, personas.executive)
    concern = concern_raise(
        deal=confidential_deal, user=personas.owner, data={"title": "Price", "detail": "High."}
    )

    mail = act(
        lambda: concern_reply(
            concern=concern,
            user=personas.executive,
            body="@outsider@example.test what do you think?",
        )
    )

    one_each(mail, personas.owner)  # the concern's raiser, not the outsider mentioned


def test_someone_who_turned_a_kind_off_gets_neither_mail_nor_a_row(personas, in_business_case, act):
    event_channels_set(user=personas.legal, channels={"review_requested": Channel.OFF})

    mail = act(
        lambda: deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
    )

    one_each(mail, personas.procurement, personas.it)
    assert not Notification.objects.filter(recipient=personas.legal).exists()


def test_in_the_app_only_lists_the_notification_and_mails_nothing(personas, in_business_case, act):
    event_channels_set(user=personas.legal, channels={"review_requested": Channel.APP})

    mail = act(
        lambda: deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
    )

    assert personas.legal.email not in mail
    row = Notification.objects.get(recipient=personas.legal)
    assert row.in_app and row.read_at is None and row.sent_at is None
    assert row.state == "in the app"


def test_turning_one_kind_off_leaves_the_others_on(personas, deal_in_review, act):
    event_channels_set(user=personas.owner, channels={"rejected": Channel.OFF})

    mail = act(
        lambda: review_give_verdict(
            review=review_of(deal_in_review, "legal"),
            user=personas.legal,
            verdict="request_changes",
            text="Redo clause 7.",
        )
    )

    one_each(mail, personas.owner, personas.executive)


def test_an_inactive_person_hears_nothing(personas, in_business_case, act):
    personas.legal.is_active = False
    personas.legal.save()

    mail = act(
        lambda: deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
    )

    one_each(mail, personas.procurement, personas.it)


# --------------------------------------------------------------------------- exactly once


def test_a_change_rolled_back_sends_nothing_and_leaves_no_row(personas, in_business_case, act):
    def change_then_fail():
        with transaction.atomic():
            deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
            assert Notification.objects.filter(recipient=personas.legal).exists()
            raise RuntimeError("the request failed after the move")

    with pytest.raises(RuntimeError):
        act(change_then_fail)

    assert Notification.objects.count() == 0
    in_business_case.refresh_from_db()
    assert in_business_case.stage == Stage.BUSINESS_CASE


def test_delivery_retried_or_run_again_sends_each_event_mail_once(
    personas, in_business_case, act, mailbox
):
    mail = act(
        lambda: deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)
    )
    assert sum(len(messages) for messages in mail.values()) == 3
    ids = list(Notification.objects.values_list("pk", flat=True))

    # The task redelivered with its own id, another task, and the sweeper: nothing new.
    deliver_notifications.apply(args=[ids], task_id="redelivered")
    delivery.deliver(ids=ids, token="another-task")

    assert len(mailbox.wait_for(4, timeout=0.5)) == 3
    assert Notification.objects.filter(sent_at__isnull=False).count() == 3


def test_a_refusing_mail_server_is_retried_and_each_event_mail_arrives_once(
    personas, in_business_case, act, mailbox, eager_tasks
):
    eager_tasks.conf.task_eager_propagates = False  # let Celery run the retries at once

    def move():
        mailbox.refuse_data = 2  # 451 twice, then accept
        return deal_advance(deal=in_business_case, user=personas.owner, to_stage=Stage.REVIEW)

    mail = act(move)

    assert mailbox.refused == 2
    one_each(mail, personas.legal, personas.procurement, personas.it)


# --------------------------------------------------------------------------- mentions


def test_a_mention_is_an_exact_display_name_or_an_email_of_an_active_person(personas):
    ada = UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.test")
    UserFactory(first_name="Ada", last_name="Byron", is_active=False)

    assert mentioned("Thanks @Ada Lovelace, see clause 7") == {ada.pk}
    assert mentioned("cc @ADA@EXAMPLE.TEST.") == {ada.pk}
    assert mentioned("@Ada Byron is away") == set()
    assert mentioned("mail ada@example.test or @Ada") == set()
    assert mentioned("no mentions here") == set()


def test_a_notification_that_cannot_be_planned_costs_the_notification_not_the_change(
    personas, deal, act, caplog
):
    # A "commented" event whose object is no comment: its planner cannot load it.
    mail = act(
        lambda: audit_record(
            actor=personas.owner, action=AuditAction.COMMENTED, instance=deal, deal=deal
        )
    )

    assert mail == {}
    assert AuditEvent.objects.filter(deal=deal, action=AuditAction.COMMENTED).count() == 1
    assert "Could not plan the notifications" in caplog.text
