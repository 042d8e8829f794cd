"""Sentences for exports of a deal's record (the dossier app writes them).

A module of its own so that deals.activity stays under 500 lines; deals.activity adds
these to its RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent

from .activity_values import date_text

Renderer = Callable[[AuditEvent], str]


def dossier_exported(event: AuditEvent) -> str:
    as_of = date_text(event.after.get("as_of"))
    return (
        f"exported the auditor's dossier as of {as_of}."
        if as_of
        else "exported the auditor's dossier."
    )


EXPORT_RENDERERS: dict[AuditAction, Renderer] = {AuditAction.DOSSIER_EXPORTED: dossier_exported}
