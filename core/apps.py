from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  registers field__any_of

        checks.register(check_reporting_currency)


def check_reporting_currency(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """REPORTING_CURRENCY must be a currency the desk knows, or no total adds up."""
    from django.conf import settings

    from .models import Currency

    if settings.REPORTING_CURRENCY in Currency.values:
        return []
    return [
        checks.Error(
            f"REPORTING_CURRENCY {settings.REPORTING_CURRENCY!r} is not one of "
            f"{', '.join(Currency.values)}.",
            id="core.E001",
        )
    ]
