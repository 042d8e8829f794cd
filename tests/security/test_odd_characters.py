"""NUL bytes and digits that are not ASCII get a refusal that says why, never a 500
(issue 12, findings 4 and 5).

PostgreSQL refuses a NUL byte in text, so a search that passed `?q=%00` on to the
database ended in a 500 there (SQLite accepted it). '²' and '①' pass `str.isdigit()`
and fail `int()`, so views that checked the one and called the other ended in a 500
on every database. Every URL and form meets both in tests/security/test_url_role_walk.py
and tests/security/test_hostile_forms.py; here are the repros, with the answers people get.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.models import Partner
from stakeholders.models import ReviewStatus
from tests.factories import BusinessCaseFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PARTNER = {"kind": "technology", "country": "Ireland", "risk_tier": "low"}
# Each passes str.isdigit() and fails int(): superscript two, circled one, a mix.
NOT_ASCII_DIGITS = ["²", "①", "1²", "²:²"]


@pytest.mark.parametrize("query", ["q=%00", "q=acme%00", "q=%00%27%3B--", "%00=x", "page=%00"])
def test_a_nul_byte_in_the_partner_search_is_a_400(client_for, personas, query):
    response = client_for(personas.owner).get(f"/partners/?{query}")
    assert response.status_code == 400
    assert "NUL byte" in response.content.decode()


def test_a_nul_byte_in_a_form_value_is_a_400_and_writes_nothing(client_for, personas):
    client = client_for(personas.owner)
    response = client.post(reverse("partner_create"), {**PARTNER, "name": "Acme\x00 Ltd"})
    assert response.status_code == 400
    assert "NUL byte" in response.content.decode()
    assert not Partner.objects.filter(name__startswith="Acme").exists()
    # The same form without the NUL byte goes through: the refusal was for the byte.
    response = client.post(reverse("partner_create"), {**PARTNER, "name": "Acme Ltd"})
    assert response.status_code == 302


def test_a_nul_byte_is_refused_before_the_login_redirect(client):
    assert client.get("/partners/?q=%00").status_code == 400
    login = client.post("/accounts/login/", {"username": "a\x00@x.test", "password": "x"})
    assert login.status_code == 400


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
@pytest.mark.parametrize("side", ["a", "b"])
def test_compare_with_a_version_in_other_digits_says_there_is_no_such_version(
    client_for, personas, deal, side, digits
):
    BusinessCaseFactory(deal=deal)
    response = client_for(personas.owner).get(
        reverse("business_case_compare", args=[deal.pk]), {side: digits}
    )
    assert response.status_code == 422
    assert f"There is no version {digits} of this business case." in response.content.decode()


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_a_year_row_at_an_index_in_other_digits_is_a_400(client_for, personas, deal, digits):
    response = client_for(personas.owner).get(
        reverse("business_case_year_row", args=[deal.pk]), {"index": digits}, **HX
    )
    assert response.status_code == 400
    assert "room for ten years" in response.content.decode()


@pytest.mark.parametrize("stamp", ["²:²", "①:1", "1:①", "1:1,²:1", "\u0661:\u0661"])
def test_a_verdict_on_a_terms_stamp_in_other_digits_asks_to_reload(
    client_for, personas, deal_in_review, stamp
):
    review = deal_in_review.reviews.get(department__slug="legal")
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "approve", "terms_seen": stamp},
        **HX,
    )
    assert response.status_code == 422
    assert "This review page is out of date: reload it." in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


@pytest.mark.parametrize("digits", ["²", "①"])
def test_a_prefilled_choice_in_other_digits_is_ignored(client_for, personas, partnership, digits):
    client = client_for(personas.owner)
    deal_form = client.get(reverse("deal_create"), {"partnership": digits})
    assert deal_form.status_code == 200
    assert deal_form.context["form"].initial.get("partnership") is None
    partnership_form = client.get(reverse("partnership_create"), {"partner": digits})
    assert partnership_form.status_code == 200
    assert partnership_form.context["form"].initial.get("partner") is None


@pytest.mark.parametrize("digits", ["%C2%B2", "%E2%91%A0", "%D9%A1"])
def test_an_id_in_other_digits_in_the_path_is_not_found(client_for, personas, digits):
    client = client_for(personas.owner)
    for path in ("/deals/{}/", "/partners/{}/", "/reviews/{}/", "/deals/{}/business-case/compare/"):
        assert client.get(path.format(digits)).status_code == 404, path
