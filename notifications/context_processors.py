"""The unread count in the navigation of every page."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: one COUNT, made only when a template shows it, once a request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return Notification.objects.filter(recipient=user, in_app=True, read_at=None).count()

    return {"unread_notifications": count}
