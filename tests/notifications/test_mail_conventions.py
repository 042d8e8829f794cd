"""What every automatic email carries, read from a real SMTP server: the auto-reply
suppression headers, one-click unsubscribe on the digest (a signed, login-free POST,
RFC 8058), and References that thread the reminders about one review."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Stage
from notifications import delivery, digests, escalations, reminders
from notifications.models import DigestPreference, NotificationKind
from notifications.unsubscribe import SALT, make_token
from stakeholders.accounts import send_password_reset
from tests.factories import DealFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
AUTOMATIC = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def header(message, name: str) -> str | None:
    value = message[name]
    return None if value is None else " ".join(str(value).split())


def unsubscribe_path(message) -> str:
    url = header(message, "List-Unsubscribe")
    match = re.fullmatch(r"<https?://[^/]+(/unsubscribe/[^/>]+/)>", url or "")
    assert match, url
    return match.group(1)


@pytest.fixture
def a_digest(personas, mailbox, settings):
    """The executive's weekly digest, as received."""
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    delivery.deliver(ids=digests.plan_digests())
    [message] = [m for m in mailbox.wait_for(1) if m["To"] == personas.executive.email]
    return message


def test_reminders_escalations_digests_and_password_resets_suppress_auto_replies(
    personas, deal_in_review_without_reviews, mailbox, settings
):
    settings.DIGEST_WEEKDAY = TODAY.weekday()
    ReviewFactory(deal=deal_in_review_without_reviews, due_on=days(-30), reviewer=personas.legal)
    ids = reminders.plan_review_reminders() + escalations.plan_escalations()
    ids += digests.plan_digests()
    delivery.deliver(ids=ids)
    send_password_reset(user_id=personas.owner.pk, domain="deals.example.com", protocol="https")

    messages = mailbox.wait_for(len(ids) + 1)
    kinds = {
        m["X-Deal-Desk-Notification"].split(":")[0]
        for m in messages
        if m["X-Deal-Desk-Notification"]
    }
    assert {"reminder", "escalation", "digest"} <= kinds
    assert any("password" in header(m, "Subject").lower() for m in messages)
    for message in messages:
        for name, value in AUTOMATIC.items():
            assert header(message, name) == value, (name, message["Subject"])


def test_the_digest_offers_one_click_unsubscribe(a_digest):
    assert header(a_digest, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(a_digest).startswith("/unsubscribe/")


def test_a_mail_clients_one_click_post_unsubscribes_without_login_or_csrf_token(personas, a_digest):
    # What Gmail and others do (RFC 8058 3.2): a bare POST, no cookies, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_path(a_digest),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert DigestPreference.objects.get(user=personas.executive).subscribed is False
    event = AuditEvent.objects.get(action="unsubscribed")
    assert event.actor == personas.executive
    assert event.after == {"kind": "digest", "subscribed": False}
    # Unsubscribed people get no digest next week.
    assert personas.executive.pk not in set(
        digests.digest_recipients(now=timezone.now(), everyone=False).values_list("pk", flat=True)
    )


def test_following_the_link_shows_a_button_and_changes_nothing(personas, a_digest):
    response = Client().get(unsubscribe_path(a_digest))

    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert b">Unsubscribe</button>" in response.content
    assert not DigestPreference.objects.filter(user=personas.executive, subscribed=False).exists()
    assert not AuditEvent.objects.filter(action="unsubscribed").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature
        lambda token: signing.dumps([1, "digest"], salt="another.salt"),  # another purpose
        lambda token: signing.dumps([1, "reminder"], salt=SALT),  # a kind with no setting
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_token_is_refused_with_400_and_changes_nothing(personas, a_digest, tamper):
    token = unsubscribe_path(a_digest).split("/")[2]
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/unsubscribe/{tamper(token)}/")

    assert response.status_code == 400
    assert b"does not work" in response.content
    assert not DigestPreference.objects.filter(subscribed=False).exists()
    assert not AuditEvent.objects.filter(action="unsubscribed").exists()


def test_another_persons_id_in_the_token_does_not_verify(personas):
    token = make_token(user_id=personas.owner.pk, kind=NotificationKind.DIGEST)
    payload, _, rest = token.partition(":")
    forged = signing.b64_encode(f'[{personas.executive.pk},"digest"]'.encode()).decode()

    response = Client().post(f"/unsubscribe/{forged}:{rest}/")

    assert response.status_code == 400
    assert payload != forged


def test_other_pages_still_need_their_csrf_token(personas, client_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    response = client.post("/settings/notifications/", {"subscribed": "", "weekday": "0"})
    assert response.status_code == 403


def test_reminders_about_the_same_review_thread_on_a_stable_message_id(
    personas, deal_in_review_without_reviews, mailbox, settings
):
    settings.SITE_URL = "https://deals.example.com"
    review = ReviewFactory(
        deal=deal_in_review_without_reviews, due_on=days(1), reviewer=personas.legal
    )
    other_deal = DealFactory(
        partnership=deal_in_review_without_reviews.partnership, stage=Stage.REVIEW
    )
    other = ReviewFactory(deal=other_deal, due_on=days(0), reviewer=personas.legal)
    monday = reminders.plan_review_reminders(now=timezone.now())
    tuesday = reminders.plan_review_reminders(now=timezone.now() + dt.timedelta(days=1))
    delivery.deliver(ids=monday + tuesday)

    first, second = mailbox.wait_for(2)
    thread = f"<review.{review.pk}@deals.example.com>"
    for message in (first, second):
        references = header(message, "References").split()
        assert thread in references
        assert f"<review.{other.pk}@deals.example.com>" in references
        assert header(message, "In-Reply-To") in references
    assert header(first, "Message-ID") != header(second, "Message-ID")


def test_an_escalation_about_a_review_joins_that_reviews_thread(
    personas, deal_in_review_without_reviews, mailbox, settings
):
    settings.SITE_URL = "https://deals.example.com"
    review = ReviewFactory(
        deal=deal_in_review_without_reviews, due_on=days(-30), reviewer=personas.legal
    )
    delivery.deliver(ids=escalations.plan_escalations())

    [message] = [m for m in mailbox.wait_for(1) if m["To"] == personas.executive.email]
    assert header(message, "References") == f"<review.{review.pk}@deals.example.com>"
    assert header(message, "In-Reply-To") == f"<review.{review.pk}@deals.example.com>"


def test_an_event_notification_email_unsubscribes_its_kind_in_one_click(
    mailbox,
    eager_tasks,
    personas,
    deal_in_review_without_reviews,
    django_capture_on_commit_callbacks,
):
    from notifications.models import Channel, DigestPreference, NotificationKind
    from stakeholders import signoff
    from tests.factories import ReviewFactory

    review = ReviewFactory(
        deal=deal_in_review_without_reviews, reviewer=personas.legal, status="approved"
    )
    with django_capture_on_commit_callbacks(execute=True):
        signoff.review_reopen(review=review, user=personas.owner, reason="Term changed")
    message = next(m for m in mailbox.messages if "legal@example.test" in m["To"])
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(message))

    assert response.status_code == 200
    preference = DigestPreference.objects.get(user=personas.legal)
    assert preference.event_channels[NotificationKind.REREVIEW] == Channel.APP
