"""Admin base classes shared by the apps."""

from django.contrib import admin

from .models import AuditEvent


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
