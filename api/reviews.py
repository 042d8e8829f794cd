"""My reviews and their verdicts, with the terms stamp as the web form carries it: a
verdict is refused (409) when the department's terms changed since they were read."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest
from ninja import Query, Router

from deals.models import Term
from stakeholders import rules as stakeholder_rules
from stakeholders.models import Review, VerdictChannel
from stakeholders.selectors import get_review_for_user, inbox
from stakeholders.services import VerdictAlreadyGiven, review_give_verdict
from stakeholders.signoff import TermsChanged, current_terms_stamp, terms_stamp

from .auth import require_write
from .pages import ID, READ_ERRORS, WRITE_ERRORS, page
from .problems import Problem
from .schemas import ReviewFilters, ReviewOut, ReviewPage, VerdictIn

router = Router(tags=["reviews"])


def review_data(review: Review, stamp: str) -> dict:
    return {
        "id": review.pk,
        "deal_id": review.deal_id,
        "deal_title": review.deal.title,
        "department": review.department.name,
        "department_id": review.department_id,
        "status": review.status,
        "due_on": review.due_on,
        "verdict_text": review.verdict_text,
        "conditions": review.conditions,
        "decided_at": review.decided_at,
        "terms_stamp": stamp,
    }


@router.get("/reviews", response={200: ReviewPage, **READ_ERRORS}, summary="My reviews")
def review_list(request: HttpRequest, filters: Query[ReviewFilters]):
    """Reviews of my departments (open ones unless a status is asked), soonest due first;
    each with the stamp of its department's terms. Three queries whatever the page."""
    count, rows = page(inbox(request.user, filters.status), filters)
    terms = defaultdict(list)
    for term in Term.objects.filter(deal_id__in={r.deal_id for r in rows}).only(
        "pk", "version", "deal_id", "department_id"
    ):
        terms[term.deal_id, term.department_id].append(term)
    items = [review_data(r, terms_stamp(terms[r.deal_id, r.department_id])) for r in rows]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/reviews/{review_id}", response={200: ReviewOut, **READ_ERRORS})
def review_detail(request: HttpRequest, review_id: int = ID):
    review = get_review_for_user(request.user, review_id)
    return review_data(review, current_terms_stamp(review))


@router.post("/reviews/{review_id}/verdict", response={200: ReviewOut, **WRITE_ERRORS})
def review_verdict(request: HttpRequest, body: VerdictIn, review_id: int = ID):
    """Give the review's verdict for its department, on the terms the stamp names."""
    require_write(request)
    review = get_review_for_user(request.user, review_id)
    stakeholder_rules.GIVE_VERDICT.require(request.user, review)
    try:
        review = review_give_verdict(
            review=review,
            user=request.user,
            verdict=body.verdict,
            text=body.text,
            terms_seen=body.terms_stamp,
            channel=VerdictChannel.API,
        )
    except VerdictAlreadyGiven as first:
        raise Problem(409, str(first), status_now=first.review.status) from None
    except TermsChanged as changed:
        raise Problem(
            409,
            "The department's terms changed since they were read: read them again "
            "and give the verdict with the new stamp.",
            terms_stamp=changed.stamp,
            changed_terms=[term.pk for term in changed.changed_terms],
        ) from None
    return review_data(review, current_terms_stamp(review))
