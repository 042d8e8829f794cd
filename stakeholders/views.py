from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST (with CSRF token) logs out."""
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "registration/logout_confirm.html")
