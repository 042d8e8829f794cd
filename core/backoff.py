"""Retry delays for tasks that talk to something outside (SMTP, the database)."""

from __future__ import annotations

import random
from smtplib import SMTPException

from django.conf import settings
from django.db import InterfaceError, OperationalError


def backoff(retries: int) -> float:
    """Exponential, capped, with full jitter so that a batch of retries spreads out."""
    base = settings.NOTIFICATION_RETRY_BACKOFF
    return random.uniform(base / 2, min(settings.NOTIFICATION_RETRY_MAX, base * 2**retries))


# SMTP trouble, a network blip or a database restart: worth another try later.
TRANSIENT = (SMTPException, OSError, OperationalError, InterfaceError)
