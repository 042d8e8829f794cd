"""One deal's record as of a moment: what the dossier's files say, read from every app.

`cutoff` is the first instant after the as-of date (midnight that ends it, in the site's
zone). Everything dated at or after it is left out, and the values a later change altered
are put back as they were from the audit trail (`before` of each later change). The
result depends only on what was recorded before the cutoff — never on the clock, who asks,
or what happened since — so the same as-of date gives the same bytes (dossier.archive).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from agreements.models import Agreement, Obligation, Occurrence
from core.audit import AuditAction, snapshot
from core.models import AuditEvent
from deals.diff import word_diff
from deals.models import ContractDocument, Deal, Decision, StageChange, Term
from metrics.models import Assumption, BusinessCase, CaseYear
from stakeholders.models import Concern, ConcernReply, User

# Fields that say when a row last changed, or that are worked out from other rows at the
# time of reading: they would differ for the same as-of date, so they are not exported.
VOLATILE = {"updated_at", "stage_changed_at", "revision_rounds", "weekly_cost_of_delay"}
# For a row kept, the fields that a later moment filled in: blanked when that moment is
# after the cutoff (a concern raised before, resolved after, is shown open).
LATER: dict[type[models.Model], dict[str, list[str]]] = {
    BusinessCase: {"signed_off_at": ["signed_off_by", "sign_off_note"]},
    Assumption: {"outcome_at": ["outcome", "outcome_evidence", "outcome_by"]},
    Concern: {"resolved_at": ["resolution", "resolved_by"]},
    Agreement: {"decided_at": ["decision", "decided_by", "decision_note"]},
    Occurrence: {
        "submitted_at": ["evidence", "evidence_name", "evidence_kind", "evidence_sha256"],
        "reviewed_at": ["reviewed_by", "review_note"],
    },
}
# What the dossier leaves out by rule, whatever the deal: said in the manifest.
RULES_LEFT_OUT = [
    {
        "what": "Everything dated after the as-of date",
        "why": "The dossier is the record as it stood at the end of the as-of date: changes, "
        "verdicts, replies, documents and audit events after it are not in it, and values "
        "changed later are shown as they were (from the audit trail's before-values).",
    },
    {
        "what": "Audit events of dossier exports",
        "why": "Each export is audited; listing exports in the dossier would make every "
        "export of the same date differ from the last.",
    },
    {
        "what": "Deal fields " + ", ".join(sorted(VOLATILE)),
        "why": "Times of the last change and figures worked out when read: they are not "
        "the record as of the date.",
    },
]


def cutoff_of(as_of: dt.date) -> dt.datetime:
    """The first instant after the as-of date, in the site's zone."""
    zone = timezone.get_default_timezone()
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def plain(value: Any) -> Any:
    """A field's value as JSON keeps it, the same way every time."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if value is None or isinstance(value, bool | int | str | float):
        return value
    return str(value)


def row(instance: models.Model, cutoff: dt.datetime) -> dict[str, Any]:
    """Every stored field of a row, those filled in after the cutoff blanked."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in VOLATILE:
            continue
        data[field.name] = plain(getattr(instance, field.attname))
    for moment, fields in LATER.get(type(instance), {}).items():
        at = getattr(instance, moment)
        if at is not None and at >= cutoff:
            data[moment] = None
            for name in fields:
                default = instance._meta.get_field(name).get_default()
                data[name] = None if name.endswith("_by") else plain(default)
    return data


def rewound(instance: models.Model, events: list[AuditEvent], cutoff: dt.datetime) -> dict:
    """A row's fields as they were at the cutoff: its current values, with the before-
    values of each audited change after the cutoff put back, newest first."""
    values = {name: plain(value) for name, value in snapshot(instance).items()}
    label = instance._meta.label_lower
    later = [
        e
        for e in events
        if e.object_type == label and e.object_id == str(instance.pk) and e.at >= cutoff
    ]
    for event in sorted(later, key=lambda e: (e.at, e.pk), reverse=True):
        for name, value in (event.before or {}).items():
            if name in values:
                values[name] = value
    return {name: value for name, value in values.items() if name not in VOLATILE}


def _people(deal: Deal, events: list[AuditEvent]) -> list[dict]:
    """Who the record's ids name: the owner, the sponsor and everyone who acted."""
    ids = {deal.owner_id, deal.sponsor_id} | {e.actor_id for e in events if e.actor_id}
    return [
        {"id": u.pk, "name": u.display_name, "email": u.email}
        for u in User.objects.filter(pk__in=ids).order_by("pk")
    ]


