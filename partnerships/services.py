"""What follows a saved partner or partnership, wherever it was edited (pages or admin)."""

from __future__ import annotations

from typing import Any

from core.audit import AuditAction, audit_record
from deals.models import Deal
from stakeholders.signoff import reviews_top_up_many

from .models import Partner, Partnership


def _audit(instance, *, user, created: bool, old: dict, new: dict) -> None:
    action = AuditAction.CREATED if created else AuditAction.EDITED
    audit_record(actor=user, action=action, instance=instance, before=old, after=new)


def partner_saved(*, partner: Partner, user, created: bool, old: dict, new: dict[str, Any]):
    """Audit the change; a partner now handling customer data brings Security in."""
    _audit(partner, user=user, created=created, old=old, new=new)
    if not created and "handles_customer_data" in new:
        reviews_top_up_many(
            deals=Deal.objects.filter(partnership__partner=partner),
            user=user,
            reason="Partner now handles customer data",
        )


def partnership_saved(
    *, partnership: Partnership, user, created: bool, old: dict, new: dict[str, Any]
):
    """Audit the change; moved to another partner, its deals may need other reviews."""
    _audit(partnership, user=user, created=created, old=old, new=new)
    if not created and "partner" in new:
        reviews_top_up_many(deals=partnership.deals.all(), user=user, reason="Partner changed")
