from django.core.management.base import BaseCommand

from analytics.backfill import backfill


class Command(BaseCommand):
    help = "Rebuild the intervals of 'Where time goes' from the audit trail (safe to re-run)."

    def handle(self, *args, **options) -> None:
        result = backfill()
        self.stdout.write(
            f"Intervals: {result.created} added, {result.updated} updated, "
            f"{result.unchanged} already right."
        )
