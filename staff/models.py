"""The org chart: units (a tree), positions with headcount and job descriptions, staff members.

Units are an adjacency list queried with recursive CTEs (django-tree-queries). Positions point to
the position they report to; the chain of command walks that pointer (see ``staff/chain.py``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from tree_queries.models import TreeNode


def in_reader_language(name: str, english: str | None) -> str:
    """Of a Chinese name and its optional English one, the one the reader reads."""
    if english and (get_language() or "").startswith("en"):
        return english
    return name


class BilingualNameMixin:
    """Org data carries a Chinese name and an optional English one; show the one the reader reads."""

    name_field = "name"

    @property
    def display_name(self) -> str:
        return in_reader_language(getattr(self, self.name_field), getattr(self, f"{self.name_field}_en", ""))


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    ADMIN = "admin", _("Administrator")
    SUPPORT = "support", _("Support staff")


class Skill(models.Model):
    class Kind(models.TextChoices):
        BUSINESS_LINE = "business_line", _("Business line")
        CHANNEL = "channel", _("Channel")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Unit(BilingualNameMixin, TreeNode):
    class Kind(models.TextChoices):
        CENTER = "center", _("Center")
        DEPARTMENT = "department", _("Department")
        SECTION = "section", _("Section")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    field_team = models.BooleanField(
        _("field team"), default=False,
        help_text=_("Repairs can be dispatched to it (抢修班组); it has a list of its work orders."),
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="units", verbose_name=_("skills"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True,
                                     help_text=_("A closed unit keeps its tickets' history but takes no new work."))
    history = HistoricalRecords(excluded_fields=["sort_order"])

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.display_name


def open_units() -> models.QuerySet[Unit]:
    """Units that are not closed: the ones work can be sent to."""
    return Unit.objects.filter(closed_at__isnull=True)


class Position(BilingualNameMixin, models.Model):
    """A post in a unit. ``headcount`` is the planned establishment (编制); holders are the actual."""

    name_field = "title"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="positions", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    reports_to = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="direct_reports",
        verbose_name=_("reports to"),
    )
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1)
    in_establishment = models.BooleanField(
        _("counts toward the unit's headcount"),
        default=True,
        help_text=_("Off for posts outside the establishment, such as drivers whose number follows the vehicles."),
    )
    headcount_note = models.CharField(_("headcount note"), max_length=200, blank=True)
    concurrent_allowed = models.BooleanField(_("may be held concurrently"), default=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit_id", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("id")), name="position_not_own_superior"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def filled(self) -> int:
        """Active holders, primary and concurrent; needs the ``position_list()`` annotations."""
        return self.filled_primary + self.filled_concurrent

    @property
    def vacant(self) -> int:
        return max(self.headcount - self.filled, 0)

    @property
    def over(self) -> bool:
        """More people hold it than its headcount (超编)."""
        return self.filled > self.headcount

    def clean(self) -> None:
        super().clean()
        if self.pk and self.reports_to_id:
            from staff.chain import position_ancestor_ids

            if self.reports_to_id == self.pk or self.pk in position_ancestor_ids(self.reports_to_id):
                raise ValidationError(
                    {"reports_to": _("A position cannot report to itself or to its own subordinate.")})


class Kpi(models.TextChoices):
    SLA = "sla", _("SLA compliance")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    CALLBACK = "callback", _("Callback completion")
    PICKUP = "pickup", _("Answered within 15 s")
    ERRORS = "errors", _("Service error rate")


class Figure(models.TextChoices):
    """The product's own figures a job description's standard may name: the scorecard's KPIs and more."""

    SLA = "sla", _("SLA compliance")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    CALLBACK = "callback", _("Callback completion")
    PICKUP = "pickup", _("Answered within 15 s")
    ERRORS = "errors", _("Service error rate")
    COMPLAINTS = "complaints", _("Complaint resolution rate")


