from django.contrib import admin

from .models import AuditEvent, Deal, Decision, StageChange, Term


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "stage", "contract_value", "currency", "sponsor"]
    list_filter = ["stage", "currency", "confidential"]
    list_select_related = ["partnership__partner", "sponsor"]
    search_fields = ["title", "partnership__partner__name"]
    raw_id_fields = ["partnership", "owner", "sponsor"]
    # Stages move only through deal_advance so that history and audit stay whole.
    readonly_fields = ["stage", "stage_changed_at", "archived_at", "revision_rounds"]

    def has_delete_permission(self, request, obj=None):
        # Deals are archived from the deal page, never deleted.
        return False


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["deal", "from_stage", "to_stage", "by", "at"]
    list_select_related = ["deal", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "deal"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "deal"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Terms are revised in the app, where every edit is a revision; the admin reads."""

    list_display = ["title", "deal", "category", "department", "status", "version"]
    list_filter = ["category", "status", "department"]
    list_select_related = ["deal", "department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(AuditEventAdmin):
    list_display = ["title", "deal", "kind", "overrules_gate", "decided_by", "decided_at"]
    list_filter = ["kind", "overrules_gate"]
    list_select_related = ["deal", "decided_by"]
