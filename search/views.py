from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.parsing import ascii_int

from . import selectors
from .forms import SearchForm


def search(request: HttpRequest) -> HttpResponse:
    """Search everything the person may see. Any method reads: a POST answers as a GET."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    kind = request.GET.get("kind", "")
    if kind not in selectors.KINDS:
        kind = ""
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.search(
            request.user,
            form.cleaned_data["q"],
            kind=kind,
            page_number=ascii_int(request.GET.get("page"), low=1) or 1,
        )
    text = form.cleaned_data["q"] if results else ""
    context = {
        "form": form,
        "results": results,
        "kind": kind,
        "per_group": selectors.PER_GROUP,
        # For the links: the search itself, with and without its kind.
        "q_query": urlencode({"q": text}),
        "query": urlencode({"q": text, "kind": kind}) if kind else urlencode({"q": text}),
    }
    return render(request, "search/results.html", context)
