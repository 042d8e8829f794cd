"""Password-reset mail, sent by a worker (stakeholders.tasks.send_password_reset, queued
by forms.QueuedPasswordResetForm): a slow or unreachable SMTP server neither delays nor
fails the page that asked for it."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.emails import make_message

from .models import User


def send_password_reset(*, user_id: int, domain: str, protocol: str) -> bool:
    """Send the reset link now; False when the account can no longer reset (gone, inactive)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    # Sent here rather than through PasswordResetForm.send_mail, which logs and swallows
    # SMTP errors: the task must see them to retry.
    make_message("password_reset", user.email, context).send()
    return True
