"""The agreements app listening to the deals app, which may not import it.

Connected in AgreementsConfig.ready; runs inside the deals service's transaction.
"""

from __future__ import annotations

from django.dispatch import receiver

from deals.models import ContractDocument, Deal
from deals.signals import deal_signed, document_attached

from .models import Agreement
from .readings import current_documents
from .services import agreement_open
from .tasks import read_contract


@receiver(deal_signed, sender=Deal)
def open_agreement(sender, *, deal: Deal, user, **kwargs) -> None:
    agreement_open(deal=deal, user=user)
    # Signed with the contract already attached: read the newest, after the commit.
    newest = current_documents(deal.pk).values_list("pk", flat=True).first()
    if newest is not None:
        read_contract.delay_on_commit(newest)


@receiver(document_attached, sender=ContractDocument)
def read_attached_contract(sender, *, document: ContractDocument, **kwargs) -> None:
    """A document attached to a signed deal is read after the commit, on a worker."""
    if Agreement.objects.filter(deal=document.deal_id).exists():
        read_contract.delay_on_commit(document.pk)
