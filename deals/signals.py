"""What the deals app tells the apps that build on it (which it may not import).

`deal_signed(sender=Deal, deal=…, user=…)` is sent by deal_advance inside its
transaction when a deal reaches Signed. agreements.receivers opens the deal's
agreement in that same transaction, so a move that rolls back leaves no agreement.

`document_attached(sender=ContractDocument, document=…, user=…)` is sent by
document_attach inside its transaction; agreements.receivers has the signed contract's
key facts read after the commit, when the deal has an agreement.
"""

from __future__ import annotations

from django.dispatch import Signal

deal_signed = Signal()
document_attached = Signal()
