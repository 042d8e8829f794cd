"""A trigram index for the dashboard's title search, on PostgreSQL only.

`title__icontains` compiles to UPPER(title) LIKE UPPER('%…%'), which a B-tree
cannot serve; a GIN trigram index on UPPER(title) can. SQLite (which runs the
tests too) has no such index, so the SQL runs only on PostgreSQL. Creating the
pg_trgm extension needs a role allowed to (a superuser, or the database owner on
PostgreSQL 13+ where pg_trgm is a trusted extension).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS deal_title_trgm_idx ON deals_deal "
    "USING gin (UPPER(title) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS deal_title_trgm_idx"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0007_briefingpack"),
    ]

    operations = [
        migrations.RunPython(run(CREATE), run(DROP), elidable=False),
    ]
