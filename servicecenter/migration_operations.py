"""Migration operations for the big tables (tickets, their timeline, SLA clocks).

``AddIndexConcurrently`` is Django's (``django.contrib.postgres.operations``): on PostgreSQL it builds
the index with ``CREATE INDEX CONCURRENTLY``, so the table takes writes while it builds; it must run
in a migration with ``atomic = False``. Django's own fails on any other database (its schema editor
has no ``concurrently``); this one builds a plain index there, so the embedded SQLite demo and the
SQLite test suite still migrate. ``tests/test_migrations_concurrent.py`` holds new migrations to it.
"""

from django.contrib.postgres import operations as postgres
from django.db.migrations import AddIndex, RemoveIndex


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(postgres.RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
