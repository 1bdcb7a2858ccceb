# The figures from rollups read the running clocks past their warning or their deadline, whichever is
# first: an index of that first moment makes them one range, where the two-column condition let the
# planner scan every clock of the period instead (issue 18). Built before the old index goes, neither
# locking the table.

import django.db.models.functions.comparison
from django.db import migrations, models

from servicecenter.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('sla', '0011_clock_running_warn'),
        ('staff', '0006_orgstamp'),
        ('tickets', '0011_mine_queue_covering_index'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='clock',
            index=models.Index(django.db.models.functions.comparison.Least('warn_at', 'due_at'), condition=models.Q(('callback__isnull', True), ('state', 'running')), name='clock_running_first'),
        ),
        RemoveIndexConcurrently(
            model_name='clock',
            name='clock_running_warn',
        ),
    ]
