# My queue's index carries the scope's other columns, so the queue's capped count reads 1,001 index
# entries and no table row (issue 18); the new index is built before the old one goes, neither
# locking the table.

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from servicecenter.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('staff', '0006_orgstamp'),
        ('tickets', '0010_sla_alarm_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(models.F('assignee'), django.db.models.functions.comparison.Coalesce('sla_due_at', models.Value(datetime.datetime(3000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), output_field=models.DateTimeField())), models.F('priority'), models.F('received_at'), models.F('id'), condition=models.Q(('status__in', ['new', 'assigned', 'in_progress', 'pending_customer'])), include=('team', 'responsible_unit'), name='ticket_mine_cover'),
        ),
        RemoveIndexConcurrently(
            model_name='ticket',
            name='ticket_mine_urgent',
        ),
    ]
