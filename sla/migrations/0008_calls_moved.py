"""The call models now belong to the calls app; their tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0007_notification_moved'),
        ('calls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='callrecord',
                name='source',
            ),
            migrations.DeleteModel(
                name='CallImport',
            ),
            migrations.DeleteModel(
                name='CallRecord',
            ),
        ], database_operations=[]),
    ]
