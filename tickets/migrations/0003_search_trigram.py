"""Trigram indexes for substring search of ticket subjects and customer names.

``icontains`` becomes ``UPPER(x) LIKE UPPER('%…%')``; on PostgreSQL a GIN trigram index on
``UPPER(x)`` serves it. pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner can
create it. The embedded SQLite database is small and scans.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket USING gin (UPPER(subject) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON tickets_customer USING gin (UPPER(name) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS ticket_subject_trgm", "DROP INDEX IF EXISTS customer_name_trgm"]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_role_groups")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
