"""The page's filters, read from the query string: partner kind, value band, sponsor,
and calendar or business days. Every figure and drill-down applies the same ones.

Request type: deals have no request type yet (a deal is one kind of request today).
When intake records one, add its field here (`REQUEST_TYPE_FIELD`) and the form's
choice; the page says it is not available meanwhile.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.db.models import Q

from core.fields import BoundedModelChoiceField, PlainSelect
from partnerships.models import PartnerKind
from stakeholders.models import Role, User

REQUEST_TYPE_FIELD: str | None = None  # the hook: the deal field a request type will be

# Contract value as recorded, in the deal's own currency (bands are coarse on purpose).
VALUE_BANDS = {
    "small": ("Under 100,000", None, Decimal("100000")),
    "medium": ("100,000 to 1 million", Decimal("100000"), Decimal("1000000")),
    "large": ("1 million and more", Decimal("1000000"), None),
}
UNITS = {"calendar": "calendar days", "business": "business days"}


class AnalyticsFilterForm(forms.Form):
    partner_kind = forms.ChoiceField(
        label="Partner kind",
        required=False,
        choices=[("", "Any kind"), *PartnerKind.choices],
        widget=PlainSelect,
    )
    value_band = forms.ChoiceField(
        label="Contract value",
        required=False,
        choices=[("", "Any value")] + [(k, v[0]) for k, v in VALUE_BANDS.items()],
        widget=PlainSelect,
    )
    sponsor = BoundedModelChoiceField(
        label="Sponsor",
        required=False,
        empty_label="Any sponsor",
        widget=PlainSelect,
        queryset=User.objects.filter(groups__name=Role.EXECUTIVE, is_active=True).order_by(
            "first_name", "last_name", "email"
        ),
    )
    days = forms.ChoiceField(
        label="Count in",
        required=False,
        choices=list(UNITS.items()),
        initial="calendar",
        widget=PlainSelect,
    )

    def clean_days(self) -> str:
        return self.cleaned_data.get("days") or "calendar"

    @property
    def values(self) -> dict:
        """The valid filters; an invalid one is ignored (the form shows why)."""
        if not self.is_bound:
            return {"days": "calendar"}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v} | {"days": data.get("days") or "calendar"}

    def deal_q(self, via: str = "") -> Q:
        """The filters as a condition on deals (`via` a path to the deal: "deal__")."""
        data = self.values
        q = Q()
        if data.get("partner_kind"):
            q &= Q(**{f"{via}partnership__partner__kind": data["partner_kind"]})
        if data.get("value_band") in VALUE_BANDS:
            _, low, high = VALUE_BANDS[data["value_band"]]
            if low is not None:
                q &= Q(**{f"{via}contract_value__gte": low})
            if high is not None:
                q &= Q(**{f"{via}contract_value__lt": high})
        if data.get("sponsor"):
            q &= Q(**{f"{via}sponsor": data["sponsor"]})
        return q

    def query_string(self) -> str:
        """The filters for links (drill-downs, the CSV), without page or figure."""
        data = self.values
        parts = []
        for name in ("partner_kind", "value_band", "sponsor", "days"):
            value = data.get(name)
            if value:
                parts.append((name, value.pk if isinstance(value, User) else value))

        return urlencode(parts)
