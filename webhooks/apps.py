from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Like notifications: the domain apps audit their changes and know nothing of
        # webhooks; this app hears the audit trail (webhooks.events).
        from . import events  # noqa: F401
