"""The sign-off rules, in one place: who must sign off, what a verdict covers, and
the gate that holds a deal until they have.

- Routing: the review rules say which departments must sign off a deal *today*;
  a department that becomes required while the deal is under review is asked at
  once (the late-required top-up).
- The stamp: a verdict covers only the wording its reviewer saw. The review page
  carries a stamp of the department's terms (id:version each); a verdict on a
  stale stamp is refused, and any change to a department's wording (a term added,
  revised, withdrawn or restored) re-opens that department's review, through
  `wording_changed`.
- The gate: a deal moves into Approved, Signed or Live only when every required
  department's latest verdict is an approval and no blocking concern is open —
  or the sponsor recorded a decision that overrules, on the deal as it was (the
  decision form's stamp), since the deal last came up to the gate and after its
  wording last changed.
- Registered holds: an app above this one adds its own rule to the gate with
  `register_gate_check` (playbooks: a fallback waits for its approver, a walk-away for
  the sponsor's decision), asked on every move into a gated stage without this module
  importing it.

Every writer here runs under the deal's row lock (Deal.objects.lock), so none of
them acts on what another is changing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from core.audit import AuditAction, audit_record
from core.parsing import ascii_int
from deals.models import Deal, Decision, Stage, StageChange, Term
from metrics.models import BusinessCase

from .models import (
    APPROVALS,
    Concern,
    Department,
    Review,
    ReviewRule,
    ReviewStatus,
    RuleCondition,
)

# Stages in which the departments' reviews are live: a department that becomes
# required here (value raised, business case added, partner now handles customer
# data, a new rule) is asked at once, not only when the deal next enters review.
REVIEWING_STAGES = (Stage.REVIEW, Stage.NEGOTIATION)

# Moving into these stages needs the gate open: every path, not only the first.
GATED_STAGES = (Stage.APPROVED, Stage.SIGNED, Stage.LIVE)


# The stamp: what a reviewer saw of their department's terms.


class TermsChanged(Exception):
    """The department's terms changed after the reviewer loaded them; carries what changed."""

    def __init__(self, review: Review, changed_terms: list[Term], stamp: str):
        super().__init__("The terms changed since this review was opened.")
        self.review = review
        self.changed_terms = changed_terms
        # The stamp of the terms as read under the lock: what a panel showing
        # `changed_terms` may offer a verdict on, and nothing newer.
        self.stamp = stamp


def terms_stamp(terms: Iterable[Term]) -> str:
    """What a reviewer saw of their department's terms: each term's id and version."""
    return ",".join(f"{term.pk}:{term.version}" for term in sorted(terms, key=lambda t: t.pk))


def parse_stamp(seen: str) -> dict[int, int] | None:
    """{term id: version} from a stamp, or None when it is not one (a forged or
    mangled field): only ASCII digits count, so '²' or '①' are refused, not a 500."""
    versions: dict[int, int] = {}
    for part in filter(None, seen.split(",")):
        pk, _, version = part.partition(":")
        pk_number, version_number = ascii_int(pk), ascii_int(version)
        if pk_number is None or version_number is None:
            return None
        versions[pk_number] = version_number
    return versions


def deal_stamp(deal: Deal) -> str:
    """What the sponsor saw of the deal when deciding: its stage and every term's version.
    An overrule covers that, and nothing that changed after (see decision_record)."""
    return f"{deal.stage};{terms_stamp(Term.objects.filter(deal=deal).only('pk', 'version'))}"


def department_terms(review: Review):
    return Term.objects.filter(deal_id=review.deal_id, department_id=review.department_id)


def current_terms_stamp(review: Review) -> str:
    return terms_stamp(department_terms(review).only("pk", "version"))


def check_stamp(review: Review, seen: str) -> None:
    """Raise TermsChanged when the department's terms differ from the stamp `seen`.
    Call under the deal's lock: term edits take the same lock."""
    versions = parse_stamp(seen) or {}
    terms = list(department_terms(review).select_related("updated_by").order_by("pk"))
    changed = [term for term in terms if versions.get(term.pk) != term.version]
    gone = set(versions) - {term.pk for term in terms}
    if changed or gone:
        raise TermsChanged(review, changed, terms_stamp(terms))


