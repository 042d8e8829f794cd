"""Hostile input into every question type: a form error (422), never a 500, and nothing
saved; what is saved is shown escaped."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deals.models import Deal
from intake.models import IntakeRequest
from intake.services import request_submit
from partnerships.models import Partner

from .conftest import post_data

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("total_value", "9" * 400),
    ("total_value", "1e999999"),
    ("total_value", "-5"),
    ("total_value", "NaN"),
    ("total_value", "Infinity"),
    ("term", "99999999999999999999999"),
    ("term", "twelve"),
    ("start", "2026-02-30"),
    ("start", "99999-01-01"),
    ("start", "0001-01-01"),
    ("start", "<script>"),
    ("region", "Antarctica"),
    ("region", ["Europe", "Asia"]),
    ("channels", "Telepathy"),
    ("personal_data", "maybe"),
    ("personal_data", ["yes", "no"]),
    ("summary", "x" * 6000),
    ("title", ""),
    ("sponsor", "not a number"),
    ("sponsor", "²"),
    ("partner_name", "y" * 400),
]


@pytest.mark.parametrize(("key", "value"), HOSTILE)
def test_hostile_input_is_a_form_error_and_saves_nothing(
    client_for, personas, form_version, key, value
):
    client = client_for(personas.owner)
    data = post_data(personas)
    name = key if key in ("title", "sponsor", "partner_name") else f"q-{key}"
    data[name] = value
    partners = Partner.objects.count()
    response = client.post(reverse("intake_new", args=[form_version.request_type_id]), data)
    assert response.status_code == 422, (key, value)
    assert not Deal.objects.exists() and not IntakeRequest.objects.exists()
    assert Partner.objects.count() == partners


@pytest.mark.parametrize("term", ["0", "0.5", "241", "99999"])
def test_a_changed_answer_out_of_the_deal_fields_bounds_is_a_form_error(
    client_for, personas, form_version, term
):
    """The term question fills the deal's term_months (1 to 240): changing the answers
    beyond it is refused on the form, not a 500, and changes nothing."""
    intake = request_submit(
        version=form_version,
        user=personas.owner,
        title="Loyalty programme",
        partner_name="Orbit Loyalty",
        sponsor=personas.executive,
        answers={"summary": "x", "total_value": "5", "personal_data": "no", "term": "12"},
    )
    data = {"q-summary": "y", "q-total_value": "5", "q-personal_data": "no", "q-term": term}
    response = client_for(personas.owner).post(
        reverse("intake_answers_edit", args=[intake.deal_id]), data
    )
    assert response.status_code == 422
    intake.refresh_from_db()
    assert intake.answers["summary"] == "x" and intake.deal.term_months == 12


def test_a_file_too_large_is_refused(client_for, personas, form_version, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = post_data(personas)
    data["q-contract"] = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    response = client_for(personas.owner).post(
        reverse("intake_new", args=[form_version.request_type_id]), data
    )
    assert response.status_code == 422 and not Deal.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_file_is_kept_by_name(client_for, personas, form_version, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = post_data(personas)
    data["q-contract"] = SimpleUploadedFile("draft.pdf", b"%PDF-1.7 draft")
    client_for(personas.owner).post(
        reverse("intake_new", args=[form_version.request_type_id]), data
    )
    assert IntakeRequest.objects.get().answers["contract"]["name"] == "draft.pdf"


def test_script_tags_are_shown_escaped(client_for, personas, form_version):
    client = client_for(personas.owner)
    data = post_data(personas, summary="<script>alert(1)</script>")
    data["title"] = "<script>alert(2)</script>"
    response = client.post(reverse("intake_new", args=[form_version.request_type_id]), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_nul_byte_is_refused_before_the_view(client_for, personas, form_version):
    data = post_data(personas, summary="evil\x00")
    response = client_for(personas.owner).post(
        reverse("intake_new", args=[form_version.request_type_id]), data
    )
    assert response.status_code == 400 and not Deal.objects.exists()


def test_answers_to_unknown_questions_are_ignored(client_for, personas, form_version):
    data = {**post_data(personas), "q-not_a_question": "x", "q-summary": "Fine."}
    client_for(personas.owner).post(
        reverse("intake_new", args=[form_version.request_type_id]), data
    )
    assert "not_a_question" not in IntakeRequest.objects.get().answers
