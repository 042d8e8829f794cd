"""Reads for dossiers: the deal page's card."""

from __future__ import annotations

from django.utils import timezone

from .forms import DossierForm
from .models import Dossier
from .rules import EXPORT_DOSSIER


def card_context(deal, user, form=None) -> dict:
    may_export = EXPORT_DOSSIER(user, deal)
    return {
        "deal": deal,
        "may_export": may_export,
        # Only those who may export see what was exported (one query, none for others).
        "dossier": Dossier.objects.filter(deal=deal).first() if may_export else None,
        "dossier_form": form or DossierForm(initial={"as_of": timezone.localdate()}),
    }
