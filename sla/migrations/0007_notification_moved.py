"""The notification model now belongs to the notifications app; its table stays (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0006_calls_attempts_and_reaper'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='Notification')],
                                            database_operations=[]),
    ]
