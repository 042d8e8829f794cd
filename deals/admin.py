from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import rules
from .models import Deal, Decision, StageChange, Term
from .services import deal_update


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "stage", "contract_value", "currency", "sponsor"]
    list_filter = ["stage", "currency", "confidential"]
    list_select_related = ["partnership__partner", "sponsor"]
    search_fields = ["title", "partnership__partner__name"]
    raw_id_fields = ["partnership", "owner", "sponsor"]
    # Stages move only through deal_advance so that history and audit stay whole.
    readonly_fields = ["stage", "stage_changed_at", "archived_at", "revision_rounds"]

    def has_add_permission(self, request):
        # Created on the deal pages, with their first stage change and audit event.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deals are archived from the deal page, never deleted.
        return False

    def has_change_permission(self, request, obj=None):
        # The same rule as the edit page and deal_update; others see the deal read-only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or rules.EDIT_DEAL(request.user, obj))

    def save_model(self, request, obj, form, change):
        # Through the same service as the edit page: audited, and reviews that the
        # rules now require (a value over a threshold, another partner) are requested.
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        deal_update(deal=obj, user=request.user, data=data)


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["deal", "from_stage", "to_stage", "by", "at"]
    list_select_related = ["deal", "by"]


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    """Terms are revised in the app, where every edit is a revision."""

    list_display = ["title", "deal", "category", "department", "status", "version"]
    list_filter = ["category", "status", "department"]
    list_select_related = ["deal", "department"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["title", "deal", "kind", "overrules_gate", "decided_by", "decided_at"]
    list_filter = ["kind", "overrules_gate"]
    list_select_related = ["deal", "decided_by"]
