from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "People and departments"

    def ready(self) -> None:
        from .roles import ensure_defaults
        from .visibility import connect

        connect()

        # Runs after every app has migrated, so that all permissions exist by the last call.
        post_migrate.connect(ensure_defaults, dispatch_uid="stakeholders.defaults")
