"""Writes at intake: a request submitted (a deal at Intake), its answers changed (routed
again), a form version published or copied into a new draft. Each is atomic and audited."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record, snapshot
from deals import rules as deal_rules
from deals import services as deal_services
from deals.models import Deal
from partnerships.models import Partner, PartnerKind, Partnership
from partnerships.services import partner_saved, partnership_saved
from stakeholders import signoff

from . import rules
from .answers import said
from .models import Condition, DealField, FormVersion, IntakeRequest, Question
from .selectors import questions_of, similar_partners

DEFAULTS = {
    "contract_value": Decimal(0),
    "expected_annual_value": Decimal(0),
    "term_months": 12,
}


def shown_answers(questions: list[Question], answers: dict) -> list[dict]:
    """The answers as the deal page shows them, in the form's order."""
    return [
        {"key": q.key, "label": q.label, "text": said(q.kind, answers[q.key])}
        for q in questions
        if q.key in answers
    ]


def deal_fields(questions: list[Question], answers: dict) -> dict[str, Any]:
    """What the answers say about the deal itself (Question.deal_field)."""
    data: dict[str, Any] = {}
    for question in questions:
        value = answers.get(question.key)
        if not question.deal_field or value is None:
            continue
        if question.deal_field == DealField.CONFIDENTIAL:
            data["confidential"] = value == "yes"
        elif question.deal_field in (DealField.CONTRACT_VALUE, DealField.EXPECTED_ANNUAL_VALUE):
            data[question.deal_field] = Decimal(str(value))
        elif question.deal_field == DealField.TERM_MONTHS:
            data["term_months"] = int(Decimal(str(value)))
        else:
            data[question.deal_field] = value
    return data


def _partnership(*, name: str, sponsor, user) -> Partnership:
    """The partner of that exact name (any case) and its first partnership, or new ones."""
    partner = Partner.objects.filter(name__iexact=name).first()
    if partner is None:
        partner = Partner.objects.create(name=name, kind=PartnerKind.OTHER, country="Not stated")
        partner_saved(partner=partner, user=user, created=True, old={}, new=snapshot(partner))
    partnership = partner.partnerships.order_by("pk").first()
    if partnership is None:
        partnership = Partnership.objects.create(
            partner=partner, title=f"{name} partnership", sponsor=sponsor
        )
        partnership_saved(
            partnership=partnership, user=user, created=True, old={}, new=snapshot(partnership)
        )
    return partnership


def _store_uploads(answers: dict, uploads: dict) -> None:
    for key, upload in uploads.items():
        path = default_storage.save(f"intake/{uuid.uuid4().hex}/{upload.name[-100:]}", upload)
        answers[key] = {"name": upload.name[:200], "path": path}


@transaction.atomic
def request_submit(
    *,
    version: FormVersion,
    user,
    title: str,
    partner_name: str,
    sponsor,
    answers: dict,
    uploads: dict | None = None,
) -> IntakeRequest:
    """Open a deal at Intake from a filled-in form; route it and tell its owner."""
    rules.SUBMIT_REQUEST.require(user)
    if not version.is_published:
        raise ValidationError("Only a published form takes requests.")
    request_type = version.request_type
    questions = questions_of(version)
    lookalikes = similar_partners(partner_name)
    partnership = _partnership(name=partner_name, sponsor=sponsor, user=user)
    answers = dict(answers)
    _store_uploads(answers, uploads or {})
    data = {
        **DEFAULTS,
        "summary": f"{request_type.name} request.",
        **deal_fields(questions, answers),
        "partnership": partnership,
        "title": title,
        "owner": request_type.triage_owner or user,
        "sponsor": sponsor,
    }
    deal = deal_services.deal_create(user=user, data=data)
    summary = signoff.routing_summary(signoff.routing(deal, answers=answers))
    request = IntakeRequest.objects.create(
        deal=deal,
        request_type=request_type,
        version=version,
        requester=user,
        answers=answers,
        shown=shown_answers(questions, answers),
        partner_name=partner_name,
        request_type_name=request_type.name,
        version_number=version.number,
        requester_name=user.display_name,
        lookalikes=lookalikes,
        routing_summary=summary,
    )
    audit_record(
        actor=user,
        action=AuditAction.INTAKE_SUBMITTED,
        instance=request,
        after={
            "request_type": request_type.name,
            "version": version.number,
            "answers": len(answers),
            "routing": summary,
        },
        deal=deal,
    )
    return request


