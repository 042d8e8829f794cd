"""`field__any_of=[ids]`: membership in a list of integers sent as one parameter.

`field__in=[…]` sends each id as its own placeholder: for a few hundred ids, quoting and
splitting them costs more than the query (the dashboard's confidential deals). Here the
list is one array (PostgreSQL: `= ANY(%s)`) or one JSON text (SQLite: `json_each`).

`field__any_of=<queryset of one column>`: on PostgreSQL `= ANY(ARRAY(subquery))`, which
runs the subquery once and looks each id up by index, where `IN (subquery)` lets the
planner hash-join against a scan of the whole table (the deals held by a blocking
concern: 6,700 of 100,000 deals, 45 ms scanned, a few ms looked up). SQLite: `IN`.
"""

from __future__ import annotations

import json

from django.db import models


@models.Field.register_lookup
class AnyOf(models.Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        if hasattr(self.rhs, "as_sql"):  # a subquery
            return self.rhs
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs_is_direct_value():
            rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)"
            array = f"= ANY(ARRAY{rhs})" if connection.vendor == "postgresql" else f"IN {rhs}"
            return f"{lhs} {array}", [*lhs_params, *rhs_params]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(self.rhs)]


# A foreign key looks up only its own related lookups: register it there too.
models.ForeignObject.register_lookup(AnyOf)
