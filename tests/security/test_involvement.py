"""Reading a deal is not having a say in it: on a deal that is not confidential anyone
logged in reads, but only the people with a part in it (owner, sponsor, reviewing
departments, invitees) ask the sponsor to decide; concerns are raised and discussed by
them and by the departments' members, who flag risks before their review is asked."""

import pytest
from django.urls import reverse

from deals.models import Deal
from stakeholders.models import Concern
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
