"""The org chart: units (a tree), positions with headcount and job descriptions, staff members.

Units are an adjacency list queried with recursive CTEs (django-tree-queries). Positions point to
the position they report to; the chain of command walks that pointer (see ``staff/chain.py``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from tree_queries.models import TreeNode


class BilingualNameMixin:
    """Org data carries a Chinese name and an optional English one; show the one the reader reads."""

    name_field = "name"

    @property
    def display_name(self) -> str:
        base = getattr(self, self.name_field)
        english = getattr(self, f"{self.name_field}_en", "")
        if english and (get_language() or "").startswith("en"):
            return english
        return base


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
    history = HistoricalRecords(excluded_fields=["sort_order"])

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.display_name


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

    def clean(self) -> None:
        super().clean()
        if self.pk and self.reports_to_id:
            from staff.chain import position_ancestor_ids

            if self.reports_to_id == self.pk or self.pk in position_ancestor_ids(self.reports_to_id):
                raise ValidationError(
                    {"reports_to": _("A position cannot report to itself or to its own subordinate.")})


class JobDescription(models.Model):
    """岗位说明书. Name, code, department, superior, subordinates, headcount and grade are read from
    the position, so they never disagree with the org chart."""

    position = models.OneToOneField(
        Position, models.CASCADE, related_name="job_description", verbose_name=_("position")
    )
    purpose = models.TextField(_("purpose of the post"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    taboos = models.TextField(_("taboos"), blank=True)
    career_path = models.TextField(_("career path"), blank=True)
    education = models.CharField(_("education"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("years of experience"), null=True, blank=True)
    certificates = models.TextField(_("certificates"), blank=True)
    skills = models.TextField(_("skills"), blank=True)
    abilities = models.TextField(_("abilities"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("job description")
        verbose_name_plural = _("job descriptions")

    def __str__(self) -> str:
        return str(self.position)


class Duty(models.Model):
    class Frequency(models.TextChoices):
        ANY_TIME = "any_time", _("Any time")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    job_description = models.ForeignKey(JobDescription, models.CASCADE, related_name="duties")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("duty"), max_length=200)
    tasks = models.TextField(_("tasks"), blank=True)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.ANY_TIME)
    frequency_detail = models.CharField(
        _("frequency detail"), max_length=100, blank=True, help_text=_("For example: every February.")
    )
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


class Kpi(models.TextChoices):
    SLA = "sla", _("SLA compliance")
    SATISFACTION = "satisfaction", _("Satisfaction rate")
    CALLBACK = "callback", _("Callback completion")
    PICKUP = "pickup", _("Answered within 15 s")
    ERRORS = "errors", _("Service error rate")


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
