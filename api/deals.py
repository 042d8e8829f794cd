"""Deals, their terms and concerns: read as the pages read them (visible_deals,
get_deal_for_user), concerns raised through stakeholders.services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from deals.forms import DealFilterForm
from deals.models import Deal
from deals.selectors import get_deal_for_user, visible_deals
from stakeholders import rules as stakeholder_rules
from stakeholders.services import concern_raise

from .auth import require_write
from .pages import ID, READ_ERRORS, WRITE_ERRORS, page, person
from .schemas import ConcernIn, ConcernOut, DealDetailOut, DealFilters, DealPage, TermOut

router = Router(tags=["deals"])


def deal_data(deal: Deal) -> dict:
    partner = deal.partnership.partner
    return {
        "id": deal.pk,
        "title": deal.title,
        "stage": deal.stage,
        "partner": {"id": partner.pk, "name": partner.name, "kind": partner.kind},
        "owner": person(deal.owner),
        "sponsor": person(deal.sponsor),
        "contract_value": deal.contract_value,
        "currency": deal.currency,
        "confidential": deal.confidential,
        "target_signature_date": deal.target_signature_date,
        "stage_changed_at": deal.stage_changed_at,
        "archived": deal.archived_at is not None,
        "updated_at": deal.updated_at,
    }


@router.get("/deals", response={200: DealPage, **READ_ERRORS}, summary="Deals one may see")
def deal_list(request: HttpRequest, filters: Query[DealFilters]):
    """Current deals, filtered as the dashboard's table filters them; 1 + 1 queries."""
    form = DealFilterForm(
        {
            "q": filters.q or "",
            "stage": filters.stage or "",
            "kind": filters.partner_kind or "",
            "show": "all",
        }
    )
    deals = form.filter(visible_deals(request.user)).select_related(
        "partnership__partner", "owner", "sponsor"
    )
    count, rows = page(deals, filters)
    items = [deal_data(deal) for deal in rows]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/deals/{deal_id}", response={200: DealDetailOut, **READ_ERRORS})
def deal_detail(request: HttpRequest, deal_id: int = ID):
    deal = get_deal_for_user(request.user, deal_id)
    return {
        **deal_data(deal),
        "summary": deal.summary,
        "expected_annual_value": deal.expected_annual_value,
        "term_months": deal.term_months,
        "revision_rounds": deal.revision_rounds,
        "weekly_cost_of_delay": deal.weekly_cost_of_delay,
    }


@router.get("/deals/{deal_id}/terms", response={200: list[TermOut], **READ_ERRORS})
def term_list(request: HttpRequest, deal_id: int = ID):
    deal = get_deal_for_user(request.user, deal_id)
    return list(deal.terms.order_by("pk"))


@router.get("/deals/{deal_id}/concerns", response={200: list[ConcernOut], **READ_ERRORS})
def concern_list(request: HttpRequest, deal_id: int = ID):
    deal = get_deal_for_user(request.user, deal_id)
    return list(deal.concerns.order_by("-raised_at", "-pk"))


@router.post("/deals/{deal_id}/concerns", response={201: ConcernOut, **WRITE_ERRORS})
def concern_create(request: HttpRequest, body: ConcernIn, deal_id: int = ID):
    require_write(request)
    deal = get_deal_for_user(request.user, deal_id)
    stakeholder_rules.RAISE_CONCERN.require(request.user, deal)
    concern = concern_raise(deal=deal, user=request.user, data=body.dict())
    return Status(201, concern)