REVIEW_WHAT = {
    AuditAction.REVIEW_REQUESTED: "requested",
    AuditAction.VERDICT_GIVEN: "verdict",
    AuditAction.REVIEW_REOPENED: "reset (re-opened)",
}


def review_rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Requests, verdicts and resets in order: the sign-offs' whole history."""
    rows = []
    for e in events:
        if e.action not in REVIEW_WHAT:
            continue
        after = e.after or {}
        rows.append(
            {
                "at": plain(e.at),
                "review": e.object_id,
                "department": after.get("department", ""),
                "what": REVIEW_WHAT[e.action],
                "status": after.get("status", ""),
                "by": e.actor.display_name if e.actor else "Deal Desk",
                "text": after.get("text") or after.get("reason") or "",
                "channel": after.get("channel", ""),
                "round": after.get("round", ""),
            }
        )
    return rows


def read(deal: Deal, as_of: dt.date) -> dict[str, Any]:
    """The whole record of `deal` as of the end of `as_of`."""
    cutoff = cutoff_of(as_of)
    before = {"at__lt": cutoff}
    deal = Deal.objects.select_related("partnership__partner", "owner", "sponsor").get(pk=deal.pk)
    events = list(
        AuditEvent.objects.filter(deal=deal)
        .exclude(action=AuditAction.DOSSIER_EXPORTED)
        .select_related("actor")
        .order_by("at", "pk")
    )
    kept_events = [e for e in events if e.at < cutoff]

    changes = list(StageChange.objects.filter(deal=deal, **before).order_by("at", "pk"))
    deal_data = rewound(deal, events, cutoff)
    deal_data["stage"] = changes[-1].to_stage if changes else deal_data.get("stage")
    deal_data["partner"] = deal.partnership.partner.name
    if deal.created_at >= cutoff:
        deal_data = {"id": deal.pk, "not_yet_created": True}

    terms = []
    for term in Term.objects.filter(deal=deal, created_at__lt=cutoff).order_by("pk"):
        revisions = list(term.revisions.filter(**before).order_by("number"))
        data = rewound(term, events, cutoff)
        if revisions:
            data["wording"] = revisions[-1].new_wording
            data["version"] = revisions[-1].number
        data["revisions"] = [
            {
                **row(revision, cutoff),
                "diff_html": str(word_diff(revision.old_wording, revision.new_wording)),
            }
            for revision in revisions
        ]
        terms.append(data)

    cases = []
    for case in BusinessCase.objects.filter(deal=deal, created_at__lt=cutoff).order_by("version"):
        data = row(case, cutoff)
        data["years"] = [row(y, cutoff) for y in CaseYear.objects.filter(business_case=case)]
        data["assumptions"] = [
            row(a, cutoff) for a in Assumption.objects.filter(business_case=case).order_by("pk")
        ]
        cases.append(data)

    concerns = []
    for concern in Concern.objects.filter(deal=deal, raised_at__lt=cutoff).order_by("pk"):
        data = row(concern, cutoff)
        data["replies"] = [
            row(reply, cutoff)
            for reply in ConcernReply.objects.filter(concern=concern, **before).order_by("at", "pk")
        ]
        concerns.append(data)

    agreement = Agreement.objects.filter(deal=deal, created_at__lt=cutoff).first()
    agreement_data = None
    if agreement is not None:
        agreement_data = rewound(agreement, events, cutoff)
        agreement_data["obligations"] = []
        for obligation in Obligation.objects.filter(
            agreement=agreement, created_at__lt=cutoff
        ).order_by("pk"):
            data = row(obligation, cutoff)
            data["occurrences"] = [
                row(o, cutoff)
                for o in Occurrence.objects.filter(
                    obligation=obligation, created_at__lt=cutoff
                ).order_by("due_on", "pk")
            ]
            agreement_data["obligations"].append(data)

    return {
        "deal": deal,
        "as_of": as_of,
        "cutoff": cutoff,
        "people": _people(deal, kept_events),
        "deal_data": deal_data,
        "stage_changes": [row(c, cutoff) for c in changes],
        "terms": terms,
        "cases": cases,
        "reviews": review_rows(kept_events),
        "decisions": [
            row(d, cutoff)
            for d in Decision.objects.filter(deal=deal, decided_at__lt=cutoff).order_by(
                "decided_at", "pk"
            )
        ],
        "concerns": concerns,
        "documents": list(
            ContractDocument.objects.filter(deal=deal, uploaded_at__lt=cutoff).order_by(
                "uploaded_at", "pk"
            )
        ),
        "agreement": agreement_data,
        "events": kept_events,
    }
