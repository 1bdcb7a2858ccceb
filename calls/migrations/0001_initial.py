"""The call import and call record models move here from the sla app: their tables (``sla_callimport``,
``sla_callrecord``), rows, constraints and indexes stay as they are; only Django's record of which app
owns them changes, and their content types (so the permissions given on them are kept)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_types_move(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("callimport", "callrecord"):
        if not content_type.objects.filter(app_label="calls", model=model).exists():
            content_type.objects.filter(app_label="sla", model=model).update(app_label="calls")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('sla', '0007_notification_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='CallImport',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=200, verbose_name='file name')),
                    ('format', models.CharField(choices=[('queue_log', 'Asterisk queue_log'), ('csv', 'CSV')], max_length=20, verbose_name='format')),
                    ('content', models.TextField(verbose_name='content')),
                    ('sha256', models.CharField(db_index=True, max_length=64, verbose_name='checksum')),
                    ('status', models.CharField(choices=[('pending', 'Waiting'), ('running', 'Importing'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=20, verbose_name='status')),
                    ('lines', models.PositiveIntegerField(default=0, verbose_name='lines')),
                    ('processed', models.PositiveIntegerField(default=0, verbose_name='lines read')),
                    ('imported', models.PositiveIntegerField(default=0, verbose_name='calls imported')),
                    ('duplicates', models.PositiveIntegerField(default=0, verbose_name='calls already known')),
                    ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                    ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last progress')),
                    ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='runs started')),
                    ('failure_reason', models.CharField(blank=True, choices=[('worker_lost', 'The import stopped without finishing every time a worker tried it (the worker was lost or failed), so it was given up. Upload the file again to retry.'), ('time_limit', 'The import took longer than its time limit and was stopped. Split the file and upload the parts.')], default='', max_length=20, verbose_name='why it failed')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
                ],
                options={
                    'verbose_name': 'call import',
                    'verbose_name_plural': 'call imports',
                    'db_table': 'sla_callimport',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='CallRecord',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('call_id', models.CharField(max_length=64, verbose_name='call id')),
                    ('queue', models.CharField(max_length=80, verbose_name='queue')),
                    ('enqueued_at', models.DateTimeField(verbose_name='entered the queue')),
                    ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                    ('outcome', models.CharField(choices=[('answered', 'Answered'), ('abandoned', 'Abandoned'), ('timeout', 'Timed out'), ('exit_key', 'Left by key'), ('exit_empty', 'Queue empty'), ('transferred', 'Transferred'), ('withdrawn', 'Withdrawn'), ('dropped', 'Dropped by the phone system')], max_length=20, verbose_name='outcome')),
                    ('wait_seconds', models.PositiveIntegerField(default=0, verbose_name='wait (s)')),
                    ('ring_seconds', models.PositiveIntegerField(blank=True, null=True, verbose_name='ring (s)')),
                    ('talk_seconds', models.PositiveIntegerField(blank=True, null=True, verbose_name='talk (s)')),
                    ('agent', models.CharField(blank=True, max_length=80, verbose_name='agent')),
                    ('caller', models.CharField(blank=True, max_length=40, verbose_name='caller')),
                    ('attempt', models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name='attempt')),
                    ('transfer_kind', models.CharField(blank=True, choices=[('transfer', 'Transfer'), ('blind', 'Blind transfer'), ('attended', 'Attended transfer')], db_default='', default='', max_length=20, verbose_name='how it was transferred')),
                    ('transfer_exten', models.CharField(blank=True, db_default='', default='', max_length=80, verbose_name='transferred to extension')),
                    ('transfer_context', models.CharField(blank=True, db_default='', default='', max_length=80, verbose_name='transferred to context')),
                    ('transfer_target', models.CharField(blank=True, db_default='', default='', max_length=255, verbose_name='transferred to')),
                    ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='calls', to='calls.callimport', verbose_name='import')),
                ],
                options={
                    'verbose_name': 'call',
                    'verbose_name_plural': 'calls',
                    'db_table': 'sla_callrecord',
                    'ordering': ['-enqueued_at', '-id'],
                    'indexes': [models.Index(fields=['enqueued_at'], name='call_enqueued'), models.Index(fields=['queue', 'enqueued_at'], name='call_queue_enqueued'), models.Index(fields=['agent', 'enqueued_at'], name='call_agent_enqueued')],
                    'constraints': [models.UniqueConstraint(fields=('call_id', 'queue', 'enqueued_at', 'attempt'), name='call_attempt_once')],
                },
            ),
        ], database_operations=[]),
        migrations.RunPython(content_types_move, migrations.RunPython.noop),
    ]
