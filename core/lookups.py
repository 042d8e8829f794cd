"""`field__any_of=[ids]`: membership in a list of integers sent as one parameter.

`field__in=[…]` sends each id as its own placeholder: for a few hundred ids, quoting and
splitting them costs more than the query (the dashboard's confidential deals). Here the
list is one array (PostgreSQL: `= ANY(%s)`) or one JSON text (SQLite: `json_each`).
"""

from __future__ import annotations

import json

from django.db import models


@models.Field.register_lookup
class AnyOf(models.Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(self.rhs)]


# A foreign key looks up only its own related lookups: register it there too.
models.ForeignObject.register_lookup(AnyOf)