@transaction.atomic
def wording_changed(*, deal: Deal, department_id: int, user, reason: str) -> bool:
    """The one path for any change to a department's wording: a verdict given on the
    old wording no longer covers it, so that review is re-opened (a new round).
    True when a review was re-opened."""
    Deal.objects.lock(deal.pk)
    review = deal.reviews.filter(department_id=department_id).select_related("department").first()
    if review is None or review.status == ReviewStatus.PENDING or review.not_needed_at:
        return False  # nothing given yet: the reviewer's stamp shows the change
    # Counted once per re-opened review, under the deal's lock.
    Deal.objects.filter(pk=deal.pk).update(revision_rounds=F("revision_rounds") + 1)
    review_reopen(review=review, user=user, reason=reason)
    return True


# Routing: which departments must sign off, asked when they become required.


def deal_answers(deal: Deal) -> dict:
    """The answers the deal came in with: intake.IntakeRequest, the deal's reverse
    one-to-one `intake_request` (read by name, so this app never imports intake)."""
    request = getattr(deal, "intake_request", None) if deal.pk else None
    return getattr(request, "answers", None) or {}


def routing(
    deal: Deal, *, answers: dict | None = None, has_business_case: bool | None = None
) -> dict[Department, list[str]]:
    """Each department the review rules require for this deal today, with why (a rule's
    `because`), in name order. The deal may be unsaved (intake's preview): pass
    `answers` and `has_business_case` then; otherwise they are read from the deal."""
    rules = list(ReviewRule.objects.filter(active=True).select_related("department"))
    if has_business_case is None:
        has_business_case = bool(deal.pk) and BusinessCase.objects.filter(deal=deal).exists()
    if answers is None and any(rule.condition == RuleCondition.ANSWER for rule in rules):
        answers = deal_answers(deal)
    found: dict[Department, list[str]] = {}
    for rule in rules:
        if rule.applies_to(deal, has_business_case=has_business_case, answers=answers):
            reasons = found.setdefault(rule.department, [])
            if rule.because() not in reasons:
                reasons.append(rule.because())
    return dict(sorted(found.items(), key=lambda item: item[0].name))


def because(reasons: list[str]) -> str:
    """What a review stores as its reason: 'handles personal data = yes; value > 1,000'."""
    return "; ".join(reasons)


def routing_summary(routes: dict[Department, list[str]]) -> str:
    """'Legal, Procurement and Security will review; Finance because value > 1,000,000.'"""
    plain = [d.name for d, reasons in routes.items() if "every deal" in reasons]
    special = [(d.name, because(r)) for d, r in routes.items() if "every deal" not in r]
    if not plain and not special:
        return "No department needs to review this under the current rules."

    def listed(names: list[str]) -> str:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    parts = [f"{listed(plain)} will review"] if plain else []
    for n, (name, reason) in enumerate(special):
        lead = f"{name} will review because" if not plain and n == 0 else f"{name} because"
        parts.append(f"{lead} {reason}")
    return "; ".join(parts) + "."


def required_departments(deal: Deal) -> list[Department]:
    """The departments whose sign-off the review rules require for this deal today."""
    return list(routing(deal))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _due(department: Department) -> dt.date:
    return add_working_days(timezone.localdate(), department.review_sla_days)


def _request_review(
    deal: Deal, department: Department, *, user, reason: str = "", why: str = ""
) -> Review:
    due = _due(department)
    review = Review.objects.create(deal=deal, department=department, due_on=due, reason=why)
    after = {"department": department.name, "due_on": due.isoformat()}
    if reason:
        after["reason"] = reason
    if why:
        after["because"] = why
    audit_record(
        actor=user, action=AuditAction.REVIEW_REQUESTED, instance=review, after=after, deal=deal
    )
    return review


def reviews_route(*, deal: Deal, user) -> list[Review]:
    """Create the required reviews for a deal entering review; re-open refused ones.

    Called inside deal_advance's transaction. Approvals from an earlier round stay:
    any wording change since re-opened them already (wording_changed).
    """
    existing = {review.department_id: review for review in deal.reviews.all()}
    created = []
    for department, reasons in routing(deal).items():
        review = existing.get(department.pk)
        if review is None:
            created.append(_request_review(deal, department, user=user, why=because(reasons)))
        elif review.not_needed_at is not None:
            review.not_needed_at, review.reason = None, because(reasons)
            _reopen(review, user=user, reason="Needed again")
        elif review.status in (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.REJECTED):
            _reopen(review, user=user, reason="Deal back in review")
    return created


