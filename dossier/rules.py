"""Who may export a deal's dossier (see core.permissions). Reading the deal comes first:
`deals.selectors.get_deal_for_user` answers 404 to whoever may not see it."""

from __future__ import annotations

from core.permissions import Rule
from stakeholders.models import Role


def may_export(user, deal) -> bool:
    # No "auditor" role exists (stakeholders.models.Role): the sponsor answers for the
    # deal, executives oversee every deal they can see, superusers administer.
    return user.is_superuser or deal.sponsor_id == user.pk or user.has_role(Role.EXECUTIVE)


EXPORT_DOSSIER = Rule(
    "An auditor's dossier is exported by the deal's sponsor, an executive or an administrator.",
    may_export,
)