class JobDescription(models.Model):
    """岗位说明书. Name, code, department, superior, subordinates, headcount and grade are read from
    the position, so they never disagree with the org chart."""

    position = models.OneToOneField(
        Position, models.CASCADE, related_name="job_description", verbose_name=_("position")
    )
    purpose = models.TextField(_("purpose of the post"), blank=True)
    working_conditions = models.TextField(_("working conditions"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    taboos = models.TextField(_("taboos"), blank=True)
    career_path = models.TextField(_("career path"), blank=True)
    education = models.CharField(_("education"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("years of experience"), null=True, blank=True)
    certificates = models.TextField(_("certificates"), blank=True)
    skills = models.TextField(_("skills"), blank=True)
    abilities = models.TextField(_("abilities"), blank=True)
    attitude = models.TextField(_("attitude"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("job description")
        verbose_name_plural = _("job descriptions")

    def __str__(self) -> str:
        return str(self.position)


class Duty(models.Model):
    """A duty (职责) and its tasks. Each task is ``{"name", "key_process", "major_result", "frequency",
    "measures"}`` (任务名称, 关键流程, 重大结果, 频次 such as 随时 / 每月 / 每年2月, 衡量指标); see
    ``staff/jobdoc.py``."""

    job_description = models.ForeignKey(JobDescription, models.CASCADE, related_name="duties")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("duty"), max_length=200)
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class PerformanceStandard(models.Model):
    class Comparator(models.TextChoices):
        GTE = "gte", "≥"
        GT = "gt", ">"
        LTE = "lte", "≤"
        LT = "lt", "<"
        EQ = "eq", "="

    job_description = models.ForeignKey(JobDescription, models.CASCADE, related_name="standards")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.CharField(_("indicator"), max_length=200)
    figure = models.CharField(
        _("product figure"), max_length=20, choices=Figure.choices, blank=True,
        help_text=_("When the indicator is one the product measures, the holder's value is shown beside the target "
                    "and the target feeds the post's scorecard."))
    comparator = models.CharField(_("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.GTE)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("For example: %, per year."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("performance standard")
        verbose_name_plural = _("performance standards")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_comparator_display()} {self.target.normalize():f}{self.unit}"


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_member", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    agent_no = models.CharField(_("agent number"), max_length=20, unique=True, null=True, blank=True)
    position = models.ForeignKey(
        Position,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="holders",
        verbose_name=_("primary position"),
    )
    concurrent_posts = models.ManyToManyField(
        Position,
        through="ConcurrentPost",
        related_name="concurrent_holders",
        blank=True,
        verbose_name=_("concurrent posts"),
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="staff", verbose_name=_("skills"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    on_leave = models.BooleanField(
        _("on leave"), default=False,
        help_text=_("Escalations pass over a person on leave to the next person up, as over a vacant post."))
    history = HistoricalRecords(m2m_fields=[skills])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["employee_no"]
        indexes = [models.Index(fields=["position", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def role(self) -> str | None:
        return self.position.role if self.position_id else None


class OrgStamp(models.Model):
    """One row: a random number the database changes whenever the org chart does (posts, who holds
    them, concurrent posts, someone made active or inactive). Triggers keep it (migration 0006), so
    every way of writing (services, the admin, an import, SQL by hand) changes it; a person's scope is
    cached under it (``staff.access.scope_for``). Random rather than counted: a number from a
    rolled-back change is never seen again."""

    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("org chart stamp")
        verbose_name_plural = _("org chart stamps")

    def __str__(self) -> str:
        return str(self.stamp)

    @classmethod
    def lock(cls) -> None:
        """Take the stamp's row first in a transaction that writes the org chart. Its triggers lock the
        row at the first write and keep it to the commit, so a writer that had locked some person first
        and then waited for the stamp could deadlock with one holding the stamp and waiting for that
        person; taking the stamp before any other row makes org writes queue instead. (SQLite locks
        the whole database at the start of a write.)"""
        if connection.vendor == "postgresql":
            list(cls.objects.select_for_update().filter(pk=1).values_list("pk", flat=True))


class ConcurrentPost(models.Model):
    """兼任: a second post held by someone whose primary position is elsewhere."""

    staff = models.ForeignKey(StaffMember, models.CASCADE, related_name="concurrent_assignments")
    position = models.ForeignKey(Position, models.CASCADE, related_name="concurrent_assignments")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("concurrent post")
        verbose_name_plural = _("concurrent posts")
        constraints = [models.UniqueConstraint(fields=["staff", "position"], name="concurrent_post_unique")]

    def __str__(self) -> str:
        return f"{self.staff} → {self.position}"


# KPIs where less is better: their points come from the distance below the limit.
LOWER_IS_BETTER = frozenset({Kpi.ERRORS})


class ScoreWeight(models.Model):
    """How much one KPI weighs in the 100-point score, and the target that earns its full weight.

    A KPI where more is better earns ``weight × min(1, value / target)``; the error rate earns
    ``weight × min(1, (1 - value) / (1 - target))``. An agent with no data for a KPI in a month is
    scored on the others, their weights scaled up to 100.
    """

    kpi = models.CharField(_("KPI"), max_length=20, choices=Kpi.choices, unique=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(0), MaxValueValidator(100)])
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=4,
                                 validators=[MinValueValidator(0), MaxValueValidator(1)],
                                 help_text=_("A share: 0.9 is 90%. For the error rate, the most allowed."))

    class Meta:
        verbose_name = _("score weight")
        verbose_name_plural = _("score weights")
        ordering = ["kpi"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0, weight__lte=100), name="score_weight_range"),
            models.CheckConstraint(condition=models.Q(target__gte=0, target__lte=1), name="score_target_share"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} {self.weight}"


class Band(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    COMPETENT = "competent", _("Competent")
    BASIC = "basic", _("Basically competent")
    NOT_COMPETENT = "not_competent", _("Not competent")


class Scorecard(models.Model):
    """One agent's 100-point score for one month: KPI values and points, a supervisor's adjustment, the band."""

    staff = models.ForeignKey(StaffMember, models.CASCADE, related_name="scorecards", verbose_name=_("staff member"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    team = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team"))
    kpis = models.JSONField(_("KPIs"), default=dict)
    base_score = models.DecimalField(_("score from KPIs"), max_digits=5, decimal_places=2)
    adjustment = models.DecimalField(_("adjustment"), max_digits=5, decimal_places=2, default=0)
    adjustment_reason = models.CharField(_("reason for the adjustment"), max_length=300, blank=True)
    adjusted_by = models.ForeignKey(StaffMember, models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("adjusted by"))
    total = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    band = models.CharField(_("band"), max_length=20, choices=Band.choices)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["month", "team", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="scorecard_once_per_month"),
            models.CheckConstraint(condition=models.Q(total__gte=0, total__lte=100), name="scorecard_total_range"),
        ]
        indexes = [models.Index(fields=["month", "team"], name="scorecard_month_team")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m} {self.total}"


class JobDescriptionVersion(models.Model):
    """One numbered version of a job description: a document (``staff/jobdoc.py``) that is drafted,
    submitted, approved by the post's superior (or an org admin) and published with an effective date.

    The published version in effect is what staff read; it is also written into ``JobDescription`` and
    its duties and standards (``staff.services.jd_version_put_in_effect``), which the API and the
    scorecards read.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.APPROVED)

    job_description = models.ForeignKey(JobDescription, models.CASCADE, related_name="versions",
                                        verbose_name=_("job description"))
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    content = models.JSONField(_("content"), default=dict)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    in_effect = models.BooleanField(_("in effect"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("drafted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    returned_reason = models.CharField(_("returned because"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("job description version")
        verbose_name_plural = _("job description versions")
        ordering = ["job_description_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job_description", "number"], name="jd_version_number_unique"),
            models.UniqueConstraint(fields=["job_description"], condition=Q(state__in=["draft", "submitted",
                                                                                        "approved"]),
                                    name="jd_one_open_version"),
            models.UniqueConstraint(fields=["job_description"], condition=Q(in_effect=True),
                                    name="jd_one_version_in_effect"),
            models.CheckConstraint(condition=Q(state="published") | Q(in_effect=False),
                                   name="jd_only_published_in_effect"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class OrgChange(models.Model):
    """One change to the org chart, with its reason and the date it takes effect.

    A change dated today or earlier is applied when it is confirmed; a later one waits, as
    ``scheduled``, for the task that applies what is due (``staff.services.org_changes_apply_due``).
    ``impact`` keeps what the person saw before confirming. The rows are the org's audit trail.
    """

    class Kind(models.TextChoices):
        UNIT_ADD = "unit_add", _("Add a unit")
        UNIT_UPDATE = "unit_update", _("Rename a unit")
        UNIT_MOVE = "unit_move", _("Move a unit")
        UNIT_CLOSE = "unit_close", _("Close a unit")
        POSITION_ADD = "position_add", _("Add a post")
        POSITION_UPDATE = "position_update", _("Change a post")
        POSITION_CLOSE = "position_close", _("Close a post")
        STAFF_ASSIGN = "staff_assign", _("Assign a person to a post")
        CONCURRENT_ADD = "concurrent_add", _("Give a concurrent post")
        CONCURRENT_END = "concurrent_end", _("End a concurrent post")
        LEAVE = "leave", _("Mark leave")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("org change", "Scheduled")
        APPLIED = "applied", pgettext_lazy("org change", "Applied")
        FAILED = "failed", _("Could not be applied")
        CANCELLED = "cancelled", pgettext_lazy("org change", "Cancelled")

    kind = models.CharField(_("change"), max_length=30, choices=Kind.choices)
    payload = models.JSONField(_("details"), default=dict)
    summary = models.CharField(_("summary"), max_length=400)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    impact = models.JSONField(_("impact"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    failure = models.CharField(_("why it could not be applied"), max_length=500, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    # What it is about, for the history pages (kept when the thing is later closed).
    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="changes")
    position = models.ForeignKey(Position, models.SET_NULL, null=True, blank=True, related_name="changes")
    staff = models.ForeignKey(StaffMember, models.SET_NULL, null=True, blank=True, related_name="changes")

    class Meta:
        verbose_name = _("org change")
        verbose_name_plural = _("org changes")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "effective_on"], name="orgchange_due")]

    def __str__(self) -> str:
        return self.summary
