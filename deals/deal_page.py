"""The deal page: everything it shows, in a fixed number of queries.

Read top-down in four groups (Overview, Value, Sign-offs and terms, Activity); the
view renders it, and the views that answer a refused form on the page (a move, an
upload) render it again with their form.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from core.models import AuditEvent
from metrics.selectors import deal_value_context
from stakeholders.models import APPROVALS, Concern, Review, WorkingSession
from stakeholders.selectors import voices
from stakeholders.signoff import gate_status, last_ungated_entry

from . import rules
from .briefing import briefing_context
from .documents import ContractUploadForm
from .forms import AdvanceForm, RequestDecisionForm
from .models import ContractDocument, Decision, StageChange, Term, stage_timeline
from .models.terms import wording_changes


def deal_page_context(request: HttpRequest, deal) -> dict:
    """Everything the deal page shows, in a fixed number of queries."""
    changes = list(StageChange.objects.filter(deal=deal).select_related("by"))
    reviews = list(
        Review.objects.filter(deal=deal).select_related("department", "reviewer", "decided_by")
    )
    concerns = list(
        Concern.objects.open().filter(deal=deal).select_related("department", "raised_by")
    )
    decisions = list(Decision.objects.filter(deal=deal).select_related("decided_by"))
    terms = list(Term.objects.filter(deal=deal).for_page())
    user = request.user
    context = {
        "deal": deal,
        "timeline": stage_timeline(changes),
        "reviews": reviews,
        "signed_count": sum(1 for r in reviews if r.status in APPROVALS and not r.needs_rereview),
        "terms": terms,
        "term_changes": wording_changes(terms),
        "concerns": concerns,
        "blocking_concerns": [c for c in concerns if c.blocking],
        "decisions": decisions,
        "sessions": WorkingSession.objects.filter(deal=deal),
        "history": AuditEvent.objects.filter(deal=deal).select_related("actor", "deal")[:5],
        "gate": gate_status(
            deal,
            reviews,
            concerns,
            decisions,
            max((t.updated_at for t in terms), default=None),
            last_ungated_entry(changes),
        ),
        "voices": voices(deal, reviews),
        "can_edit": rules.EDIT_DEAL(user, deal),
        "can_edit_terms": rules.EDIT_TERMS(user, deal) and deal.terms_can_change,
        "can_decide": rules.RECORD_DECISION(user, deal),
        # Reading a deal is not having a say in it (see Deal.involves).
        "involved": deal.involves(user),
        "may_raise_concerns": deal.may_raise_concerns(user),
        "advance_form": AdvanceForm(deal=deal),
        "request_form": RequestDecisionForm(),
        "documents": ContractDocument.objects.filter(
            deal=deal, archived_at__isnull=True
        ).select_related("uploaded_by"),
        "document_form": ContractUploadForm(),
        **briefing_context(deal, user),
        **deal_value_context(deal, user),
    }
    context["next_steps"] = next_steps(deal, user, context)
    return context


def next_steps(deal, user, context: dict) -> dict | None:
    """What a new deal needs next (it has no terms, reviews, metrics or business case),
    each offered only to whoever its Rule allows; None once the deal has any of them."""
    if context["terms"] or context["reviews"] or context["value_metrics"]:
        return None
    if context["case_latest"]:
        return None
    steps = []
    if context["can_edit_terms"]:
        steps.append(
            {
                "label": "Add the terms",
                "url": reverse("term_create", args=[deal.pk]),
                "why": "Price, liability cap, SLA, data protection…, each owned by a department.",
            }
        )
    if context["can_edit_value"]:
        steps.append(
            {
                "label": "Write the business case",
                "url": reverse("business_case_edit", args=[deal.pk]),
                "why": "Money by year and the assumptions behind it, for Finance to sign off.",
            }
        )
        steps.append(
            {
                "label": "Add outcome metrics",
                "url": reverse("metric_create", args=[deal.pk]),
                "why": "A baseline, a target and a date for each result the deal promises.",
            }
        )
    if rules.MOVE_DEAL(user, deal) and deal.allowed_moves:
        steps.append(
            {
                "label": "Move it towards review",
                "url": "#stage-panel",
                "why": "The departments are asked to sign off when the deal enters Review.",
            }
        )
    return {"actions": steps}
