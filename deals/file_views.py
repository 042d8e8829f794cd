"""The deal's files: contract documents (upload, download) and briefing packs (queue,
poll, download). Every file is served only through these access-checked views."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from . import rules, services
from .briefing import briefing_context
from .deal_page import deal_page_context
from .documents import ContractUploadForm
from .models import BriefingPack, ContractDocument, PackStatus
from .selectors import get_deal_for_user, get_under_deal_for_user, visible_deals


@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.ATTACH_DOCUMENT.require(request.user, deal)
    form = ContractUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = deal_page_context(request, deal)
        context["document_form"] = form
        return render(request, "deals/deal_detail.html", context, status=422)
    document = services.document_attach(
        deal=deal, user=request.user, upload=form.cleaned_data["file"]
    )
    messages.success(request, f"“{document.original_name}” attached.")
    return redirect(deal)


def document_download(request: HttpRequest, pk: int) -> FileResponse:
    # An archived (replaced or withdrawn) document is gone from the deal: 404, like the page.
    current = ContractDocument.objects.filter(archived_at__isnull=True)
    document = get_under_deal_for_user(current, request.user, pk, "document")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Briefing packs: queued from the deal page, rendered by a worker, downloaded here.


@require_http_methods(["GET", "POST"])
def deal_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    """POST queues a pack; GET is the card that the deal page polls while it renders."""
    deal = get_deal_for_user(request.user, pk)
    if request.method == "POST":
        rules.REQUEST_BRIEFING.require(request.user, deal)
        services.briefing_request(deal=deal, user=request.user)
    if not request.htmx:
        if request.method == "POST":
            messages.success(request, "The briefing pack is being prepared.")
        return redirect(f"{deal.get_absolute_url()}#briefing")
    context = {"deal": deal, **briefing_context(deal, request.user)}
    return render(request, "deals/_briefing_card.html", context)


def briefing_download(request: HttpRequest, pk: int) -> FileResponse:
    pack = (
        BriefingPack.objects.filter(
            deal__in=visible_deals(request.user).values("pk"), status=PackStatus.READY
        )
        .select_related("deal")
        .filter(pk=pk)
        .first()
    )
    if pack is None or not pack.file:
        raise Http404("No briefing pack here, or it is not shared with you.")
    stamp = timezone.localtime(pack.finished_at or pack.requested_at)
    response = FileResponse(
        pack.file.open("rb"),
        as_attachment=True,
        filename=f"briefing-{slugify(pack.deal.title)[:60]}-{stamp:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