@transaction.atomic
def reviews_top_up(*, deal: Deal, user, reason: str) -> list[Review]:
    """Request the reviews that the rules now require but nobody was asked for."""
    # Under the deal's lock, as every other writer of its reviews: the stage is read
    # fresh (not moving to Approved meanwhile) and no two top-ups add the same review.
    locked = Deal.objects.lock(deal.pk)
    if locked.stage not in REVIEWING_STAGES or locked.archived_at is not None:
        return []
    existing = {review.department_id: review for review in locked.reviews.all()}
    asked = []
    for department, reasons in routing(locked).items():
        review = existing.get(department.pk)
        if review is None:
            asked.append(
                _request_review(locked, department, user=user, reason=reason, why=because(reasons))
            )
        elif review.not_needed_at is not None:  # marked not needed, and needed again
            review.not_needed_at, review.reason = None, because(reasons)
            review.department = department
            _reopen(review, user=user, reason=reason)
            asked.append(review)
    return asked


@transaction.atomic
def reviews_reroute(*, deal: Deal, user, reason: str) -> dict[str, list[str]]:
    """Route the deal again after what the rules read changed (an intake answer).

    Only the departments whose routing changed are touched: a review the rules no longer
    ask for is marked not needed (kept, with its verdict, out of the gate); one needed
    again, or needed for another reason, is re-opened (its verdict no longer covers the
    deal as it is); a department newly required is asked, if the deal is under review.
    Every other review, and its verdict, stays as it is. Returns department names.
    """
    locked = Deal.objects.lock(deal.pk)
    routes = {
        department.pk: (department, reasons) for department, reasons in routing(locked).items()
    }
    done: dict[str, list[str]] = {"not_needed": [], "reopened": [], "requested": []}
    for review in locked.reviews.select_related("department").order_by("pk"):
        route = routes.pop(review.department_id, None)
        if route is None:
            if review.not_needed_at is None:
                _mark_not_needed(review, user=user, reason=reason)
                done["not_needed"].append(review.department.name)
            continue
        why = because(route[1])
        if review.not_needed_at is not None:
            review.not_needed_at, review.reason = None, why
            _reopen(review, user=user, reason=f"{reason}: needed again because {why}")
            done["reopened"].append(review.department.name)
        elif review.reason != why:
            # A review from before reasons were kept has none: it is given one, not reset.
            basis_changed = bool(review.reason) and review.has_verdict
            review.reason = why
            if basis_changed:
                _reopen(review, user=user, reason=f"{reason}: now because {why}")
                done["reopened"].append(review.department.name)
            else:
                review.save(update_fields=["reason"])
    if locked.stage in REVIEWING_STAGES and locked.archived_at is None:
        for department, reasons in routes.values():
            _request_review(locked, department, user=user, reason=reason, why=because(reasons))
            done["requested"].append(department.name)
    return done


def _mark_not_needed(review: Review, *, user, reason: str) -> None:
    review.not_needed_at = timezone.now()
    review.save(update_fields=["not_needed_at"])
    audit_record(
        actor=user,
        action=AuditAction.REVIEW_NOT_NEEDED,
        instance=review,
        before={"reason": review.reason},
        after={"department": review.department.name, "note": reason},
        deal=review.deal,
    )


def reviews_top_up_many(*, deals, user, reason: str) -> int:
    """reviews_top_up for every live deal of a queryset (a partner or rule changed)."""
    count = 0
    live = deals.filter(stage__in=REVIEWING_STAGES, archived_at__isnull=True)
    for deal in live.select_related("partnership__partner").order_by("pk"):  # lock order
        count += len(reviews_top_up(deal=deal, user=user, reason=reason))
    return count


def _reopen(review: Review, *, user, reason: str) -> None:
    before = {"status": review.status, "round": review.round}
    review.status = ReviewStatus.PENDING
    review.needs_rereview = True
    review.round += 1
    review.decided_by = None
    review.decided_at = None
    review.due_on = _due(review.department)
    review.save()
    audit_record(
        actor=user,
        action=AuditAction.REVIEW_REOPENED,
        instance=review,
        before=before,
        after={
            "status": review.status,
            "round": review.round,
            "reason": reason,
            "department": review.department.name,
        },
        deal=review.deal,
    )


def review_reopen(*, review: Review, user, reason: str) -> None:
    _reopen(review, user=user, reason=reason)


# The gate, and the sponsor's overrule.


@dataclass(frozen=True)
class Hold:
    """Something a registered gate check says still stands before the gate: "approval by
    the department's lead (Legal) of “Liability cap” (within fallback 2)". An overrule
    lets the deal past an overrulable hold, as past a missing sign-off."""

    text: str
    overrulable: bool = True


