"""The login backend as this project composes it: stakeholders' (a person's reach and roles
read with the user) and the navigation's unread notifications, in the same one query."""

from __future__ import annotations

from notifications.context_processors import with_unread
from stakeholders import backends


class UserBackend(backends.UserBackend):
    def users(self):
        return with_unread(super().users())
