"""Publishing makes a form version immutable; a request keeps the version it was filled
against; an administrator previews a form without anything being saved."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake.models import Condition, FormVersion, Question
from intake.services import form_version_draft, form_version_publish, request_submit

from .builders import build_form

pytestmark = pytest.mark.django_db


def test_a_published_version_its_questions_and_conditions_never_change(form_version):
    question = form_version.questions.get(key="transfer")
    condition = question.conditions.get()
    form_version.number = 9
    question.label = "Changed"
    condition.value = "Payment"
    for change in (
        form_version.save,
        question.save,
        condition.save,
        condition.delete,
        question.delete,
        form_version.delete,
    ):
        with pytest.raises(ValidationError, match="published"):
            change()
    with pytest.raises(ValidationError):
        Question.objects.create(version=form_version, key="new", label="New")
    form_version.refresh_from_db()
    assert form_version.number == 1
    assert Question.objects.get(pk=question.pk).label == "Where is health data sent"


def test_publishing_checks_the_conditions_and_freezes_the_draft(personas):
    draft = build_form(
        [("b", "text", "B", {"conditions": [("a", "eq", "x")]}), ("a", "text", "A", {})],
        name="Broken",
        publish=False,
    )
    with pytest.raises(ValidationError, match="not an earlier question"):
        form_version_publish(version=draft, user=personas.admin)
    Question.objects.filter(version=draft, key="b").update(position=5)
    published = form_version_publish(version=draft, user=personas.admin)
    assert published.is_published
    with pytest.raises(ValidationError):
        form_version_publish(version=published, user=personas.admin)


def test_a_new_draft_leaves_old_requests_on_their_version(personas, form_version):
    request = request_submit(
        version=form_version,
        user=personas.owner,
        title="Old form",
        partner_name="Acme",
        sponsor=personas.executive,
        answers={"summary": "S", "total_value": "1", "personal_data": "no"},
    )
    draft = form_version_draft(version=form_version, user=personas.admin)
    assert draft.number == 2 and not draft.is_published
    assert draft.questions.count() == form_version.questions.count()
    assert Condition.objects.filter(question__version=draft).count() == 2
    draft.questions.filter(key="summary").update(label="Purpose, in a sentence")
    form_version_publish(version=draft, user=personas.admin)
    request.refresh_from_db()
    assert request.version == form_version
    assert request.shown[0]["label"] == "What is it for?"
    assert form_version.questions.get(key="summary").label == "What is it for?"


def test_the_admin_shows_a_published_version_read_only(client_for, personas, form_version):
    client = client_for(personas.admin)
    url = reverse("admin:intake_formversion_change", args=[form_version.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    assert client.post(url, {"number": 5}).status_code == 403
    draft = build_form(name="Pilot", publish=False)
    page = client.get(reverse("admin:intake_formversion_change", args=[draft.pk])).content.decode()
    assert 'name="_save"' in page


def test_the_admin_publishes_by_action(client_for, personas):
    draft = build_form(name="Pilot", publish=False)
    client_for(personas.admin).post(
        reverse("admin:intake_formversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_the_preview_shows_who_would_review_and_saves_nothing(
    client_for, personas, form_version, answer_rules
):
    client = client_for(personas.admin)
    url = reverse("intake_preview", args=[form_version.pk])
    assert "Nothing is saved" in client.get(url).content.decode()
    before = counts()
    data = {
        "q-summary": "Test",
        "q-total_value": "3000000",
        "q-personal_data": "yes",
        "q-categories": "Contact",
    }
    page = client.post(url, data).content.decode()
    assert "Who would review" in page
    assert "Finance because total value &gt; 1,000,000" in page
    assert "Security because handles personal data = yes; value &gt; 1,000,000" in page
    after = counts()
    after.pop("sessions.Session", None), before.pop("sessions.Session", None)
    assert after == before


def test_a_draft_can_be_previewed_but_takes_no_requests(client_for, personas):
    draft = build_form(name="Pilot", publish=False)
    client = client_for(personas.admin)
    assert client.get(reverse("intake_preview", args=[draft.pk])).status_code == 200
    assert client.get(reverse("intake_new", args=[draft.request_type_id])).status_code == 404
    assert FormVersion.objects.filter(published_at__isnull=True).count() == 1