# Rules of apps above this one that hold the gate as a review does (playbooks registers
# one at ready()): signoff asks them on every move into a gated stage without importing
# them. Each is called under the deal's lock with the locked deal.
GateCheck = Callable[[Deal], list[Hold]]
_gate_checks: list[GateCheck] = []


def register_gate_check(check: GateCheck) -> None:
    """Ask `check(deal)` on every move into Approved, Signed and Live; twice is once."""
    if check not in _gate_checks:
        _gate_checks.append(check)


def gate_holds(deal: Deal) -> list[Hold]:
    return [hold for check in _gate_checks for hold in check(deal)]


def last_ungated_entry(changes: Iterable[StageChange]) -> dt.datetime | None:
    """When the deal last entered a stage before the gate (Negotiation, On hold…), from
    its ordered stage changes. An overrule made there carries it through Approved,
    Signed and Live; moving back below the gate needs a new one."""
    entries = [change.at for change in changes if change.to_stage not in GATED_STAGES]
    return entries[-1] if entries else None


def overrule_covers(
    deal: Deal, decisions: Iterable[Decision], wording_at=None, run_started_at=None
) -> bool:
    """Has the sponsor recorded a decision that overrules the gate for the deal as it
    is now: since the deal last came up to the gate, and after its wording last changed."""
    since = max(filter(None, [run_started_at or deal.stage_changed_at, wording_at]))
    return any(d.overrules_gate and d.decided_at >= since for d in decisions)


def gate_status(
    deal: Deal,
    reviews: list[Review],
    open_concerns: list[Concern],
    decisions: list[Decision],
    wording_at: dt.datetime | None = None,
    run_started_at: dt.datetime | None = None,
) -> dict:
    """What stands between the deal and its next gated stage, from loaded rows (no queries)."""
    reviews = [review for review in reviews if review.not_needed_at is None]
    waiting = [r.department.name for r in reviews if r.status not in APPROVALS]
    blocking = [c for c in open_concerns if c.blocking]
    return {
        "waiting": waiting,
        "blocking": blocking,
        "no_reviews": not reviews,
        "clear": bool(reviews) and not waiting and not blocking,
        "overruled": overrule_covers(deal, decisions, wording_at, run_started_at),
        "rejected": [r.department.name for r in reviews if r.status == ReviewStatus.REJECTED],
    }


def gate_refusal(deal: Deal, to_stage: str = Stage.APPROVED) -> str | None:
    """Why the deal cannot move into `to_stage` yet, or None. Call under the deal's lock."""
    if to_stage not in GATED_STAGES:
        return None
    reviews = list(deal.reviews.select_related("department"))
    wording_at = Term.objects.filter(deal=deal).aggregate(at=Max("updated_at"))["at"]
    entered = (
        StageChange.objects.filter(deal=deal)
        .exclude(to_stage__in=GATED_STAGES)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    gate = gate_status(
        deal,
        reviews,
        list(Concern.objects.blocking().filter(deal=deal)),
        list(deal.decisions.all()),
        wording_at,
        entered,
    )
    holds = gate_holds(deal)
    if gate["overruled"]:
        holds = [hold for hold in holds if not hold.overrulable]
        if not holds:
            return None
        return (
            f"The deal can move to {Stage(to_stage).label} only with "
            + " and ".join(hold.text for hold in holds)
            + ": the sponsor's overrule does not cover it."
        )
    # The rules may require more than was requested when the deal entered review.
    asked = {review.department_id for review in reviews}
    unasked = [d.name for d in required_departments(deal) if d.pk not in asked]
    if gate["clear"] and not unasked and not holds:
        return None
    parts = []
    if gate["no_reviews"] and not unasked:
        parts.append("the departments' reviews (none requested yet)")
    elif gate["waiting"] or unasked:
        parts.append(
            "sign-off from "
            + ", ".join(gate["waiting"] + [f"{name} (not requested yet)" for name in unasked])
        )
    if gate["blocking"]:
        count = len(gate["blocking"])
        parts.append(f"{count} blocking concern{'s' if count > 1 else ''} to be resolved")
    parts += [hold.text for hold in holds]
    label = Stage(to_stage).label
    return (
        f"The deal can move to {label} only when every department has signed off and no "
        f"blocking concern is open. Waiting for {' and '.join(parts)} — or a decision by the "
        "sponsor that overrules."
    )
