"""Writes for notification settings: atomic, audited."""

from __future__ import annotations

from django.db import transaction

from core.audit import AuditAction, audit_record
from stakeholders.models import User

from .models import DigestPreference, NotificationKind


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


@transaction.atomic
def unsubscribe(*, user: User, kind: str) -> None:
    """Stop one kind of email for this person, from the link in it (notifications.unsubscribe).
    Only the digest has such a setting today; repeating it changes nothing."""
    if kind != NotificationKind.DIGEST:
        raise ValueError(f"{kind} has no unsubscribe setting")
    preference, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    if not preference.subscribed:
        return
    preference.subscribed = False
    preference.save(update_fields=["subscribed", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.UNSUBSCRIBED,
        instance=preference,
        before={"kind": kind, "subscribed": True},
        after={"kind": kind, "subscribed": False},
    )
