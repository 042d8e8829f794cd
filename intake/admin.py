"""Request types and their forms, kept by administrators. A published version shows
read-only (the models refuse any change anyway); "Start a new draft" copies it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .models import Condition, FormVersion, IntakeRequest, Question, RequestType


class FrozenWhenPublished:
    """Inlines and pages of a published version: view only."""

    def _published(self, obj) -> bool:
        version = obj if isinstance(obj, FormVersion) else getattr(obj, "version", None)
        return bool(version and version.is_published)

    def has_change_permission(self, request, obj=None):
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and self._published(obj):
            return False
        return super().has_add_permission(request, obj) if obj is not None else True


class QuestionInline(FrozenWhenPublished, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "key", "label", "kind", "required", "deal_field", "show_if", "edit"]
    readonly_fields = ["edit"]
    show_change_link = True

    @admin.display(description="Help, options, conditions")
    def edit(self, obj):
        return "open the question" if obj.pk else ""


class VersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    fields = ["number", "published_at", "created_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "triage_owner"]
    inlines = [VersionInline]


@admin.register(FormVersion)
class FormVersionAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["__str__", "published_at", "preview"]
    list_filter = ["request_type"]
    inlines = [QuestionInline]
    actions = ["publish", "new_draft"]
    readonly_fields = ["published_at"]

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    @admin.display(description="Preview")
    def preview(self, obj):
        return format_html('<a href="{}">Try it</a>', reverse("intake_preview", args=[obj.pk]))

    @admin.action(description="Publish (the version can no longer change)")
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.form_version_publish(version=version, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{version}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{version} published.")

    @admin.action(description="Start a new draft from this version")
    def new_draft(self, request, queryset):
        for version in queryset:
            draft = services.form_version_draft(version=version, user=request.user)
            self.message_user(request, f"{draft} started.")


class ConditionInline(FrozenWhenPublished, admin.TabularInline):
    model = Condition
    extra = 1
    fields = ["source_key", "operator", "value"]


@admin.register(Question)
class QuestionAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["label", "key", "kind", "version"]
    list_filter = ["version__request_type"]
    inlines = [ConditionInline]

    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)


@admin.register(IntakeRequest)
class IntakeRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "deal", "requester", "submitted_at"]
    readonly_fields = [f.name for f in IntakeRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
