"""The notification model moves here from the sla app: the table (``sla_notification``), its rows and
indexes stay as they are; only Django's record of which app owns the model changes, and its content
type (so the permissions given on it are kept)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_moves(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="notifications", model="notification").exists():
        content_type.objects.filter(app_label="sla", model="notification").update(app_label="notifications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sla', '0006_calls_attempts_and_reaper'),
        ('tickets', '0007_event_transfer_reclassify'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('sla', 'Deadline'), ('follow_up', 'Unhappy customer')], db_default='sla', default='sla', max_length=20, verbose_name='kind')),
                ('level', models.PositiveSmallIntegerField(default=0, verbose_name='level')),
                ('target', models.CharField(blank=True, choices=[('first_response', 'First response'), ('resolution', 'Resolution (reply)'), ('dispatch', 'Dispatch'), ('arrival', 'On-site arrival'), ('restoration', 'Restoration'), ('callback', 'Callback')], max_length=20, verbose_name='target')),
                ('created_at', models.DateTimeField(verbose_name='time')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                ('emailed_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mailed at')),
                ('escalation', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notification', to='sla.escalation', verbose_name='escalation')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket', verbose_name='ticket')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'db_table': 'sla_notification',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient', 'created_at'], name='notification_unread'), models.Index(fields=['recipient', 'created_at'], name='notification_recipient'), models.Index(condition=models.Q(('emailed_at__isnull', True)), fields=['created_at'], name='notification_to_email')],
            },
        )], database_operations=[]),
        migrations.RunPython(content_type_moves, migrations.RunPython.noop),
    ]
