from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("name", "url", "owner", "disabled_at", "consecutive_failures")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("msg_id", "endpoint", "event_type", "status", "attempts", "last_status_code")
    list_filter = ("status", "event_type")
