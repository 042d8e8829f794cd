"""The API keys page: create a key (shown once) and revoke one."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import rules
from .forms import ApiKeyForm
from .keys import api_key_create, api_key_revoke
from .models import ApiKey


def _keys_of(user):
    keys = ApiKey.objects.select_related("owner")
    return keys if user.is_staff else keys.filter(owner=user)


def key_list(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        rules.CREATE_KEY.require(request.user)
        if form.is_valid():
            data = form.cleaned_data
            key, created = api_key_create(
                user=request.user,
                owner=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_at=timezone.now() + dt.timedelta(days=data["expires_in_days"]),
            )
            form = ApiKeyForm()
        else:
            status = 422
    context = {"form": form, "created": created, "keys": _keys_of(request.user)}
    return render(request, "api/keys.html", context, status=status)


@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(_keys_of(request.user), pk=pk)
    rules.REVOKE_KEY.require(request.user, key)
    api_key_revoke(key=key, user=request.user)
    messages.success(request, f"{key.name}: revoked.")
    return redirect("api_key_list")
