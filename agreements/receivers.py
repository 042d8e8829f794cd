"""The agreements app listening to the deals app, which may not import it.

Connected in AgreementsConfig.ready; runs inside deal_advance's transaction.
"""

from __future__ import annotations

from django.dispatch import receiver

from deals.models import Deal
from deals.signals import deal_signed

from .services import agreement_open


@receiver(deal_signed, sender=Deal)
def open_agreement(sender, *, deal: Deal, user, **kwargs) -> None:
    agreement_open(deal=deal, user=user)
