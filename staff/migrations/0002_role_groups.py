"""Create one group per role with the permissions declared in ``staff/roles.py``."""

from django.db import migrations


def forwards(apps, schema_editor):
    from staff.roles import migrate_role_groups

    migrate_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
