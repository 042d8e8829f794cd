"""Emails from templates: templates/emails/<name>_subject.txt, _body.txt and _body.html.

Plumbing for every app that sends mail (the password reset, the notifications). The
links every email carries are named URLs, so this module imports no app.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "dealdesk.localhost"


def thread_id(kind: str, pk: int) -> str:
    """The Message-ID that every email about one object refers to (References,
    In-Reply-To), so a mail client shows them as one thread: `<review.7@deals.example.com>`."""
    return f"<{kind}.{pk}@{message_domain()}>"


# Every email this site sends is automatic (RFC 3834): no out-of-office or other
# auto-reply should answer it. Exchange and Outlook read the second header instead.
AUTOMATIC = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def email_context(context: dict) -> dict:
    """What every email template may use: the site and the settings page every email links to."""
    return {
        "site_url": settings.SITE_URL,
        "settings_url": absolute(reverse("notification_settings")),
        **context,
    }


def make_message(
    name: str, to: str, context: dict, *, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    """An email from templates/emails/<name>_subject.txt, _body.txt and _body.html."""
    context = email_context(context)
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[to], headers={**AUTOMATIC, **(headers or {})}
    )
    message.attach_alternative(html, "text/html")
    return message
