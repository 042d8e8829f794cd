"""The audit trail in plain sentences: one renderer per audit action.

`sentence(event)` reads "Oliver Grant moved the deal from Business case to Review:
“Ready for the departments.”". Values are formatted as the pages format them (stage
labels, money with its currency, dates); ids, internal field names and empty values are
never shown, and a field no renderer knows is left out rather than printed raw.

Rendering uses only the event, its actor and its deal (select_related by the callers):
no query per event.
"""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent
from metrics.models import Outcome
from stakeholders.models import ReviewStatus, Severity

from .activity_contract import CONTRACT_RENDERERS
from .activity_exports import EXPORT_RENDERERS
from .activity_intake import INTAKE_RENDERERS
from .activity_integrations import INTEGRATION_RENDERERS
from .activity_playbooks import PLAYBOOK_RENDERERS
from .activity_values import (
    NOUNS,
    currency_of,
    date_text,
    datetime_text,
    decimal,
    field_changes,
    joined,
    label,
    measure,
    money,
    named,
    number,
    quote,
    said,
)
from .models import DecisionKind, Stage, TermStatus

__all__ = ["RENDERERS", "sentence"]

Renderer = Callable[[AuditEvent], str]
RENDERERS: dict[AuditAction, Renderer] = {}

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def renders(*actions: AuditAction) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        for action in actions:
            RENDERERS[action] = function
        return function

    return register


def sentence(event: AuditEvent) -> str:
    """What happened, said as a person would say it."""
    who = event.actor.display_name if event.actor_id and event.actor else "Deal Desk"
    try:
        renderer = RENDERERS[AuditAction(event.action)]
    except (ValueError, KeyError):
        return f"{who} made a change."
    return f"{who} {renderer(event)}"


# --- One renderer per action --------------------------------------------------------------


def _case_figures(event: AuditEvent) -> str:
    after = event.after
    figures = []
    if decimal(after.get("npv")) is not None:
        figures.append(f"net present value {money(after['npv'], currency_of(event))}")
    if number(after.get("payback_months")):
        figures.append(f"payback in {after['payback_months']} months")
    return f" ({', '.join(figures)})" if figures else ""


def _case(event: AuditEvent) -> str:
    version = event.after.get("version")
    return f"version {version} of the business case" if number(version) else "the business case"


OBJECT_CREATED: dict[str, Renderer] = {
    "deals.deal": lambda e: f"created {named(e, 'the deal', 'title')}.",
    "metrics.outcomemetric": lambda e: f"added {named(e, 'the outcome metric', 'name')}.",
    "metrics.journeystage": lambda e: f"added {named(e, 'the journey stage', 'name')}.",
    "metrics.businesscase": lambda e: said(
        f"wrote {_case(e)}{_case_figures(e)}", e.after.get("note")
    ),
    "partnerships.partner": lambda e: f"added {named(e, 'the partner', 'name')}.",
    "partnerships.partnership": lambda e: f"added {named(e, 'the partnership', 'title')}.",
}


@renders(AuditAction.CREATED)
def created(event: AuditEvent) -> str:
    render = OBJECT_CREATED.get(event.object_type)
    return render(event) if render else f"added {NOUNS.get(event.object_type, 'something')}."


@renders(AuditAction.EDITED)
def edited(event: AuditEvent) -> str:
    if event.object_type == "metrics.businesscase":
        return said(f"revised {_case(event)}{_case_figures(event)}", event.after.get("note"))
    names = {
        "metrics.outcomemetric": ("the outcome metric", "name"),
        "metrics.journeystage": ("the journey stage", "name"),
        "partnerships.partner": ("the partner", "name"),
        "partnerships.partnership": ("the partnership", "title"),
    }
    noun = NOUNS.get(event.object_type, "something")
    if event.object_type in names:
        noun = named(event, *names[event.object_type])
    if event.object_type == "metrics.checkin":
        noun = "a check-in"
        parts = field_changes(event)
        return f"corrected {noun}: {joined(parts)}." if parts else f"corrected {noun}."
    parts = field_changes(event)
    if not parts:
        return f"edited {noun}."
    if event.object_type == "deals.deal":
        return f"changed {joined(parts)}."
    return f"changed {noun}: {joined(parts)}."


@renders(AuditAction.DELETED)
def deleted(event: AuditEvent) -> str:
    before = event.before
    if event.object_type == "metrics.checkin":
        when, value = date_text(before.get("date")), measure(before.get("actual"))
        detail = f" of {value} on {when}" if value and when else ""
        return f"removed the check-in{detail}."
    if event.object_type == "metrics.journeystage":
        return f"removed {named(event, 'the journey stage', 'name')}."
    return f"removed {NOUNS.get(event.object_type, 'something')}."


@renders(AuditAction.MOVED)
def moved(event: AuditEvent) -> str:
    if event.object_type == "metrics.journeystage":
        old, new = event.before.get("position"), event.after.get("position")
        if number(old) and number(new):
            return f"moved a journey stage {'up' if new < old else 'down'}."
        return "moved a journey stage."
    old, new = label(Stage, event.before.get("stage")), label(Stage, event.after.get("stage"))
    if old and new:
        predicate = f"moved the deal from {old} to {new}"
    elif new:
        predicate = f"moved the deal to {new}"
    else:
        predicate = "moved the deal"
    return said(predicate, event.after.get("note"))


