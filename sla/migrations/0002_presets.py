"""Seed the statutory calendar (chinesecalendar, then provisional years) and the 95598 policies;
give the admin role its SLA permissions."""

from django.db import migrations


def forwards(apps, schema_editor):
    from sla.presets import seed_calendar, seed_policies
    from staff.roles import migrate_role_groups

    seed_calendar(apps)
    seed_policies(apps)
    migrate_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("tickets", "0004_sla_fields"), ("staff", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
