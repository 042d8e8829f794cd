"""Reading a deal is not having a say in it: on a deal that is not confidential anyone
logged in reads, but only the people with a part in it (owner, sponsor, reviewing
departments, invitees) ask the sponsor to decide and prepare briefing packs; concerns
and reviews are raised and discussed by them and by the departments' members, who flag
risks before their review is asked (issue 12, finding 7)."""

import pytest
from django.urls import reverse

from deals.models import BriefingPack, Deal
from stakeholders.models import Concern, ReviewComment
from stakeholders.services import concern_raise

pytestmark = pytest.mark.django_db

CONCERN = {"title": "No exit plan", "detail": "Data return unclear.", "severity": "high"}


def test_only_people_with_a_part_in_the_deal_ask_its_sponsor_to_decide(client_for, personas, deal):
    # The deal is not confidential: the outsider may read it, but has no say in it.
    url = reverse("request_decision", args=[deal.pk])
    page = client_for(personas.outsider).get(deal.get_absolute_url()).content.decode()
    assert url not in page
    response = client_for(personas.outsider).post(url, {"note": "Decide now"})
    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).decision_requested_at is None
    assert url in client_for(personas.owner).get(deal.get_absolute_url()).content.decode()
    assert client_for(personas.owner).post(url, {"note": "Decide now"}).status_code == 302
    assert Deal.objects.get(pk=deal.pk).decision_requested_by == personas.owner


def test_only_people_with_a_part_in_the_deal_raise_concerns(client_for, personas, deal_in_review):
    url = reverse("concern_create", args=[deal_in_review.pk])
    outsider = client_for(personas.outsider)
    assert outsider.get(deal_in_review.get_absolute_url()).status_code == 200  # reads it
    assert url not in outsider.get(deal_in_review.get_absolute_url()).content.decode()
    assert outsider.get(url).status_code == 403
    assert outsider.post(url, {**CONCERN, "blocking": "on"}).status_code == 403
    assert not Concern.objects.exists()
    # Legal reviews this deal: it has a part in it.
    legal = client_for(personas.legal)
    assert url in legal.get(deal_in_review.get_absolute_url()).content.decode()
    assert legal.post(url, CONCERN).status_code == 302
    assert Concern.objects.get().raised_by == personas.legal


def test_only_people_with_a_part_in_the_deal_reply_to_its_concerns(
    client_for, personas, deal_in_review
):
    concern = concern_raise(deal=deal_in_review, user=personas.legal, data=CONCERN)
    url = reverse("concern_reply", args=[concern.pk])
    outsider = client_for(personas.outsider)
    assert url not in outsider.get(concern.get_absolute_url()).content.decode()
    assert outsider.post(url, {"body": "Me too"}).status_code == 403
    assert client_for(personas.it).post(url, {"body": "Agreed"}).status_code == 302
    assert [r.author for r in concern.replies.all()] == [personas.it]


def test_a_department_member_flags_a_risk_before_their_review_is_asked(
    client_for, personas, deal_in_review
):
    # Finance reviews only deals with a business case; this one has none yet.
    assert not deal_in_review.reviews.filter(department__slug="finance").exists()
    url = reverse("concern_create", args=[deal_in_review.pk])
    finance = client_for(personas.finance)
    assert url in finance.get(deal_in_review.get_absolute_url()).content.decode()
    assert finance.post(url, CONCERN).status_code == 302
    assert Concern.objects.get().raised_by == personas.finance


def test_only_people_who_may_raise_concerns_comment_on_a_review(
    client_for, personas, deal_in_review
):
    review = deal_in_review.reviews.get(department__slug="legal")
    url = reverse("review_comment", args=[review.pk])
    outsider = client_for(personas.outsider)
    page = outsider.get(review.get_absolute_url())
    assert page.status_code == 200  # reads the review
    html = page.content.decode()
    assert url not in html  # no comment form
    assert 'name="body"' not in html
    assert "Raise a concern" not in html
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        assert outsider.post(url, {"body": "Just approve it"}, **headers).status_code == 403
    assert not ReviewComment.objects.exists()
    # Legal reviews the deal; Finance does not, but its members flag risks early.
    for member in (personas.legal, personas.finance):
        client = client_for(member)
        html = client.get(review.get_absolute_url()).content.decode()
        assert url in html and "Raise a concern" in html
        assert client.post(url, {"body": "Checked the cap."}).status_code == 302
    assert [c.author for c in ReviewComment.objects.order_by("pk")] == [
        personas.legal,
        personas.finance,
    ]


def test_only_people_with_a_part_in_the_deal_prepare_its_briefing_pack(
    client_for, personas, deal_in_review
):
    url = reverse("deal_briefing", args=[deal_in_review.pk])
    # Finance's members may raise concerns on the deal, but have no part in it either.
    for reader in (personas.outsider, personas.finance):
        client = client_for(reader)
        page = client.get(deal_in_review.get_absolute_url()).content.decode()
        assert 'id="briefing"' in page  # the card is there …
        assert f'action="{url}"' not in page  # … without the form
        assert "Prepare briefing pack" not in page
        assert "prepared by the people with a part in the deal" in page
        assert client.post(url).status_code == 403
        assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
        card = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "Prepare" not in card
    assert not BriefingPack.objects.exists()
    for involved in (personas.owner, personas.legal):
        page = client_for(involved).get(deal_in_review.get_absolute_url()).content.decode()
        assert "Prepare briefing pack" in page
    assert client_for(personas.legal).post(url).status_code == 302
    assert BriefingPack.objects.get().requested_by == personas.legal