@renders(AuditAction.ARCHIVED)
def archived(event: AuditEvent) -> str:
    return "archived the deal."


@renders(AuditAction.RESTORED)
def restored(event: AuditEvent) -> str:
    return "restored the deal from the archive."


def _term(event: AuditEvent) -> str:
    title = event.after.get("title") or event.before.get("title")
    return f"the term {quote(title)}" if title else "a term"


@renders(AuditAction.TERM_ADDED)
def term_added(event: AuditEvent) -> str:
    department = event.after.get("department")
    owner = f" for {department}" if isinstance(department, str) and department else ""
    by = event.after.get("amendment")
    owner += f" by {by}" if isinstance(by, str) and by else ""
    return said(f"added {_term(event)}{owner}", event.after.get("wording"))


@renders(AuditAction.TERM_REVISED)
def term_revised(event: AuditEvent) -> str:
    before, after = event.before, event.after
    old, new = label(TermStatus, before.get("status")), label(TermStatus, after.get("status"))
    reworded = "wording" in after and before.get("wording") != after.get("wording")
    if new == TermStatus.WITHDRAWN.label and old != new:
        predicate = f"withdrew {_term(event)}"
    elif old == TermStatus.WITHDRAWN.label and new and old != new:
        predicate = f"restored {_term(event)} as {new}"
    elif old and new and old != new:
        verb = "revised and marked" if reworded else "marked"
        predicate = f"{verb} {_term(event)} {new} (was {old})"
    else:
        predicate = f"revised the wording of {_term(event)}"
    return said(predicate, after.get("note"))


@renders(AuditAction.TERM_REMOVED)
def term_removed(event: AuditEvent) -> str:
    return f"removed {_term(event)}."


@renders(AuditAction.DECISION_RECORDED)
def decision_recorded(event: AuditEvent) -> str:
    after = event.after
    kind = label(DecisionKind, after.get("kind"))
    title = quote(after.get("title"))
    predicate = f"recorded the decision {title}" if title else "recorded a decision"
    if kind:
        predicate += f" ({kind.lower()})"
    if after.get("overrules_gate") is True:
        predicate += ", overruling the sign-off gate"
    return said(predicate, after.get("rationale"))


@renders(AuditAction.DECISION_REQUESTED)
def decision_requested(event: AuditEvent) -> str:
    return said("asked the sponsor to decide", event.after.get("note"))


@renders(AuditAction.DOCUMENT_ATTACHED)
def document_attached(event: AuditEvent) -> str:
    name = quote(event.after.get("name"))
    return f"attached the contract document {name}." if name else "attached a contract document."


@renders(AuditAction.BRIEFING_REQUESTED)
def briefing_requested(event: AuditEvent) -> str:
    return "asked for a briefing pack."


def _department(event: AuditEvent, *, possessive: bool = True) -> str:
    name = event.after.get("department") or event.before.get("department")
    if not isinstance(name, str) or not name:
        return "a review" if possessive else "the department"
    return f"{name}'s review" if possessive else name


@renders(AuditAction.REVIEW_REQUESTED)
def review_requested(event: AuditEvent) -> str:
    department = _department(event, possessive=False)
    due = date_text(event.after.get("due_on"))
    predicate = f"asked {department} to review the deal" + (f" by {due}" if due else "")
    why = event.after.get("because")
    if isinstance(why, str) and why and why != "every deal":
        predicate += f" because {why}"
    reason = event.after.get("reason")
    return f"{predicate} ({reason})." if isinstance(reason, str) and reason else f"{predicate}."


@renders(AuditAction.REVIEW_REOPENED)
def review_reopened(event: AuditEvent) -> str:
    round_ = event.after.get("round")
    predicate = f"re-opened {_department(event)}"
    if number(round_):
        predicate += f" for round {round_}"
    reason = event.after.get("reason")
    return f"{predicate} ({reason})." if isinstance(reason, str) and reason else f"{predicate}."


VERDICT_PHRASES = {
    ReviewStatus.APPROVED: "approved the deal",
    ReviewStatus.APPROVED_WITH_CONDITIONS: "approved the deal with conditions",
    ReviewStatus.CHANGES_REQUESTED: "requested changes",
    ReviewStatus.REJECTED: "rejected the deal",
}


@renders(AuditAction.VERDICT_GIVEN)
def verdict_given(event: AuditEvent) -> str:
    try:
        phrase = VERDICT_PHRASES[ReviewStatus(event.after.get("status"))]
    except (ValueError, KeyError):
        phrase = "gave a verdict"
    department = event.after.get("department")
    if isinstance(department, str) and department:
        phrase += f" for {department}"
    phrase += {"email": " by email", "api": " through the API"}.get(event.after.get("channel"), "")
    return said(phrase, event.after.get("text"))


@renders(AuditAction.REVIEW_REASSIGNED)
def review_reassigned(event: AuditEvent) -> str:
    reviewer = event.after.get("reviewer")
    to = reviewer if isinstance(reviewer, str) and reviewer else "anyone in the department"
    return f"assigned {_department(event)} to {to}."


