"""The compliance rollup (``sla/rollup.py``): two tables, the PostgreSQL triggers that keep them, and a
first count of the clocks (the clocks and tickets are locked against writes while it runs: a few
seconds at a million tickets). SQLite gets the tables only; its figures come from the scan.

This migration calls the rollup's code as it is now; a later change of the rollup's shape comes with a
migration of its own that installs and recounts again."""

from django.db import migrations, models


def install(apps, schema_editor):
    from sla import rollup

    rollup.rebuild(using=schema_editor.connection, with_backlog=False)  # (its tables come in 0013)


def uninstall(apps, schema_editor):
    from sla import rollup

    if schema_editor.connection.vendor == "postgresql":
        for statement in rollup.uninstall_sql():
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0009_clock_team'),
        ('staff', '0006_orgstamp'),
        ('tickets', '0010_sla_alarm_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClockRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('grain', models.PositiveSmallIntegerField(verbose_name='grain')),
                ('team_id', models.BigIntegerField(default=0, verbose_name='team')),
                ('assignee_id', models.BigIntegerField(default=0, verbose_name='agent')),
                ('kind', models.CharField(default='', max_length=20, verbose_name='kind')),
                ('target', models.CharField(max_length=20, verbose_name='target')),
                ('clocks', models.IntegerField(default=0, verbose_name='clocks')),
                ('met_on_time', models.IntegerField(default=0, verbose_name='met on time')),
                ('met_late', models.IntegerField(default=0, verbose_name='met late')),
                ('breached', models.IntegerField(default=0, verbose_name='breached')),
                ('breached_unmet', models.IntegerField(default=0, verbose_name='breached, not met')),
                ('paused', models.IntegerField(default=0, verbose_name='paused')),
                ('running', models.IntegerField(default=0, verbose_name='not met yet')),
                ('running_clean', models.IntegerField(default=0, verbose_name='running, not breached')),
                ('response_n', models.IntegerField(default=0, verbose_name='responses')),
                ('response_wall', models.FloatField(default=0, verbose_name='response time (s)')),
                ('response_working', models.FloatField(default=0, verbose_name='response working time (s)')),
                ('resolution_n', models.IntegerField(default=0, verbose_name='resolutions')),
                ('resolution_wall', models.FloatField(default=0, verbose_name='resolution time (s)')),
                ('resolution_working', models.FloatField(default=0, verbose_name='resolution working time (s)')),
            ],
            options={
                'verbose_name': 'clock rollup',
                'verbose_name_plural': 'clock rollups',
            },
        ),
        migrations.CreateModel(
            name='ClockRollupChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('grain', models.PositiveSmallIntegerField(verbose_name='grain')),
                ('team_id', models.BigIntegerField(default=0, verbose_name='team')),
                ('assignee_id', models.BigIntegerField(default=0, verbose_name='agent')),
                ('kind', models.CharField(default='', max_length=20, verbose_name='kind')),
                ('target', models.CharField(max_length=20, verbose_name='target')),
                ('clocks', models.IntegerField(default=0, verbose_name='clocks')),
                ('met_on_time', models.IntegerField(default=0, verbose_name='met on time')),
                ('met_late', models.IntegerField(default=0, verbose_name='met late')),
                ('breached', models.IntegerField(default=0, verbose_name='breached')),
                ('breached_unmet', models.IntegerField(default=0, verbose_name='breached, not met')),
                ('paused', models.IntegerField(default=0, verbose_name='paused')),
                ('running', models.IntegerField(default=0, verbose_name='not met yet')),
                ('running_clean', models.IntegerField(default=0, verbose_name='running, not breached')),
                ('response_n', models.IntegerField(default=0, verbose_name='responses')),
                ('response_wall', models.FloatField(default=0, verbose_name='response time (s)')),
                ('response_working', models.FloatField(default=0, verbose_name='response working time (s)')),
                ('resolution_n', models.IntegerField(default=0, verbose_name='resolutions')),
                ('resolution_wall', models.FloatField(default=0, verbose_name='resolution time (s)')),
                ('resolution_working', models.FloatField(default=0, verbose_name='resolution working time (s)')),
            ],
            options={
                'verbose_name': 'clock rollup change',
                'verbose_name_plural': 'clock rollup changes',
            },
        ),
        migrations.AddConstraint(
            model_name='clockrollup',
            constraint=models.UniqueConstraint(fields=('day', 'grain', 'team_id', 'assignee_id', 'kind', 'target'), name='clock_rollup_key'),
        ),
        migrations.AddIndex(
            model_name='clockrollupchange',
            index=models.Index(fields=['day'], name='clock_rollup_change_day'),
        ),
        migrations.RunPython(install, uninstall),
    ]
