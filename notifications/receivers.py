"""The notifications app listening to the domain apps it may not be imported by.

Connected in NotificationsConfig.ready. Receivers run inside the sender's transaction:
they plan rows in the outbox (rolled back with the change) and enqueue their delivery
for after the commit.
"""

from __future__ import annotations

from django.dispatch import receiver

from stakeholders.models import WorkingSession
from stakeholders.signals import session_invitation_changed

from .invitations import plan_invitations
from .tasks import enqueue_delivery


@receiver(session_invitation_changed, sender=WorkingSession)
def send_session_invitations(sender, *, session: WorkingSession, method: str, **kwargs) -> None:
    enqueue_delivery(plan_invitations(session=session, method=method))