@renders(AuditAction.COMMENTED)
def commented(event: AuditEvent) -> str:
    return said(f"commented on {_department(event)}", event.after.get("body"))


def _concern(event: AuditEvent) -> str:
    title = event.after.get("concern") or event.after.get("title")
    return f"the concern {quote(title)}" if isinstance(title, str) and title else "a concern"


@renders(AuditAction.CONCERN_RAISED)
def concern_raised(event: AuditEvent) -> str:
    after = event.after
    severity = label(Severity, after.get("severity")).lower()
    predicate = "raised a blocking concern" if after.get("blocking") is True else "raised a concern"
    if severity:
        predicate += f" of {severity} severity"
    title = quote(after.get("title"))
    return f"{predicate}: {title}" if title else f"{predicate}."


@renders(AuditAction.CONCERN_REPLY)
def concern_reply(event: AuditEvent) -> str:
    return said(f"replied to {_concern(event)}", event.after.get("body"))


@renders(AuditAction.CONCERN_RESOLVED)
def concern_resolved(event: AuditEvent) -> str:
    return said(f"resolved {_concern(event)}", event.after.get("resolution"))


def _session(event: AuditEvent) -> str:
    title = event.after.get("title")
    return f"the working session {quote(title)}" if title else "a working session"


@renders(AuditAction.SESSION_SCHEDULED)
def session_scheduled(event: AuditEvent) -> str:
    after = event.after
    predicate = f"scheduled {_session(event)}"
    when = datetime_text(after.get("starts_at"))
    if when:
        predicate += f" for {when}"
    departments = [d for d in after.get("departments") or [] if isinstance(d, str)]
    if departments:
        predicate += f" with {joined(departments)}"
    return f"{predicate}."


@renders(AuditAction.SESSION_RECORDED)
def session_recorded(event: AuditEvent) -> str:
    attendees = event.after.get("attendees") or []
    predicate = f"recorded the outcomes of {_session(event)}"
    if attendees:
        predicate += f" ({len(attendees)} attended)"
    return said(predicate, event.after.get("outcomes"))


@renders(AuditAction.SESSION_RESCHEDULED)
def session_rescheduled(event: AuditEvent) -> str:
    before, after = event.before, event.after
    if before.get("starts_at") != after.get("starts_at") and datetime_text(after.get("starts_at")):
        return f"moved {_session(event)} to {datetime_text(after.get('starts_at'))}."
    return f"changed the place, length or agenda of {_session(event)}."


@renders(AuditAction.SESSION_CANCELLED)
def session_cancelled(event: AuditEvent) -> str:
    return f"cancelled {_session(event)}."


@renders(AuditAction.EVENT_SETTINGS)
def event_settings(event: AuditEvent) -> str:
    return "changed how they hear of what happens on their deals and reviews."


@renders(AuditAction.UNSUBSCRIBED)
def unsubscribed(event: AuditEvent) -> str:
    if event.after.get("kind") in (None, "digest"):
        return "stopped the weekly digest from the link in its email."
    return "stopped one kind of notification email from the link in it."


@renders(AuditAction.CALENDAR_ADDRESS_REPLACED)
def calendar_address_replaced(event: AuditEvent) -> str:
    return "replaced their calendar address; the old one no longer works."


@renders(AuditAction.DIGEST_SETTINGS)
def digest_settings(event: AuditEvent) -> str:
    after = event.after
    if after.get("subscribed") is False:
        return "turned the weekly digest off."
    weekday = after.get("weekday")
    day = WEEKDAYS[weekday] if number(weekday) and 0 <= weekday < 7 else ""
    return f"chose the weekly digest on {day}." if day else "chose to get the weekly digest."


@renders(AuditAction.CHECKED_IN)
def checked_in(event: AuditEvent) -> str:
    after = event.after
    metric = after.get("metric_name")
    predicate = "recorded a check-in"
    if isinstance(metric, str) and metric:
        predicate += f" of {quote(metric)}"
    value, when = measure(after.get("actual")), date_text(after.get("date"))
    if value:
        predicate += f": {value}"
    if when:
        predicate += f" on {when}"
    note = quote(after.get("note"))
    return f"{predicate} ({note})." if note else f"{predicate}."


@renders(AuditAction.SIGNED_OFF)
def signed_off(event: AuditEvent) -> str:
    return said(f"signed off {_case(event)}{_case_figures(event)}", event.after.get("note"))


@renders(AuditAction.ASSESSED)
def assessed(event: AuditEvent) -> str:
    outcome = label(Outcome, event.after.get("outcome")).lower()
    predicate = f"judged that an assumption {outcome}" if outcome else "judged an assumption"
    return said(predicate, event.after.get("outcome_evidence"))


RENDERERS.update(CONTRACT_RENDERERS)
RENDERERS.update(EXPORT_RENDERERS)
RENDERERS.update(INTEGRATION_RENDERERS)
RENDERERS.update(INTAKE_RENDERERS)
RENDERERS.update(PLAYBOOK_RENDERERS)
