"""What the stakeholders app tells the layers above it (which it may not import).

`session_invitation_changed(sender=WorkingSession, session=…, method=…)` is sent inside
the service's transaction whenever the invitation itself changes: scheduled and
rescheduled (method REQUEST, `session.sequence` the new revision), cancelled (CANCEL).
notifications.invitations plans the emails in that same transaction, so a change that
rolls back sends nothing, and delivers them after commit.
"""

from __future__ import annotations

from django.dispatch import Signal

session_invitation_changed = Signal()
