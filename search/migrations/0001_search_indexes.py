"""The indexes search needs on PostgreSQL: pg_trgm, one GIN full-text index per kind and
GIN trigram indexes for the names.

Expression indexes serve only a query with the same expression: each full-text index
is built from search/selectors.py VECTORS exactly as SearchVector(..., config=CONFIG)
compiles it, and each trigram index is on UPPER(column), which both `icontains`
(UPPER(col) LIKE UPPER(…)) and the selectors' TrigramWordSimilar(Upper(col), …) use.
The deal title's trigram index exists already (deals 0008). SQLite has none of this:
the statements run on PostgreSQL only, and TrigramExtension is a no-op elsewhere.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CONFIG = "english"

# (index name, table, columns): as search/selectors.py VECTORS, kind by kind.
FULL_TEXT = [
    ("search_deal_fts", "deals_deal", ("title", "summary")),
    ("search_partner_fts", "partnerships_partner", ("name", "notes")),
    ("search_partnership_fts", "partnerships_partnership", ("title", "description")),
    ("search_term_fts", "deals_term", ("title", "wording")),
    ("search_concern_fts", "stakeholders_concern", ("title", "detail", "resolution")),
    ("search_reply_fts", "stakeholders_concernreply", ("body",)),
    ("search_comment_fts", "stakeholders_reviewcomment", ("body",)),
]
TRIGRAM = [
    ("search_partner_name_trgm", "partnerships_partner", "name"),
    ("search_partnership_title_trgm", "partnerships_partnership", "title"),
    ("search_term_title_trgm", "deals_term", "title"),
    ("search_concern_title_trgm", "stakeholders_concern", "title"),
]


def vector(columns) -> str:
    text = " || ' ' || ".join(f"COALESCE(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {text})"


CREATE = [
    f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin (({vector(columns)}))'
    for name, table, columns in FULL_TEXT
] + [
    f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
    for name, table, column in TRIGRAM
]
DROP = [f"DROP INDEX IF EXISTS {name}" for name, *_ in FULL_TEXT + TRIGRAM]


class KeepTrigramExtension(TrigramExtension):
    """CREATE EXTENSION IF NOT EXISTS pg_trgm going forwards; going back it stays: the
    deal title's index (deals 0008) needs it too, and SQLite has no extensions to drop."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0009_auditevent_to_core"),
        ("partnerships", "0003_partner_handles_customer_data"),
        ("stakeholders", "0009_session_sequence_cancelled"),
    ]

    operations = [
        KeepTrigramExtension(),
        migrations.RunPython(run(CREATE), run(DROP), elidable=False),
    ]
