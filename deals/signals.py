"""What the deals app tells the apps that build on it (which it may not import).

`deal_signed(sender=Deal, deal=…, user=…)` is sent by deal_advance inside its
transaction when a deal reaches Signed. agreements.receivers opens the deal's
agreement in that same transaction, so a move that rolls back leaves no agreement.
"""

from __future__ import annotations

from django.dispatch import Signal

deal_signed = Signal()
