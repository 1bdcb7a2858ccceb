# Indexes for lists sorted most urgent first, built without locking the table (issue 18).

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from servicecenter.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('staff', '0005_org_editor_jd_versions'),
        ('tickets', '0008_event_kind_merged'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(django.db.models.functions.comparison.Coalesce('sla_due_at', models.Value(datetime.datetime(3000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), output_field=models.DateTimeField())), models.F('priority'), models.F('received_at'), models.F('id'), name='ticket_urgent'),
        ),
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(models.F('assignee'), django.db.models.functions.comparison.Coalesce('sla_due_at', models.Value(datetime.datetime(3000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), output_field=models.DateTimeField())), models.F('priority'), models.F('received_at'), models.F('id'), condition=models.Q(('status__in', ['new', 'assigned', 'in_progress', 'pending_customer'])), name='ticket_mine_urgent'),
        ),
    ]
