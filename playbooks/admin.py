"""Administrators add clause types and a department's first playbook here; later
versions come from the playbook page (services.playbook_revise), audited. A version is
never changed once written: deals are pinned to it."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ClauseType, DealPlaybook, Playbook, PlaybookVersion, Position, TermPosition


@admin.register(ClauseType)
class ClauseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "category", "custom_approver"]
    list_filter = ["department", "kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "reviewed_at"]
    readonly_fields = ["reviewed_at", "reviewed_by"]


class PositionInline(admin.StackedInline):
    model = Position
    extra = 1
    # A version without positions would say nothing, and the deal pages read the versions
    # through their positions (playbooks.selectors.positions_and_pins).
    min_num = 1
    validate_min = True


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(admin.ModelAdmin):
    list_display = ["playbook", "number", "effective_from", "created_by"]
    inlines = [PositionInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DealPlaybook)
class DealPlaybookAdmin(ReadOnlyAdmin):
    list_display = ["deal", "playbook", "version", "pinned_at"]


@admin.register(TermPosition)
class TermPositionAdmin(ReadOnlyAdmin):
    list_display = ["term", "clause_type", "position", "approved_by", "decision"]
