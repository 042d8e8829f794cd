"""Deciding a review from its email: the link opens a page that changes nothing; the
verdict is a POST from it; the link is signed, single use, bound to one person, one review
and the wording mailed, and dead after 72 hours."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from deals.models import Deal, Stage
from deals.services import deal_advance, term_create, term_revise
from notifications import delivery, reminders
from notifications.models import Notification
from stakeholders.email_decision import TokenRefused, decide_by_email, token_open, tokens_issue
from stakeholders.models import EmailDecisionToken, Membership, Review, ReviewStatus
from tests.factories import DealFactory, department

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/reviews/by-email/[^\s\"<>/]+/")


@pytest.fixture
def legal_review(personas, deal_in_review):
    review = deal_in_review.reviews.get(department__slug="legal")
    term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Liability cap",
            "wording": "Capped at 12 months of fees.",
            "department": department("legal"),
        },
    )
    return Review.objects.get(pk=review.pk)


def link_for(user, review) -> str:
    return tokens_issue(pairs=[(user.pk, review.pk)])[(user.pk, review.pk)]


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def post_verdict(client: Client, path: str, verdict: str = "approve", text: str = ""):
    """GET the page (as a person would, for its CSRF token), then POST from it."""
    page = client.get(path)
    assert page.status_code == 200, page.content
    token = client.cookies["csrftoken"].value
    return client.post(path, {"verdict": verdict, "text": text, "csrfmiddlewaretoken": token})


def state(review) -> dict:
    """Everything a decision could change: compared before and after a GET."""
    fresh = Review.objects.get(pk=review.pk)
    return {
        "review": (fresh.status, fresh.decided_by_id, fresh.decided_at, fresh.verdict_channel),
        "audit": AuditEvent.objects.count(),
        "tokens": list(EmailDecisionToken.objects.values_list("pk", "used_at").order_by("pk")),
        "notifications": Notification.objects.count(),
        "reviews": Review.objects.count(),
    }


# --------------------------------------------------------------------------- through mail


def test_the_review_request_email_carries_a_link_that_decides_the_review_once(
    personas, partnership, django_capture_on_commit_callbacks, eager_tasks, mailbox
):
    deal = DealFactory(
        title="Cloud migration",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    messages = mailbox.wait_for(3, timeout=5)
    [message] = [m for m in messages if m["To"] == personas.legal.email]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    [url] = LINK.findall(text)
    assert url in html
    # Only the hash is stored: the secret in the link is nowhere in the database.
    token = EmailDecisionToken.objects.get(user=personas.legal)
    assert token.token_hash not in url and len(token.token_hash) == 64
    path = url.split("://", 1)[1].split("/", 1)[1]

    # Logged out: the link is the credential; the POST still needs the page's CSRF token.
    client = csrf_client()
    assert client.post("/" + path, {"verdict": "approve"}).status_code == 403  # no CSRF
    response = post_verdict(client, "/" + path, "approve_with_conditions", "Cap at 18 months.")

    assert response.status_code == 200
    assert "Your verdict is recorded" in response.content.decode()
    review = Review.objects.get(deal=deal, department__slug="legal")
    assert review.status == ReviewStatus.APPROVED_WITH_CONDITIONS
    assert review.decided_by == personas.legal
    assert review.verdict_channel == "email"
    event = AuditEvent.objects.get(action=AuditAction.VERDICT_GIVEN, object_id=str(review.pk))
    assert event.after["channel"] == "email" and event.actor == personas.legal
    # Used: the same link decides nothing more.
    again = csrf_client().get("/" + path)
    assert again.status_code == 410 and "used already" in again.content.decode()


def test_the_reminder_email_carries_a_link_for_each_pending_review(personas, legal_review, mailbox):
    Review.objects.filter(pk=legal_review.pk).update(
        reviewer=personas.legal, due_on=timezone.localdate()
    )
    delivery.deliver(ids=reminders.plan_review_reminders())
    [message] = [m for m in mailbox.wait_for(1, timeout=5) if m["To"] == personas.legal.email]
    text = message.get_body(preferencelist=("plain",)).get_content()
    [url] = LINK.findall(text)
    token = EmailDecisionToken.objects.get(user=personas.legal, review=legal_review)
    assert token.stamp == f"{legal_review.deal.terms.get().pk}:1"
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert Client().get(path).status_code == 200


# --------------------------------------------------------------------------- the page


def test_opening_the_link_changes_nothing(personas, legal_review, client):
    path = link_for(personas.legal, legal_review)
    before = state(legal_review)

    for _ in range(3):  # a mail scanner, a preview, the person
        response = client.get(path)
        assert response.status_code == 200
        client.head(path)

    assert state(legal_review) == before
    page = response.content.decode()
    assert "Capped at 12 months of fees." in page
    assert "Opening this page changes nothing" in page
    assert 'name="verdict" value="reject"' in page
    assert "What waiting costs" in page and "Open concerns" in page


def test_the_page_shows_what_changed_since_the_persons_last_verdict_as_a_word_diff(
    personas, legal_review
):
    from stakeholders.services import review_give_verdict
    from stakeholders.signoff import review_reopen

    review_give_verdict(review=legal_review, user=personas.legal, verdict="approve")
    term = legal_review.deal.terms.get()
    term_revise(
        term=term, user=personas.owner, wording="Capped at 18 months of fees.", expected_version=1
    )
    review = Review.objects.get(pk=legal_review.pk)
    if review.status != ReviewStatus.PENDING:
        review_reopen(review=review, user=personas.owner, reason="New cap")
    page = Client().get(link_for(personas.legal, review)).content.decode()

    since = page.split('id="since-you-last-saw"')[1].split("</section>")[0]
    assert "since your last verdict" in since
    assert "<del>12</del><ins>18</ins>" in since


# --------------------------------------------------------------------------- refusals


def test_an_expired_link_is_refused_and_decides_nothing(personas, legal_review):
    path = link_for(personas.legal, legal_review)
    EmailDecisionToken.objects.update(
        created_at=timezone.now() - dt.timedelta(hours=73),
        expires_at=timezone.now() - dt.timedelta(hours=1),
    )
    client = csrf_client()
    response = client.get(path)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert client.post(path, {"verdict": "approve"}).status_code in (403, 410)
    with pytest.raises(TokenRefused):
        token_open(path.split("/")[-2], user=personas.legal)
    assert Review.objects.get(pk=legal_review.pk).status == ReviewStatus.PENDING


def test_a_used_link_is_refused_and_two_clicks_decide_once(personas, legal_review):
    path = link_for(personas.legal, legal_review)
    signed = path.split("/")[-2]
    token = token_open(signed, user=personas.legal)
    same_token_again = token_open(signed, user=personas.legal)  # both opened before either acts

    decide_by_email(token=token, verdict="approve", text="")
    with pytest.raises(TokenRefused) as refused:
        decide_by_email(token=same_token_again, verdict="reject", text="No.")
    assert refused.value.status == 410
    assert Review.objects.get(pk=legal_review.pk).status == ReviewStatus.APPROVED
    response = Client().get(path)
    assert response.status_code == 410 and "used already" in response.content.decode()


def test_another_persons_link_is_refused_when_someone_else_is_logged_in(
    personas, legal_review, client_for
):
    path = link_for(personas.legal, legal_review)
    client = client_for(personas.procurement)
    response = client.get(path)
    assert response.status_code == 403 and "sent to someone else" in response.content.decode()
    assert client.post(path, {"verdict": "approve"}).status_code == 403
    assert Review.objects.get(pk=legal_review.pk).status == ReviewStatus.PENDING
    assert EmailDecisionToken.objects.get().used_at is None
    # The person it was sent to, logged in or not, may use it.
    assert client_for(personas.legal).get(path).status_code == 200


def test_a_link_stops_opening_when_its_person_may_no_longer_see_the_deal(
    personas, legal_review, client_for
):
    """A confidential deal is seen by the reviewing departments' members: one who leaves
    Legal is an outsider, and the link in their mailbox must not show its terms."""
    Deal.objects.filter(pk=legal_review.deal_id).update(confidential=True)
    path = link_for(personas.legal, legal_review)
    assert Client().get(path).status_code == 200
    Membership.objects.filter(user=personas.legal).delete()
    for client in (Client(), client_for(personas.legal)):
        response = client.get(path)
        assert response.status_code == 404
        assert "Capped at 12 months" not in response.content.decode()
        assert client.post(path, {"verdict": "approve"}).status_code == 404
    assert Review.objects.get(pk=legal_review.pk).status == ReviewStatus.PENDING
    assert EmailDecisionToken.objects.get().used_at is None


def test_a_forged_or_tampered_link_is_not_found(personas, legal_review):
    path = link_for(personas.legal, legal_review)
    signed = path.split("/")[-2]
    tampered = path.replace(signed, signed[:-2] + ("AA" if signed[-2:] != "AA" else "BB"))
    assert Client().get(tampered).status_code == 404
    assert Client().get("/reviews/by-email/not-a-token/").status_code == 404


def test_a_link_whose_terms_changed_shows_the_new_wording_and_its_verdict_is_refused(
    personas, legal_review
):
    path = link_for(personas.legal, legal_review)
    term = legal_review.deal.terms.get()
    term_revise(
        term=term, user=personas.owner, wording="Capped at 24 months of fees.", expected_version=1
    )
    client = csrf_client()
    page = client.get(path).content.decode()
    assert "changed since this email was sent" in page
    assert "Capped at 24 months of fees." in page

    response = post_verdict(client, path, "approve")

    assert response.status_code == 409
    body = response.content.decode()
    assert "Capped at 24 months of fees." in body
    assert Review.objects.get(pk=legal_review.pk).status == ReviewStatus.PENDING
    # A fresh link for the wording as it stands decides it.
    [fresh] = re.findall(r'href="(/reviews/by-email/[^"/]+/)"', body)
    assert fresh != path
    assert Client().get(path).status_code == 410  # the stale link is spent
    assert post_verdict(csrf_client(), fresh, "approve").status_code == 200
    review = Review.objects.get(pk=legal_review.pk)
    assert review.status == ReviewStatus.APPROVED and review.verdict_channel == "email"


def test_a_refused_verdict_leaves_the_link_usable(personas, legal_review):
    path = link_for(personas.legal, legal_review)
    client = csrf_client()
    response = post_verdict(client, path, "reject", "")  # a rejection needs its reason
    assert response.status_code == 422
    assert EmailDecisionToken.objects.get().used_at is None
    assert post_verdict(client, path, "reject", "No single sign-on.").status_code == 200


def test_a_web_verdict_records_its_channel(personas, legal_review, client_for):
    from stakeholders.signoff import current_terms_stamp

    response = client_for(personas.legal).post(
        f"/reviews/{legal_review.pk}/verdict/",
        {"verdict": "approve", "terms_seen": current_terms_stamp(legal_review)},
    )
    assert response.status_code == 302
    assert Review.objects.get(pk=legal_review.pk).verdict_channel == "web"


def test_links_a_day_past_their_lifetime_are_purged_and_the_rest_kept(personas, legal_review):
    from stakeholders.tasks import purge_email_decision_tokens

    link_for(personas.legal, legal_review)
    link_for(personas.it, legal_review)
    live = link_for(personas.procurement, legal_review)
    now = timezone.now()
    EmailDecisionToken.objects.filter(user=personas.legal).update(
        expires_at=now - dt.timedelta(days=1, minutes=1)
    )
    EmailDecisionToken.objects.filter(user=personas.it).update(
        expires_at=now - dt.timedelta(hours=23)  # expired, but within the day's margin
    )
    assert purge_email_decision_tokens.apply().get() == 1
    assert set(EmailDecisionToken.objects.values_list("user", flat=True)) == {
        personas.it.pk,
        personas.procurement.pk,
    }
    assert Client().get(live).status_code == 200  # a live link still opens
