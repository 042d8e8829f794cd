"""Reads for intake: the form a request type offers today, its questions, look-alike partners."""

from __future__ import annotations

import difflib
import re

from django.db.models import Prefetch
from django.http import Http404

from partnerships.models import Partner

from .models import Condition, FormVersion, IntakeRequest, Question, RequestType

# Words that say what kind of company, not which: "Meridian Ltd" is "Meridian".
LEGAL_FORMS = re.compile(
    r"\b(ltd|limited|plc|inc|llc|gmbh|ag|sa|sas|bv|nv|co|corp|corporation|group|holdings?)\b\.?"
)


def questions_of(version: FormVersion) -> list[Question]:
    """The version's questions in order, their conditions with them: two queries."""
    return list(
        version.questions.order_by("position", "pk").prefetch_related(
            Prefetch("conditions", queryset=Condition.objects.order_by("pk"))
        )
    )


def current_version(request_type: RequestType) -> FormVersion | None:
    return request_type.versions.filter(published_at__isnull=False).order_by("-number").first()


def open_request_type(type_id: int) -> tuple[RequestType, FormVersion]:
    """An active request type and its latest published form, or 404."""
    request_type = RequestType.objects.filter(pk=type_id, active=True).first()
    version = current_version(request_type) if request_type else None
    if version is None:
        raise Http404("No such request type.")
    return request_type, version


def request_types_on_offer() -> list[RequestType]:
    """Active types with a published form."""
    return list(
        RequestType.objects.filter(active=True, versions__published_at__isnull=False).distinct()
    )


def _normal(name: str) -> str:
    return " ".join(LEGAL_FORMS.sub(" ", name.casefold()).replace(",", " ").split())


def similar_partners(name: str, *, limit: int = 3) -> list[str]:
    """Existing partners whose names are close to `name` but not the same partner.

    difflib over the normalised names (one query for the names: partners number in the
    hundreds, not millions), so it reads the same on SQLite and PostgreSQL. "Meridan
    Logistics Ltd" finds "Meridian Logistics"."""
    wanted = _normal(name)
    if not wanted:
        return []
    names = list(Partner.objects.values_list("name", flat=True))
    if any(other.casefold() == name.casefold() for other in names):
        return []  # that partner itself: no warning, it is reused
    scored = []
    for other in names:
        normal = _normal(other)
        ratio = difflib.SequenceMatcher(None, wanted, normal).ratio()
        if ratio >= 0.8 or (len(wanted) >= 4 and normal and (wanted == normal)):
            scored.append((ratio, other))
    return [other for _, other in sorted(scored, reverse=True)[:limit]]


def request_of_deal(deal) -> IntakeRequest | None:
    return (
        IntakeRequest.objects.filter(deal_id=deal.pk)
        .select_related("request_type", "version", "requester")
        .first()
    )
