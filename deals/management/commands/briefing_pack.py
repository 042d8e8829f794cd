"""Render one deal's briefing pack to a file, in this process (no worker needed)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deals.briefing import render_pack
from deals.models import Deal


class Command(BaseCommand):
    help = "Render the briefing pack of a deal to a PDF file, synchronously."

    def add_arguments(self, parser) -> None:
        parser.add_argument("deal_id", type=int)
        parser.add_argument("--output", "-o", required=True, help="Where to write the PDF.")

    def handle(self, *args, deal_id: int, output: str, **options) -> None:
        deal = Deal.objects.filter(pk=deal_id).first()
        if deal is None:
            raise CommandError(f"There is no deal {deal_id}.")
        started = time.perf_counter()
        pdf = render_pack(deal)
        Path(output).write_bytes(pdf)
        self.stdout.write(
            f"Wrote {output}: {len(pdf) / 1024:.0f} KiB in {time.perf_counter() - started:.2f} s."
        )
