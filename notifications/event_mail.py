"""The email of an event notification (notifications.events): what the row says, and a link."""

from __future__ import annotations

from core.emails import absolute

from .models import Notification
from .outbox import message_for


def compose_events(notifications: list[Notification]) -> dict:
    """Each row's email from its own payload: no query whatever the size of the batch."""
    out = {}
    for n in notifications:
        if not n.recipient.is_active:
            out[n.pk] = None
            continue
        context = {
            "user": n.recipient,
            "text": n.payload.get("text", ""),
            "detail": n.payload.get("detail", ""),
            "url": absolute(n.payload.get("url", "/")),
            "kind": n.get_kind_display(),
        }
        out[n.pk] = message_for(n, "event_notification", context)
    return out
