"""Writes for notification settings: atomic, audited."""

from __future__ import annotations

from django.db import transaction

from core.audit import AuditAction, audit_record
from stakeholders.models import User

from .models import DigestPreference


@transaction.atomic
def digest_preference_set(*, user: User, subscribed: bool, weekday: int) -> DigestPreference:
    """Whether and on which day this person gets the weekly digest."""
    preference, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    before = {"subscribed": preference.subscribed, "weekday": preference.weekday}
    preference.subscribed = subscribed
    preference.weekday = weekday
    preference.full_clean()
    preference.save()
    audit_record(
        actor=user,
        action=AuditAction.DIGEST_SETTINGS,
        instance=preference,
        before=before,
        after={"subscribed": subscribed, "weekday": weekday},
    )
    return preference
