"""The notifications app listening to the domain apps it may not be imported by.

Connected in NotificationsConfig.ready. Receivers run inside the sender's transaction:
they plan rows in the outbox (rolled back with the change) and enqueue their delivery
for after the commit.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from stakeholders.models import WorkingSession
from stakeholders.signals import session_invitation_changed

from .invitations import plan_invitations
from .tasks import enqueue_delivery


@receiver(session_invitation_changed, sender=WorkingSession)
def send_session_invitations(sender, *, session: WorkingSession, method: str, **kwargs) -> None:
    ids = plan_invitations(session=session, method=method)
    # Robust: a broker outage must not turn a saved session into an error page (and a
    # resubmitted duplicate); the rows wait in the outbox for the 15-minute sweep.
    transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
