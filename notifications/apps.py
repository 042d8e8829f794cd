from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The domain apps audit their changes and know nothing of notifications:
        # this app listens to the audit trail instead (notifications.events).
        from . import (
            events,
            receivers,  # noqa: F401  (connects the signal receivers)
        )

        events.listen()
