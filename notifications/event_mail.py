"""The email of an event notification (notifications.events): what the row says, and a link."""

from __future__ import annotations

from core.emails import absolute
from stakeholders.email_decision import tokens_issue

from .models import Notification, NotificationKind
from .outbox import message_for

# The emails that ask for a review carry each recipient's link to decide it.
ASKING = (NotificationKind.REVIEW_REQUESTED, NotificationKind.REREVIEW)


def compose_events(notifications: list[Notification]) -> dict:
    """Each row's email from its own payload; the review requests' decision links in a
    fixed number of queries (stakeholders.email_decision.tokens_issue), whatever the
    size of the batch."""
    links = tokens_issue(
        pairs=[
            (n.recipient_id, n.payload["review"])
            for n in notifications
            if n.kind in ASKING and n.payload.get("review") and n.recipient.is_active
        ]
    )
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
        link = links.get((n.recipient_id, n.payload.get("review")))
        if n.kind in ASKING and link:
            context["decide_url"] = absolute(link)
        out[n.pk] = message_for(n, "event_notification", context)
    return out
