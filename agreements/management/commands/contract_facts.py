"""`manage.py contract_facts PATH [PATH ...] --json`: the key facts of contracts, one JSON
object per file and line. Reads files only: no database."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from agreements.contract_facts import UnreadableDocument, extract_file


class Command(BaseCommand):
    help = (
        "Read effective and expiry dates, term, renewal, notice and governing law from contracts."
    )
    requires_system_checks: list = []  # no database needed, none touched

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")

    def handle(self, *args, paths: list[Path], **options) -> None:
        for path in paths:
            try:
                facts = extract_file(path).as_json()
            except (OSError, UnreadableDocument) as error:
                facts = {"path": str(path), "error": str(error)}
            self.stdout.write(json.dumps(facts, ensure_ascii=False))
