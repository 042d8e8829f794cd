"""Who manages webhooks (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule

MANAGE_WEBHOOKS = Rule(
    "Only administrators register webhooks and read their deliveries.",
    lambda user, _obj: user.is_staff,
)
