"""The dossier's card on the deal page (polled while the zip is built) and its download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from deals.selectors import get_deal_for_user

from . import rules
from .forms import DossierForm
from .models import Dossier, DossierStatus
from .selectors import card_context
from .services import dossier_request


def deal_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """POST asks for a dossier; GET is the card the deal page polls while it is built."""
    deal = get_deal_for_user(request.user, pk)
    form = None
    status = 200
    if request.method == "POST":
        rules.EXPORT_DOSSIER.require(request.user, deal)
        form = DossierForm(request.POST)
        if form.is_valid():
            try:
                dossier_request(deal=deal, user=request.user, as_of=form.cleaned_data["as_of"])
            except ValidationError as error:
                form.add_error("as_of", error.messages[0])
        if form.errors:
            status = 422
        else:
            form = None
    if not request.htmx and status == 200:
        if request.method == "POST":
            messages.success(request, "The dossier is being built.")
        return redirect(f"{deal.get_absolute_url()}#dossier")
    context = card_context(deal, request.user, form=form)
    return render(request, "dossier/_card.html", context, status=status)


def dossier_download(request: HttpRequest, pk: int) -> FileResponse:
    """The deal's newest finished dossier. Older ones need no keeping: the same as-of
    date builds the same bytes again."""
    deal = get_deal_for_user(request.user, pk)
    rules.EXPORT_DOSSIER.require(request.user, deal)
    dossier = Dossier.objects.filter(deal=deal, status=DossierStatus.READY).first()
    if dossier is None or not dossier.file:
        raise Http404("No dossier of this deal is ready.")
    response = FileResponse(
        dossier.file.open("rb"),
        as_attachment=True,
        filename=f"dossier-{slugify(deal.title)[:60]}-{dossier.as_of:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