@transaction.atomic
def request_answers_change(
    *, request: IntakeRequest, user, answers: dict, uploads: dict | None = None
) -> dict[str, list[str]]:
    """New answers on the request's own form version; the deal is routed again
    (signoff.reviews_reroute: only the departments whose routing changed are touched)."""
    rules.CHANGE_ANSWERS.require(user, request)
    deal = Deal.objects.lock(request.deal_id)
    request = IntakeRequest.objects.select_for_update().get(pk=request.pk)
    questions = questions_of(request.version)
    answers = dict(answers)
    _store_uploads(answers, uploads or {})
    for question in questions:  # a file kept: the form does not send it again
        old = request.answers.get(question.key)
        if isinstance(old, dict) and question.key not in answers and question.kind == "file":
            answers[question.key] = old
    changed = [q.label for q in questions if request.answers.get(q.key) != answers.get(q.key)]
    if not changed:
        return {"not_needed": [], "reopened": [], "requested": []}
    before = {"answers": len(request.answers)}
    request.answers = answers
    request.shown = shown_answers(questions, answers)
    request.updated_at = timezone.now()
    request.routing_summary = signoff.routing_summary(signoff.routing(deal, answers=answers))
    request.save()
    audit_record(
        actor=user,
        action=AuditAction.INTAKE_ANSWERS_CHANGED,
        instance=request,
        before=before,
        after={"questions": changed, "routing": request.routing_summary},
        deal=deal,
    )
    # The deal's own fields follow the answers that fill them, when this person may edit
    # the deal (deal_update audits them); the routing then reads the deal as it now is.
    fields = {
        name: value
        for name, value in deal_fields(questions, answers).items()
        if getattr(deal, name) != value
    }
    asked = set(deal.reviews.values_list("department__name", flat=True))
    if fields and deal_rules.EDIT_DEAL(user, deal):
        deal = deal_services.deal_update(deal=deal, user=user, data=fields)
    done = signoff.reviews_reroute(deal=deal, user=user, reason="Intake answers changed")
    # Those the edit's top-up asked for count as requested with the rest.
    now = set(deal.reviews.values_list("department__name", flat=True))
    done["requested"] = sorted(set(done["requested"]) | (now - asked))
    return done


@transaction.atomic
def form_version_publish(*, version: FormVersion, user) -> FormVersion:
    """Freeze a draft: from now on it takes requests and never changes."""
    rules.PUBLISH_FORM.require(user)
    locked = FormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationError("This version is already published.")
    problems = locked.problems(questions_of(locked))
    if problems:
        raise ValidationError(problems)
    if not locked.questions.exists():
        raise ValidationError("A form needs at least one question.")
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at"])
    audit_record(
        actor=user,
        action=AuditAction.INTAKE_FORM_PUBLISHED,
        instance=locked,
        after={"request_type": locked.request_type.name, "version": locked.number},
    )
    return locked


@transaction.atomic
def form_version_draft(*, version: FormVersion, user) -> FormVersion:
    """A new draft, a copy of `version`'s questions and conditions, to edit freely."""
    rules.PUBLISH_FORM.require(user)
    last = version.request_type.versions.order_by("-number").first()
    draft = FormVersion.objects.create(request_type=version.request_type, number=last.number + 1)
    for question in questions_of(version):
        conditions = list(question.conditions.all())
        question.pk, question.version = None, draft
        question.save()
        Condition.objects.bulk_create(
            Condition(
                question=question, source_key=c.source_key, operator=c.operator, value=c.value
            )
            for c in conditions
        )
    return draft
