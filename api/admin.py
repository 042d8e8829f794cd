from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "owner", "scope", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("scope",)
