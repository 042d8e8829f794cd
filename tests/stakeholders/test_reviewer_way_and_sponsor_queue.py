"""The sponsor's queue clears when they decide and fills again when the matter returns;
the reason for changes or a rejection shows beside the status; reviewers find their way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import freshness
from deals.selectors import awaiting_decision
from deals.services import deal_request_decision, decision_record
from notifications import digests
from stakeholders.models import Review, ReviewStatus
from stakeholders.services import review_give_verdict
from stakeholders.signoff import review_reopen
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


def waiting(personas, client_for) -> tuple[set, set, bool]:
    """The sponsor's queue as the selector, the digest and the dashboard page show it."""
    sponsor = personas.executive
    listed = {d.pk for d in awaiting_decision(sponsor)}
    section = digests.digest_contexts([sponsor.pk])[sponsor.pk]["executive"]
    in_digest = {item["deal"].pk for item in section["decisions"]}
    freshness.bump()  # the services' bump runs on commit, which a test never reaches
    page = client_for(sponsor).get(reverse("dashboard")).content.decode()
    return listed, in_digest, 'id="decide-title"' in page


def decide(deal, personas, title="Go ahead"):
    return decision_record(
        deal=deal,
        user=personas.executive,
        data={"kind": "override", "title": title, "rationale": "The benefits outweigh it."},
    )


def test_the_queue_drops_a_rejection_once_decided_and_takes_it_back_when_rejected_again(
    personas, deal_in_review, client_for
):
    deal = deal_in_review
    it = deal.reviews.get(department__slug="it")
    review_give_verdict(review=it, user=personas.it, verdict="reject", text="No single sign-on.")
    assert waiting(personas, client_for) == ({deal.pk}, {deal.pk}, True)

    decide(deal, personas)
    assert waiting(personas, client_for) == (set(), set(), False)

    review_reopen(review=Review.objects.get(pk=it.pk), user=personas.owner, reason="Reworked")
    assert waiting(personas, client_for)[0] == set()  # pending again: nothing to decide
    # Decided a moment later than the decision: a new rejection brings the deal back.
    later = timezone.now() + dt.timedelta(seconds=1)
    Review.objects.filter(pk=it.pk).update(decided_at=later, status=ReviewStatus.REJECTED)
    assert waiting(personas, client_for) == ({deal.pk}, {deal.pk}, True)


def test_the_queue_drops_a_request_once_decided_and_takes_a_new_one(
    personas, deal_in_review, client_for
):
    deal = deal_in_review
    deal_request_decision(deal=deal, user=personas.owner, note="Overrule Procurement?")
    assert waiting(personas, client_for) == ({deal.pk}, {deal.pk}, True)
    decide(deal, personas)
    assert waiting(personas, client_for) == (set(), set(), False)
    deal_request_decision(deal=deal, user=personas.owner, note="And the cap?")
    assert waiting(personas, client_for) == ({deal.pk}, {deal.pk}, True)


def test_the_reason_shows_wherever_the_status_does(personas, deal_in_review, client_for):
    deal = deal_in_review
    procurement = deal.reviews.get(department__slug="procurement")
    review_give_verdict(
        review=procurement,
        user=personas.procurement,
        verdict="request_changes",
        text="Get a second quote.",
    )
    review_give_verdict(
        review=deal.reviews.get(department__slug="it"),
        user=personas.it,
        verdict="reject",
        text="No single sign-on.",
    )
    deal_page = client_for(personas.owner).get(deal.get_absolute_url()).content.decode()
    assert "Changes requested: Get a second quote." in deal_page
    assert "Rejected: No single sign-on." in deal_page
    inbox = client_for(personas.procurement).get("/reviews/").content.decode()
    assert "Changes requested: Get a second quote." in inbox
    legal = deal.reviews.get(department__slug="legal")
    review_page = client_for(personas.legal).get(legal.get_absolute_url()).content.decode()
    others = review_page.split('id="other-title"')[1].split("</section>")[0]
    assert "Changes requested: Get a second quote." in others
    assert "Rejected: No single sign-on." in others
    # Re-opened, the old reason is no longer the review's status: it is not shown.
    review_reopen(review=Review.objects.get(pk=procurement.pk), user=personas.owner, reason="Re")
    inbox = client_for(personas.procurement).get("/reviews/").content.decode()
    assert "Get a second quote." not in inbox


def test_a_reviewer_lands_on_their_inbox_and_others_on_the_dashboard(client, personas):
    for user, landing in (
        (personas.legal, reverse("review_inbox")),
        (personas.owner, reverse("dashboard")),
        (personas.executive, reverse("dashboard")),
        (personas.admin, reverse("dashboard")),
    ):
        client.logout()
        response = client.post(
            reverse("login"), {"username": user.email, "password": personas.password}, follow=True
        )
        assert response.redirect_chain[-1][0] == landing, user.email


def test_the_navigation_counts_my_open_reviews_in_one_query_at_most(
    personas, deal_in_review, client_for, django_assert_max_num_queries
):
    ReviewFactory(deal=DealFactory(), department=department("legal"))
    client = client_for(personas.legal)
    page = client.get(reverse("partnership_list")).content.decode()
    assert "Reviews (2)" in page
    review_give_verdict(
        review=deal_in_review.reviews.get(department__slug="legal"),
        user=personas.legal,
        verdict="approve",
    )
    freshness.bump()  # the verdict's own bump runs on commit, which a test never reaches
    assert "Reviews (1)" in client.get(reverse("partnership_list")).content.decode()
    assert "Reviews (" not in client_for(personas.outsider).get("/").content.decode()


def test_after_a_verdict_the_panel_offers_the_next_review_and_no_reassign(
    personas, deal_in_review, client_for
):
    later = ReviewFactory(
        deal=DealFactory(title="Print fleet"),
        department=department("legal"),
        due_on=timezone.localdate() + dt.timedelta(days=20),
    )
    legal = deal_in_review.reviews.get(department__slug="legal")
    client = client_for(personas.legal)
    before = client.get(legal.get_absolute_url()).content.decode()
    assert "Reassign" in before and "Next review" not in before
    panel = client.post(
        reverse("review_verdict", args=[legal.pk]),
        {"verdict": "approve", "text": "", "terms_seen": _stamp(before)},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Your verdict is recorded." in panel
    assert "Next review →" in panel and later.get_absolute_url() in panel
    assert "Reassign" not in panel
    page = client.get(legal.get_absolute_url()).content.decode()
    assert "Reassign" not in page
    refused = client.post(reverse("review_reassign", args=[legal.pk]), {"reviewer": ""})
    assert refused.status_code == 403


def _stamp(html: str) -> str:
    return html.split('name="terms_seen" value="')[1].split('"')[0]
