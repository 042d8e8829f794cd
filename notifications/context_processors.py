"""The unread count in the navigation of every page."""

from __future__ import annotations

from functools import cache

from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from core.sql import column, table
from stakeholders.models import User

from .models import Notification


def with_unread(users):
    """`users` with `unread_count`, the badge's count: the login backend reads it with the
    user on every request (config.auth), in place of a query of its own on every page."""
    notifications = table(Notification)
    return users.annotate(
        unread_count=RawSQL(
            f"(SELECT COUNT(*) FROM {notifications} n WHERE n.recipient_id = {column(User)}"
            " AND n.in_app AND n.read_at IS NULL)",
            [],
            output_field=IntegerField(),
        )
    )


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: the count read with the user on a GET, which changes
    nothing; after a POST (marking read, say) one COUNT, made only when a template shows
    it, once a request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        known = getattr(user, "unread_count", None)
        if known is not None and request.method in ("GET", "HEAD"):
            return known
        return Notification.objects.filter(recipient=user, in_app=True, read_at=None).count()

    return {"unread_notifications": count}
