"""The default survey template and score weights, and role permissions for the new models."""

from django.db import migrations


def forwards(apps, schema_editor):
    from staff.roles import migrate_role_groups
    from staff.presets import seed_weights
    from surveys.presets import seed_survey_template

    seed_survey_template(apps)
    seed_weights(apps)
    migrate_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("staff", "0003_scoreweight_scorecard"),
        ("sla", "0004_notification_kind"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
