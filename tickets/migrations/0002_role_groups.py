"""Give the roles their ticket permissions (``staff/roles.py``) now that the ticket tables exist."""

from django.db import migrations


def forwards(apps, schema_editor):
    from staff.roles import migrate_role_groups

    migrate_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
