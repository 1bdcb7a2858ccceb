# Job descriptions become versioned documents; the org chart gains closing, leave and dated changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The old duty frequency codes as a real document writes them.
FREQUENCY = {"any_time": "随时", "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度",
             "yearly": "每年"}


def duty_tasks_to_list(apps, schema_editor):
    """Each line (or ；-separated part) of a duty's old task text becomes a task with the duty's frequency."""
    Duty = apps.get_model("staff", "Duty")
    for duty in Duty.objects.all():
        frequency = duty.frequency_detail or FREQUENCY.get(duty.frequency, "")
        parts = [p.strip() for line in (duty.tasks or "").splitlines() for p in line.replace(";", "；").split("；")]
        duty.task_list = [{"name": p, "key_process": "", "major_result": "", "frequency": frequency,
                           "measures": ""} for p in parts if p]
        duty.save(update_fields=["task_list"])


def first_versions(apps, schema_editor):
    """Every job description written before versions existed becomes its version 1, published and in effect."""
    JobDescription = apps.get_model("staff", "JobDescription")
    Version = apps.get_model("staff", "JobDescriptionVersion")
    text = ("purpose", "working_conditions", "difficulties", "taboos", "career_path", "education", "major",
            "certificates", "skills", "abilities", "attitude")
    now = timezone.now()
    for jd in JobDescription.objects.all():
        content = {name: getattr(jd, name) or "" for name in text}
        content["years_experience"] = jd.years_experience
        content["duties"] = [{"title": d.title, "tasks": d.tasks} for d in jd.duties.order_by("sort_order", "id")]
        content["standards"] = [
            {"indicator": s.indicator, "figure": s.figure, "comparator": s.comparator,
             "target": format(s.target.normalize(), "f"), "unit": s.unit}
            for s in jd.standards.order_by("sort_order", "id")]
        Version.objects.create(job_description=jd, number=1, state="published", content=content, in_effect=True,
                               effective_on=timezone.localdate(jd.updated_at), created_at=jd.updated_at,
                               published_at=now, note="")


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0004_unit_field_team'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='duty',
            name='task_list',
            field=models.JSONField(blank=True, default=list, verbose_name='tasks'),
        ),
        migrations.AddField(
            model_name='historicalduty',
            name='task_list',
            field=models.JSONField(blank=True, default=list, verbose_name='tasks'),
        ),
        migrations.RunPython(duty_tasks_to_list, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='duty',
            name='frequency',
        ),
        migrations.RemoveField(
            model_name='duty',
            name='frequency_detail',
        ),
        migrations.RemoveField(
            model_name='historicalduty',
            name='frequency',
        ),
        migrations.RemoveField(
            model_name='historicalduty',
            name='frequency_detail',
        ),
        migrations.RemoveField(model_name='duty', name='tasks'),
        migrations.RemoveField(model_name='historicalduty', name='tasks'),
        migrations.RenameField(model_name='duty', old_name='task_list', new_name='tasks'),
        migrations.RenameField(model_name='historicalduty', old_name='task_list', new_name='tasks'),
        migrations.AddField(
            model_name='historicaljobdescription',
            name='attitude',
            field=models.TextField(blank=True, verbose_name='attitude'),
        ),
        migrations.AddField(
            model_name='historicaljobdescription',
            name='working_conditions',
            field=models.TextField(blank=True, verbose_name='working conditions'),
        ),
        migrations.AddField(
            model_name='historicalperformancestandard',
            name='figure',
            field=models.CharField(blank=True, choices=[('sla', 'SLA compliance'), ('satisfaction', 'Satisfaction rate'), ('callback', 'Callback completion'), ('pickup', 'Answered within 15 s'), ('errors', 'Service error rate'), ('complaints', 'Complaint resolution rate')], help_text="When the indicator is one the product measures, the holder's value is shown beside the target and the target feeds the post's scorecard.", max_length=20, verbose_name='product figure'),
        ),
        migrations.AddField(
            model_name='historicalposition',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='closed at'),
        ),
        migrations.AddField(
            model_name='historicalstaffmember',
            name='on_leave',
            field=models.BooleanField(default=False, help_text='Escalations pass over a person on leave to the next person up, as over a vacant post.', verbose_name='on leave'),
        ),
        migrations.AddField(
            model_name='historicalunit',
            name='closed_at',
            field=models.DateTimeField(blank=True, help_text="A closed unit keeps its tickets' history but takes no new work.", null=True, verbose_name='closed at'),
        ),
        migrations.AddField(
            model_name='jobdescription',
            name='attitude',
            field=models.TextField(blank=True, verbose_name='attitude'),
        ),
        migrations.AddField(
            model_name='jobdescription',
            name='working_conditions',
            field=models.TextField(blank=True, verbose_name='working conditions'),
        ),
        migrations.AddField(
            model_name='performancestandard',
            name='figure',
            field=models.CharField(blank=True, choices=[('sla', 'SLA compliance'), ('satisfaction', 'Satisfaction rate'), ('callback', 'Callback completion'), ('pickup', 'Answered within 15 s'), ('errors', 'Service error rate'), ('complaints', 'Complaint resolution rate')], help_text="When the indicator is one the product measures, the holder's value is shown beside the target and the target feeds the post's scorecard.", max_length=20, verbose_name='product figure'),
        ),
        migrations.AddField(
            model_name='position',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='closed at'),
        ),
        migrations.AddField(
            model_name='staffmember',
            name='on_leave',
            field=models.BooleanField(default=False, help_text='Escalations pass over a person on leave to the next person up, as over a vacant post.', verbose_name='on leave'),
        ),
        migrations.AddField(
            model_name='unit',
            name='closed_at',
            field=models.DateTimeField(blank=True, help_text="A closed unit keeps its tickets' history but takes no new work.", null=True, verbose_name='closed at'),
        ),
        migrations.CreateModel(
            name='JobDescriptionVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for approval'), ('approved', 'Approved'), ('published', 'Published')], default='draft', max_length=20, verbose_name='state')),
                ('content', models.JSONField(default=dict, verbose_name='content')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='what changed')),
                ('effective_on', models.DateField(blank=True, null=True, verbose_name='effective on')),
                ('in_effect', models.BooleanField(default=False, verbose_name='in effect')),
                ('created_at', models.DateTimeField(verbose_name='drafted at')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('returned_reason', models.CharField(blank=True, max_length=300, verbose_name='returned because')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='drafted by')),
                ('job_description', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='staff.jobdescription', verbose_name='job description')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by')),
            ],
            options={
                'verbose_name': 'job description version',
                'verbose_name_plural': 'job description versions',
                'ordering': ['job_description_id', 'number'],
                'constraints': [models.UniqueConstraint(fields=('job_description', 'number'), name='jd_version_number_unique'), models.UniqueConstraint(condition=models.Q(('state__in', ['draft', 'submitted', 'approved'])), fields=('job_description',), name='jd_one_open_version'), models.UniqueConstraint(condition=models.Q(('in_effect', True)), fields=('job_description',), name='jd_one_version_in_effect'), models.CheckConstraint(condition=models.Q(('state', 'published'), ('in_effect', False), _connector='OR'), name='jd_only_published_in_effect')],
            },
        ),
        migrations.CreateModel(
            name='OrgChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('unit_add', 'Add a unit'), ('unit_update', 'Rename a unit'), ('unit_move', 'Move a unit'), ('unit_close', 'Close a unit'), ('position_add', 'Add a post'), ('position_update', 'Change a post'), ('position_close', 'Close a post'), ('staff_assign', 'Assign a person to a post'), ('concurrent_add', 'Give a concurrent post'), ('concurrent_end', 'End a concurrent post'), ('leave', 'Mark leave')], max_length=30, verbose_name='change')),
                ('payload', models.JSONField(default=dict, verbose_name='details')),
                ('summary', models.CharField(max_length=400, verbose_name='summary')),
                ('effective_on', models.DateField(verbose_name='effective on')),
                ('reason', models.CharField(max_length=500, verbose_name='reason')),
                ('state', models.CharField(choices=[('scheduled', 'Scheduled'), ('applied', 'Applied'), ('failed', 'Could not be applied'), ('cancelled', 'Cancelled')], default='scheduled', max_length=20, verbose_name='state')),
                ('impact', models.JSONField(blank=True, default=dict, verbose_name='impact')),
                ('requested_at', models.DateTimeField(verbose_name='requested at')),
                ('applied_at', models.DateTimeField(blank=True, null=True, verbose_name='applied at')),
                ('failure', models.CharField(blank=True, max_length=500, verbose_name='why it could not be applied')),
                ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by')),
                ('position', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='staff.position')),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='staff.staffmember')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='staff.unit')),
            ],
            options={
                'verbose_name': 'org change',
                'verbose_name_plural': 'org changes',
                'ordering': ['-requested_at', '-id'],
                'indexes': [models.Index(fields=['state', 'effective_on'], name='orgchange_due')],
            },
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
