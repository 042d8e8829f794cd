"""Webhooks against a real local receiver: Standard Webhooks signatures, retries with
backoff, disabling on 410 and on failures in a row, the address guard, no redirects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from core.models import AuditAction, AuditEvent
from stakeholders.services import review_give_verdict
from tests.factories import ReviewFactory, department
from webhooks import delivery as attempts
from webhooks import events, guard
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def give_verdict(personas, deal, django_capture_on_commit_callbacks):
    """A verdict given and committed: its webhook is planned and (eager Celery) sent."""

    def give() -> WebhookDelivery:
        review = ReviewFactory(deal=deal, department=department("legal"))
        with django_capture_on_commit_callbacks(execute=True):
            review_give_verdict(review=review, user=personas.legal, verdict="approve")
        return WebhookDelivery.objects.get(payload__data__review_id=review.pk)

    return give


def later(delivery: WebhookDelivery) -> dt.datetime:
    delivery.refresh_from_db()
    return delivery.next_attempt_at + dt.timedelta(seconds=1)


def test_a_delivery_is_signed_as_standard_webhooks_says_and_carries_only_ids(
    endpoint, receiver, give_verdict, deal
):
    delivery = give_verdict()
    [request] = receiver.received
    assert request.path == "/hooks/deal-desk"
    # The reference library verifies it with the secret shown at registration.
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "review.decided"
    assert payload["data"] == {
        "deal_id": deal.pk,
        "review_id": delivery.payload["data"]["review_id"],
    }
    assert request.headers["webhook-id"] == delivery.msg_id
    tampered = request.body.replace(b"review", b"reviews")
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(endpoint.secret).verify(tampered, request.headers)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1


def test_a_failed_delivery_is_retried_later_with_the_same_id_until_it_succeeds(
    endpoint, receiver, give_verdict
):
    receiver.statuses = [500, 200]
    delivery = give_verdict()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now()  # backed off, not sent again at once
    assert attempts.attempt(delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.received) == 1
    assert attempts.attempt(delivery.pk, now=later(delivery)) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.msg_id
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_the_backoff_grows_and_stops_after_three_days(endpoint, receiver, give_verdict):
    assert attempts.delay(1) <= 30 < attempts.delay(6) <= attempts.MAX_DELAY
    receiver.statuses = [503] * 10
    delivery = give_verdict()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    assert attempts.attempt(delivery.pk, now=later(delivery)) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2


def test_410_gone_disables_the_endpoint_and_tells_its_owner(
    endpoint, receiver, give_verdict, mailoutbox, personas
):
    receiver.statuses = [410]
    delivery = give_verdict()
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.disabled_at is not None and endpoint.disabled_reason == "gone"
    assert delivery.status == DeliveryStatus.FAILED
    [mail] = [m for m in mailoutbox if "Webhook disabled" in m.subject]
    assert mail.to == [personas.owner.email] and "410" in mail.body
    give_verdict_again = WebhookDelivery.objects.count()
    assert give_verdict_again == 1  # a disabled endpoint hears nothing more


def test_failures_in_a_row_disable_the_endpoint(
    endpoint, receiver, give_verdict, settings, mailoutbox
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    receiver.statuses = [500, 500]
    delivery = give_verdict()
    attempts.attempt(delivery.pk, now=later(delivery))
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "failures"


def test_a_redirect_is_a_failure_and_is_not_followed(endpoint, receiver, give_verdict):
    receiver.statuses = [302]
    delivery = give_verdict()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error
    assert [r.path for r in receiver.received] == ["/hooks/deal-desk"]  # never /elsewhere


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://127.0.0.1/hook",
        "http://localhost/hook",  # a name that resolves to 127.0.0.1
        "http://[::ffff:192.168.0.1]/hook",
        "ftp://example.com/hook",
    ],
)
def test_inside_addresses_are_refused_at_registration(personas, url, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        endpoint_create(
            user=personas.admin,
            name="Inside",
            url=url,
            events=["deal.signed"],
            owner=personas.admin,
        )


@pytest.mark.parametrize(
    "url", ["https://example.com:99999/hook", "http://[::1/hook", "https://[v1.x]:70000/"]
)
def test_a_url_urllib_cannot_read_is_refused_not_a_500(client_for, personas, url):
    with pytest.raises(guard.Refused):
        guard.resolve(url)
    response = client_for(personas.admin).post(
        "/settings/webhooks/",
        {"name": "Odd", "url": url, "events": ["deal.signed"], "owner": personas.admin.pk},
    )
    assert response.status_code == 422
    assert not WebhookEndpoint.objects.exists()


def test_the_address_is_checked_again_at_each_send(endpoint, receiver, give_verdict, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # as if the name now resolved inside
    delivery = give_verdict()
    delivery.refresh_from_db()
    assert receiver.received == []
    assert delivery.status == DeliveryStatus.PENDING and "loopback" in delivery.last_error


def test_multicast_and_reserved_addresses_are_refused(settings):
    for address in ("224.0.0.1", "240.0.0.1", "0.0.0.0"):
        with pytest.raises(guard.Refused):
            guard.resolve(f"http://{address}/hook")


def test_an_event_heard_twice_is_planned_once(endpoint, give_verdict):
    delivery = give_verdict()
    event = AuditEvent.objects.get(pk=int(delivery.msg_id.split("_")[1]))
    assert events.plan(event) == []
    assert WebhookDelivery.objects.count() == 1


def audit_row(deal, action: AuditAction, object_id: int) -> AuditEvent:
    return AuditEvent(
        pk=10_001,
        deal=deal,
        action=action,
        object_type="stakeholders.review",
        object_id=str(object_id),
        at=timezone.now(),
    )


def test_an_audit_row_that_makes_no_webhook_event_asks_no_query(
    endpoint, deal, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert events.plan(audit_row(deal, AuditAction.REVIEW_REQUESTED, 1)) == []


def test_with_no_endpoint_listening_a_verdict_plans_nothing_in_one_query(
    deal, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the active endpoints; no savepoint
        assert events.plan(audit_row(deal, AuditAction.VERDICT_GIVEN, 1)) == []


def test_an_endpoint_that_hears_other_events_gets_no_delivery(endpoint, deal):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(events=["deal.signed"])
    assert events.plan(audit_row(deal, AuditAction.VERDICT_GIVEN, 1)) == []
    assert not WebhookDelivery.objects.exists()


def test_a_move_into_signed_is_two_events(endpoint, receiver, deal, personas):
    event = AuditEvent(
        pk=10_000,
        deal=deal,
        action="moved",
        object_type="deals.deal",
        object_id=str(deal.pk),
        before={"stage": "approved"},
        after={"stage": "signed"},
        at=timezone.now(),
    )
    kinds = [kind for kind, _ in events.events_of(event)]
    assert kinds == ["deal.stage_changed", "deal.signed"]


def test_only_administrators_see_the_log_and_redeliver(
    endpoint, receiver, give_verdict, client_for, personas, django_capture_on_commit_callbacks
):
    delivery = give_verdict()
    assert client_for(personas.owner).get(f"/settings/webhooks/{endpoint.pk}/").status_code == 403
    assert (
        client_for(personas.owner)
        .post(f"/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
        .status_code
        == 403
    )
    admin = client_for(personas.admin)
    page = admin.get(f"/settings/webhooks/{endpoint.pk}/")
    assert page.status_code == 200 and delivery.msg_id in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.msg_id] * 2


def test_the_secret_is_shown_once_at_registration(client_for, personas, receiver, loopback):
    admin = client_for(personas.admin)
    response = admin.post(
        "/settings/webhooks/",
        {
            "name": "ERP",
            "url": receiver.url,
            "events": ["term.revised"],
            "owner": personas.admin.pk,
        },
    )
    assert response.status_code == 200, response.content
    secret = response.context["created"].secret
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert secret not in admin.get("/settings/webhooks/").content.decode()
    refused = admin.post(
        "/settings/webhooks/",
        {
            "name": "Inside",
            "url": "http://10.0.0.1/",
            "events": ["term.revised"],
            "owner": personas.admin.pk,
        },
    )
    assert refused.status_code == 422


def test_only_administrators_disable_an_endpoint_by_hand(endpoint, client_for, personas):
    url = f"/settings/webhooks/{endpoint.pk}/disable/"
    assert client_for(personas.owner).post(url).status_code == 403
    assert client_for(personas.admin).get(url).status_code == 405
    assert client_for(personas.admin).post(url).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "manual"
