from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm

from core.admin import ReadOnlyAdmin
from deals.models import Deal

from .models import (
    Concern,
    Department,
    Membership,
    Review,
    ReviewRule,
    User,
    WorkingSession,
    normalise_email,
)
from .signoff import reviews_top_up_many


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]


class _NormalisedEmail:
    """The address as it is stored, before the uniqueness check: `Ann@X` is taken
    when `ann@x` exists, at the field, instead of a database error on save."""

    def clean_email(self):
        return normalise_email(self.cleaned_data.get("email", ""))


class UserCreationForm(_NormalisedEmail, AdminUserCreationForm):
    pass


class UserChangeForm(_NormalisedEmail, BaseUserChangeForm):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "job_title", "time_zone")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_sla_days"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Reviews are decided in the app (audited, race-safe)."""

    list_display = ["deal", "department", "status", "due_on", "reviewer"]
    list_filter = ["status", "department"]
    list_select_related = ["deal", "department", "reviewer"]


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    list_display = ["department", "condition", "threshold", "active"]
    list_filter = ["department", "condition", "active"]
    list_editable = ["active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.active:
            # A rule applies to deals already under review too, not only to later ones.
            added = reviews_top_up_many(
                deals=Deal.objects.all(), user=request.user, reason=f"Review rule: {obj}"
            )
            if added:
                self.message_user(
                    request, f"{added} review(s) requested from deals already under review."
                )


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["title", "deal", "severity", "blocking", "raised_by", "resolved_at"]
    list_filter = ["severity", "blocking"]
    list_select_related = ["deal", "raised_by"]


@admin.register(WorkingSession)
class WorkingSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "deal", "starts_at", "organiser", "sequence", "cancelled_at"]
    list_select_related = ["deal", "organiser"]
