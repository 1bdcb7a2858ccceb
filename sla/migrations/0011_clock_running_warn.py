# The figures from rollups read the running clocks past their warning (sla/rollup.py): an index of the
# running clocks by warning time, built without locking the table.

from django.db import migrations, models

from servicecenter.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('sla', '0010_clock_rollup'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='clock',
            index=models.Index(condition=models.Q(('callback__isnull', True), ('state', 'running')), fields=['warn_at'], name='clock_running_warn'),
        ),
    ]
