"""Writes for notification settings: atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record
from stakeholders.models import User

from .models import (
    DEFAULT_CHANNEL,
    EVENT_KINDS,
    Channel,
    DigestPreference,
    Notification,
    NotificationKind,
)


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
    """Stop one kind of email for this person, from the link in it (notifications.unsubscribe):
    the digest, or one kind of event (which then shows in the app only). Repeating it
    changes nothing."""
    if kind != NotificationKind.DIGEST and kind not in EVENT_KINDS:
        raise ValueError(f"{kind} has no unsubscribe setting")
    preference, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    if kind == NotificationKind.DIGEST:
        if not preference.subscribed:
            return
        preference.subscribed = False
        preference.save(update_fields=["subscribed", "updated_at"])
    else:
        if preference.event_channels.get(kind, DEFAULT_CHANNEL) != Channel.EMAIL:
            return  # no email of this kind goes out already
        preference.event_channels = {**preference.event_channels, kind: Channel.APP}
        preference.save(update_fields=["event_channels", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.UNSUBSCRIBED,
        instance=preference,
        before={"kind": kind, "subscribed": True},
        after={"kind": kind, "subscribed": False},
    )


@transaction.atomic
def event_channels_set(*, user: User, channels: dict[str, str]) -> DigestPreference:
    """How this person hears of each kind of event: email and in the app, in the app, or not.

    Only the choices that differ from the default are stored, so a default changed
    later reaches everyone who never chose."""
    for kind, channel in channels.items():
        if kind not in EVENT_KINDS or channel not in Channel.values:
            raise ValueError(f"{kind}: {channel}")
    preference, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    before = dict(preference.event_channels)
    preference.event_channels = {
        kind: channel for kind, channel in channels.items() if channel != DEFAULT_CHANNEL
    }
    preference.save(update_fields=["event_channels", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.EVENT_SETTINGS,
        instance=preference,
        before=before,
        after=dict(preference.event_channels),
    )
    return preference


def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of this person's notifications read (all of them without `pk`).

    Not audited: reading changes nothing anyone else sees (and an audit row would
    invalidate every cached page, see core.freshness). One UPDATE, so it is atomic."""
    unread = Notification.objects.filter(recipient=user, in_app=True, read_at=None)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())
