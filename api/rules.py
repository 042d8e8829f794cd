"""Who may manage API keys (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule

# Anyone signed in makes keys that act as themselves: a key never sees more than its owner.
CREATE_KEY = Rule("Sign in to create an API key.", lambda user, _obj: True)
REVOKE_KEY = Rule(
    "Only the key's owner or an administrator revokes it.",
    lambda user, key: key.owner_id == user.pk or user.is_staff,
)
