"""Admin base classes shared by the apps."""

from django.contrib import admin

from .audit import AuditAction, audit_record, changed, snapshot
from .models import AuditEvent, ExchangeRate


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the app's services, where they are audited; the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is never edited or deleted, by anyone."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "deal"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "deal"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are kept here by an administrator. Each change is audited as a partner's is
    (who, when, before, after), and the audit's commit refreshes the cached totals."""

    list_display = ["currency", "rate", "applies_from"]
    list_filter = ["currency"]
    ordering = ["currency", "-applies_from"]
    date_hierarchy = "applies_from"

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        # As stored (0.92 reads back as 0.92000000), so before and after compare alike.
        old, new = changed(before, snapshot(type(obj).objects.get(pk=obj.pk)))
        action = AuditAction.EDITED if change else AuditAction.CREATED
        if new or not change:
            audit_record(actor=request.user, action=action, instance=obj, before=old, after=new)

    def delete_model(self, request, obj):
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deleted(request, obj)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_deleted(request, obj) -> None:
        audit_record(
            actor=request.user, action=AuditAction.DELETED, instance=obj, before=snapshot(obj)
        )
