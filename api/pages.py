"""Shared bits of the API's operations: the error responses each documents, paging."""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Path

from .schemas import PageQuery, Problem

# Ids in paths: positive and within the database's integer column.
ID = Path(..., ge=1, le=2_147_483_647)

# Every operation may answer these; the OpenAPI document lists them as problem+json.
READ_ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**READ_ERRORS, 409: Problem}


def page(queryset: QuerySet, query: PageQuery) -> tuple[int, list]:
    """The total and one page of rows: two queries, whatever the size."""
    count = queryset.count()
    return count, list(queryset[query.offset : query.offset + query.limit])


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user)}
