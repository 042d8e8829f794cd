from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "People and departments"

    def ready(self) -> None:
        from .roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="stakeholders.ensure_roles")
