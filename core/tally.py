"""What a tally row says of who may read the deal it counts: the dashboard's tallies
(deals.models.tally) and "Where time goes"' (analytics.models) alike."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class TallyQuerySet(models.QuerySet):
    def seen_by(self, user) -> TallyQuerySet:
        """The rows counting deals this person may see without asking per deal: every
        row for a superuser; else the non-confidential deals' rows and the confidential
        deals' this person sponsors or owns (the rest: selectors.confidential_read_live)."""
        if user.is_superuser:
            return self.all()
        return self.filter(Q(confidential=False) | Q(sponsor_id=user.pk) | Q(owner_id=user.pk))


def seen_sql(user) -> tuple[str, list]:
    """`seen_by` as SQL and its parameters, for the reads written as SQL (core.sql): on a
    tally, or on the deals' own columns alike."""
    if user.is_superuser:
        return "1 = 1", []
    return "(NOT confidential OR sponsor_id = %s OR owner_id = %s)", [user.pk, user.pk]


class ConfidentialKey(models.Model):
    """Who sponsors and who owns the deal counted, for a confidential deal only (null
    for the others, so that their rows stay few): what `seen_by` selects on."""

    sponsor_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)

    objects = TallyQuerySet.as_manager()

    class Meta:
        abstract = True
