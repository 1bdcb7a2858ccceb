# The dashboard's at-risk list reads the rows it shows, soonest first (issue 18); built without locking
# the table.

from django.db import migrations, models

from servicecenter.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('tickets', '0009_urgent_order_indexes'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(condition=models.Q(('sla_state__in', ['at_risk', 'breached']), ('status__in', ['new', 'assigned', 'in_progress', 'pending_customer'])), fields=['sla_due_at', 'id'], name='ticket_sla_alarm'),
        ),
    ]
