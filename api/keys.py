"""Creating, revoking and checking API keys: atomic and audited.

A key is `dd_<prefix>_<secret>`; the prefix is stored to show which key is which, the
whole key only as its SHA-256 (a key is random and long: no slow hash needed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record

from . import rules
from .models import ApiKey, Scope

PREFIX = "dd_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, user, owner, name: str, scope: str = Scope.READ, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """The key and its one-time secret (shown once, never stored)."""
    rules.CREATE_KEY.require(user)
    if owner.pk != user.pk:
        rules.REVOKE_KEY.require(user, ApiKey(owner=owner))  # only an administrator
    prefix = secrets.token_hex(4)
    raw = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name.strip(),
        owner=owner,
        scope=Scope(scope),
        prefix=prefix,
        key_hash=digest(raw),
        expires_at=expires_at,
    )
    key.full_clean()
    key.save()
    audit_record(
        actor=user,
        action=AuditAction.API_KEY_CREATED,
        instance=key,
        after={"name": key.name, "scope": key.scope, "prefix": prefix},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, user) -> ApiKey:
    rules.REVOKE_KEY.require(user, key)
    now = timezone.now()
    if ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now):
        audit_record(
            actor=user,
            action=AuditAction.API_KEY_REVOKED,
            instance=key,
            after={"name": key.name, "prefix": key.prefix},
        )
    key.refresh_from_db()
    return key


def key_for(raw: str) -> ApiKey | None:
    """The key whose secret this is, with its owner, or None (usable or not: the caller
    tells an expired or revoked key from an unknown one)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return ApiKey.objects.select_related("owner").filter(key_hash=digest(raw)).first()


def note_use(key: ApiKey, ip: str | None) -> None:
    """Last use, at most once a minute per key: a busy integration is not a write per call."""
    now = timezone.now()
    if key.last_used_at and now - key.last_used_at < dt.timedelta(minutes=1):
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip)
    key.last_used_at, key.last_used_ip = now, ip
