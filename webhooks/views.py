"""Administrators' pages: the endpoints (register one: its secret is shown once), each
endpoint's delivery log with "redeliver", and disabling by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import rules
from .disabling import endpoint_disable
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .services import delivery_redeliver, endpoint_create

LOG_ROWS = 100


def endpoint_list(request: HttpRequest) -> HttpResponse:
    rules.MANAGE_WEBHOOKS.require(request.user)
    form = EndpointForm(request.POST or None, initial={"owner": request.user.pk})
    created, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = endpoint_create(
                    user=request.user,
                    name=data["name"],
                    url=data["url"],
                    events=data["events"],
                    owner=data["owner"],
                )
                form = EndpointForm(initial={"owner": request.user.pk})
            except ValidationError as error:
                form.add_error("url" if not hasattr(error, "error_dict") else None, error)
                status = 422
        else:
            status = 422
    endpoints = WebhookEndpoint.objects.select_related("owner")
    context = {"form": form, "created": created, "endpoints": endpoints}
    return render(request, "webhooks/endpoints.html", context, status=status)


def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rules.MANAGE_WEBHOOKS.require(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("owner"), pk=pk)
    deliveries = endpoint.deliveries.all()[:LOG_ROWS]
    return render(
        request, "webhooks/endpoint.html", {"endpoint": endpoint, "deliveries": deliveries}
    )


@require_POST
def endpoint_disable_view(request: HttpRequest, pk: int) -> HttpResponse:
    rules.MANAGE_WEBHOOKS.require(request.user)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("owner"), pk=pk)
    endpoint_disable(endpoint=endpoint, reason="manual", user=request.user)
    messages.success(request, f"{endpoint.name}: disabled.")
    return redirect("webhook_detail", pk=endpoint.pk)


@require_POST
def delivery_redeliver_view(request: HttpRequest, pk: int) -> HttpResponse:
    rules.MANAGE_WEBHOOKS.require(request.user)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    try:
        delivery_redeliver(delivery=delivery, user=request.user)
        messages.success(request, "Sent again.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("webhook_detail", pk=delivery.endpoint_id)
