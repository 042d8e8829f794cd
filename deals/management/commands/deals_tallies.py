"""Fold or recount the dashboard's tallies (deals.tally_sql) and who each deal waits on
(deals.waiting)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from deals import tally_sql, waiting


class Command(BaseCommand):
    help = (
        "Fold the dashboard's tallies into one row per key; with --rebuild, recount them "
        "from the deals, reviews and stage changes first, and who each deal waits on "
        "(after restoring a backup, say)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Recount from scratch.")

    def handle(self, *args, rebuild: bool, **options) -> None:
        started = time.perf_counter()
        if rebuild:
            tally_sql.rebuild()
            waiting.recount()
        rows = tally_sql.compact()
        self.stdout.write(
            f"{'Recounted' if rebuild else 'Folded'} the tallies: {rows} rows "
            f"in {time.perf_counter() - started:.1f} s."
        )
