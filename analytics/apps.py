from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Where time goes"

    def ready(self) -> None:
        # The domain apps audit their changes and know nothing of analytics: this app
        # keeps its intervals from the audit trail as it is written (analytics.intervals).
        from . import intervals

        intervals.listen()
