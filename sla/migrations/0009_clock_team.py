"""A clock records the team that held its ticket when it breached or was met (``Clock.team``), so that
compliance counts it for that team rather than for the team that holds the ticket now.

The column is added without an index or a foreign-key constraint (``sla_clock`` is a big table: either
would lock it while it builds; the figures only group by it). Existing clocks that are met or breached
are given their ticket's current team, the best that is known of them, in one UPDATE."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def backfill(apps, schema_editor):
    Clock = apps.get_model("sla", "Clock")
    Ticket = apps.get_model("tickets", "Ticket")
    Clock.objects.filter(Q(state="met") | Q(breached_at__isnull=False), team__isnull=True).update(
        team_id=Subquery(Ticket.objects.filter(pk=OuterRef("ticket_id")).values("team_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0008_calls_moved'),
        ('staff', '0004_unit_field_team'),
        ('tickets', '0008_event_kind_merged'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='clock',
                    name='team',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                            on_delete=models.deletion.SET_NULL, related_name='+', to='staff.unit',
                                            verbose_name='team when met or breached'),
                ),
            ],
            database_operations=[
                # The same column as a plain nullable integer: no index, no constraint.
                migrations.AddField(model_name='clock', name='team',
                                    field=models.BigIntegerField(null=True, blank=True, db_column='team_id')),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
