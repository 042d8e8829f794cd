"""CSV downloads: streamed, so a large table never sits in memory, and safe to open in
a spreadsheet — a text cell that a spreadsheet would read as a formula is neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

# Cells a spreadsheet evaluates (OWASP "CSV injection"): = + - @ and a leading tab or CR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str | int | float | Decimal:
    """Numbers as numbers; text that starts like a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM, so spreadsheets read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
