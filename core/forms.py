"""Helpers for views that validate forms."""

from __future__ import annotations

from django.http import HttpRequest


def form_status(request: HttpRequest, form) -> int:
    # A refused form answers 422 so that scripts and tests can tell it from success.
    return 422 if request.method == "POST" and form.errors else 200
