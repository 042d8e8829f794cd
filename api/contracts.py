"""The signed contract: agreements and the renewals ahead, read through agreements'
selectors (an agreement is seen by whoever may see its deal)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router

from agreements.models import Agreement
from agreements.selectors import get_agreement_for_user, renewals
from deals.selectors import get_deal_for_user

from .pages import ID, READ_ERRORS
from .schemas import AgreementOut, RenewalsOut

router = Router(tags=["agreements"])


@router.get("/agreements/{agreement_id}", response={200: AgreementOut, **READ_ERRORS})
def agreement_detail(request: HttpRequest, agreement_id: int = ID):
    return get_agreement_for_user(request.user, agreement_id)


@router.get("/deals/{deal_id}/agreement", response={200: AgreementOut, **READ_ERRORS})
def deal_agreement(request: HttpRequest, deal_id: int = ID):
    deal = get_deal_for_user(request.user, deal_id)
    agreement = Agreement.objects.filter(deal=deal).first()
    if agreement is None:
        raise Http404("This deal has no agreement: it is not signed.")
    return agreement


@router.get("/renewals", response={200: RenewalsOut, **READ_ERRORS})
def renewal_list(request: HttpRequest):
    """Notice deadlines ahead (by band, as the Renewals page) and those missed."""
    found = renewals(request.user)
    upcoming = [
        {**row.__dict__, "band": band["key"]} for band in found["bands"] for row in band["rows"]
    ]
    missed = [{**row.__dict__, "band": "missed"} for row in found["missed"]]
    return {"missed": missed, "upcoming": upcoming}
