from django.core.management.base import BaseCommand

from analytics import tally
from analytics.backfill import backfill


class Command(BaseCommand):
    help = (
        "Rebuild the intervals of 'Where time goes' from the audit trail (safe to re-run); "
        "with --tallies, recount the page's tallies from scratch too (after restoring a "
        "backup, say: the triggers keep them otherwise)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--tallies", action="store_true", help="Recount the interval, term and pending tallies."
        )

    def handle(self, *args, tallies: bool = False, **options) -> None:
        result = backfill()
        self.stdout.write(
            f"Intervals: {result.created} added, {result.updated} updated, "
            f"{result.unchanged} already right."
        )
        if tallies:
            tally.rebuild()
            self.stdout.write("Tallies recounted.")
