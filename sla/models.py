"""Calendars, policies and their targets, clocks on tickets, escalations and notifications.

The arithmetic is in ``sla/calendar.py``; workflows in ``sla/services.py``; the sweep in
``sla/sweep.py``. See ``shared/sla.md`` for the semantics.
"""

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _

from tickets.models import Area, Channel, CustomerClass, Kind, Priority


class Unit(models.TextChoices):
    MINUTES = "minutes", _("Minutes (24×7)")
    BUSINESS_MINUTES = "business_minutes", _("Business minutes")
    WORKING_DAYS = "working_days", _("Working days")


class EndOfDay(models.TextChoices):
    CLOSE = "close", _("Close of business")
    MIDNIGHT = "midnight", _("24:00")


def new_version() -> str:
    return uuid.uuid4().hex


class Calendar(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    is_default = models.BooleanField(_("default"), default=False)
    # A fresh random token on every change of days or hours, so that cached arithmetic knows to
    # reload (random, not a counter: a rolled-back change must never share a later change's stamp).
    version = models.CharField(_("version"), max_length=32, default=new_version, editable=False)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"),
        ]

    def __str__(self) -> str:
        return self.name


class DaySource(models.TextChoices):
    OFFICIAL = "official", _("Official (State Council schedule)")
    PROVISIONAL = "provisional", _("Provisional (weekdays and known holidays)")
    ADMIN = "admin", _("Entered by an administrator")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(Calendar, models.CASCADE, related_name="days", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=DaySource.choices, default=DaySource.OFFICIAL)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {'✓' if self.is_workday else '—'} {self.name}"

    @property
    def is_provisional(self) -> bool:
        return self.source == DaySource.PROVISIONAL


class BusinessInterval(models.Model):
    calendar = models.ForeignKey(Calendar, models.CASCADE, related_name="intervals", verbose_name=_("calendar"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start >= self.end:
            raise ValidationError(_("Business hours must end after they start."))


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution (reply)")
    DISPATCH = "dispatch", _("Dispatch")
    ARRIVAL = "arrival", _("On-site arrival")
    RESTORATION = "restoration", _("Restoration")
    CALLBACK = "callback", _("Callback")


class Policy(models.Model):
    """Targets for the tickets it matches. Ranked; blank fields match anything; first match wins."""

    rank = models.PositiveIntegerField(_("rank"), default=100, help_text=_("Lower ranks are tried first."))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, null=True, blank=True)
    customer_class = models.CharField(_("customer class"), max_length=20, choices=CustomerClass.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    area = models.CharField(_("area"), max_length=10, choices=Area.choices, blank=True)
    calendar = models.ForeignKey(Calendar, models.PROTECT, null=True, blank=True, related_name="policies",
                                 verbose_name=_("calendar"), help_text=_("Blank: the default calendar."))
    end_of_day = models.CharField(_("a working day ends at"), max_length=10, choices=EndOfDay.choices,
                                  default=EndOfDay.CLOSE)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fallback(self) -> bool:
        return self.priority is None and not self.customer_class and not self.channel and not self.area


class PolicyTarget(models.Model):
    policy = models.ForeignKey(Policy, models.CASCADE, related_name="targets", verbose_name=_("policy"))
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("time unit"), max_length=20, choices=Unit.choices)
    warn_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percent of the target)"), default=80,
        help_text=_("A warning goes out when this share has passed."),
    )
    escalate_every = models.PositiveIntegerField(
        _("next escalation level after"), default=1, help_text=_("Time after a breach before each next level.")
    )
    escalate_every_unit = models.CharField(_("time unit"), max_length=20, choices=Unit.choices,
                                           default=Unit.WORKING_DAYS)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["policy", "target"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "target"], name="policy_target_unique"),
            models.CheckConstraint(condition=Q(warn_percent__gte=1, warn_percent__lte=100), name="warn_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()}: {self.amount} {self.get_unit_display()}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


class Clock(models.Model):
    """One target running on one ticket. ``snapshot`` keeps the target as it was when it started."""

    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="clocks", verbose_name=_("ticket"))
    callback = models.ForeignKey("tickets.Callback", models.CASCADE, null=True, blank=True, related_name="clocks",
                                 verbose_name=_("callback"))
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    policy = models.ForeignKey(Policy, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("policy"))
    calendar = models.ForeignKey(Calendar, models.PROTECT, related_name="clocks", verbose_name=_("calendar"))
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("time unit"), max_length=20, choices=Unit.choices)
    end_of_day = models.CharField(_("a working day ends at"), max_length=10, choices=EndOfDay.choices,
                                  default=EndOfDay.CLOSE)
    warn_percent = models.PositiveSmallIntegerField(_("warning threshold (percent of the target)"), default=80)
    escalate_every = models.PositiveIntegerField(_("next escalation level after"), default=1)
    escalate_every_unit = models.CharField(_("time unit"), max_length=20, choices=Unit.choices,
                                           default=Unit.WORKING_DAYS)
    state = models.CharField(_("state"), max_length=20, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.FloatField(_("paused working time (s)"), default=0)
    provisional = models.BooleanField(_("provisional"), default=False)
    # When met: how long it took, in wall time and in the target's working time (pauses excluded).
    elapsed_wall = models.FloatField(_("elapsed (s)"), null=True, blank=True)
    elapsed_working = models.FloatField(_("elapsed working time (s)"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warning sent at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    # The team that held the ticket when the clock breached, or else when it was met: the figures count
    # the clock for that team, not for whichever team holds the ticket now. Empty while it runs on time.
    # No index and no database constraint: only the figures read it, grouped, and a unit's deletion empties it
    # through the ORM (a constraint or an index would lock the big table while they build).
    team = models.ForeignKey("staff.Unit", models.SET_NULL, null=True, blank=True, related_name="+",
                             db_index=False, db_constraint=False, verbose_name=_("team when met or breached"))

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["ticket", "due_at"]
        indexes = [
            # The sweep's three range scans: warnings, breaches, next levels.
            models.Index(fields=["warn_at"], name="clock_warn_due",
                         condition=Q(state="running", warned_at__isnull=True)),
            models.Index(fields=["due_at"], name="clock_breach_due", condition=Q(state="running")),
            models.Index(fields=["next_escalation_at"], name="clock_next_level",
                         condition=Q(next_escalation_at__isnull=False)),
            models.Index(fields=["ticket", "target"], name="clock_ticket_target"),
            # The figures: compliance over clocks started in a period, scorecards over clocks due in a month.
            models.Index(fields=["started_at"], name="clock_started", condition=Q(callback__isnull=True)),
            # The figures from rollups read only the running clocks past their warning or their deadline,
            # whichever comes first (``sla/rollup.py``): one range of this index, whatever the period's volume.
            models.Index(Least("warn_at", "due_at"), name="clock_running_first",
                         condition=Q(callback__isnull=True, state="running")),
            models.Index(fields=["due_at"], name="clock_due"),
            models.Index(fields=["calendar", "state"], name="clock_calendar_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target"], condition=Q(callback__isnull=True),
                                    name="clock_one_per_ticket_target"),
            models.UniqueConstraint(fields=["callback"], condition=Q(callback__isnull=False),
                                    name="clock_one_per_callback"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.state}"

    @property
    def is_late(self) -> bool:
        return self.breached_at is not None

    @property
    def met_late(self) -> bool:
        """Met, but after a deadline had passed (the breach stays recorded when the clock is met)."""
        return self.state == ClockState.MET and self.breached_at is not None

    @property
    def late_by(self) -> timedelta | None:
        """How long after its deadline a late clock was met (wall time), else None."""
        if not self.met_late or self.met_at is None or self.met_at <= self.due_at:
            return None
        return self.met_at - self.due_at


class RollupFigures(models.Model):
    """What the compliance figures sum over clocks, for one key (see ``sla/rollup.py``).

    ``grain`` says which key a row is for: 1, a day's team, kind and target; 2, a day's agent and
    target. A key's absent parts are 0 or "" (a row with no team has team 0)."""

    day = models.DateField(_("day"))
    grain = models.PositiveSmallIntegerField(_("grain"))
    team_id = models.BigIntegerField(_("team"), default=0)
    assignee_id = models.BigIntegerField(_("agent"), default=0)
    kind = models.CharField(_("kind"), max_length=20, default="")
    target = models.CharField(_("target"), max_length=20)
    clocks = models.IntegerField(_("clocks"), default=0)
    met_on_time = models.IntegerField(_("met on time"), default=0)
    met_late = models.IntegerField(_("met late"), default=0)
    breached = models.IntegerField(_("breached"), default=0)
    breached_unmet = models.IntegerField(_("breached, not met"), default=0)
    paused = models.IntegerField(_("paused"), default=0)
    running = models.IntegerField(_("not met yet"), default=0)
    running_clean = models.IntegerField(_("running, not breached"), default=0)
    response_n = models.IntegerField(_("responses"), default=0)
    response_wall = models.FloatField(_("response time (s)"), default=0)
    response_working = models.FloatField(_("response working time (s)"), default=0)
    resolution_n = models.IntegerField(_("resolutions"), default=0)
    resolution_wall = models.FloatField(_("resolution time (s)"), default=0)
    resolution_working = models.FloatField(_("resolution working time (s)"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.grain} {self.team_id}/{self.assignee_id}/{self.kind}/{self.target}: {self.clocks}"


class ClockRollup(RollupFigures):
    """Clocks summed per day they started and per key, so that a period's figures read a few rows a day
    instead of every clock. Kept by PostgreSQL triggers through ``ClockRollupChange``."""

    class Meta:
        verbose_name = _("clock rollup")
        verbose_name_plural = _("clock rollups")
        constraints = [models.UniqueConstraint(fields=["day", "grain", "team_id", "assignee_id", "kind", "target"],
                                               name="clock_rollup_key")]


class ClockRollupChange(RollupFigures):
    """A change to the rollup, written by the triggers (insert only: no lock on a shared row while a
    ticket is worked) and folded into ``ClockRollup`` by the sweep."""

    class Meta:
        verbose_name = _("clock rollup change")
        verbose_name_plural = _("clock rollup changes")
        indexes = [models.Index(fields=["day"], name="clock_rollup_change_day")]


class BacklogFigures(models.Model):
    """Open tickets counted for one key (see ``sla/backlog.py``).

    ``grain`` says which key a row is for: 1, a team's tickets in an SLA state, held or not (no day);
    2, a team's tickets received on a day; 3, a team's tickets due on a day. A key's absent parts are
    0, "" or false (a ticket with no team has team 0)."""

    grain = models.PositiveSmallIntegerField(_("grain"))
    team_id = models.BigIntegerField(_("team"), default=0)
    sla_state = models.CharField(_("SLA state"), max_length=10, default="")
    unassigned = models.BooleanField(_("unassigned"), default=False)
    day = models.DateField(_("day"), null=True)
    tickets = models.IntegerField(_("tickets"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.team_id} {self.sla_state} {self.unassigned} {self.day}: {self.tickets}"


class BacklogRollup(BacklogFigures):
    """The open tickets counted per team and state, per day received and per day due, so that the
    dashboard reads a few rows instead of every open ticket. Kept by PostgreSQL triggers through
    ``BacklogRollupChange``."""

    class Meta:
        verbose_name = _("backlog rollup")
        verbose_name_plural = _("backlog rollups")
        constraints = [models.UniqueConstraint(fields=["grain", "team_id", "sla_state", "unassigned", "day"],
                                               name="backlog_rollup_key", nulls_distinct=False)]


class BacklogRollupChange(BacklogFigures):
    """A change to the backlog rollup, written by the triggers (insert only) and folded by the sweep."""

    class Meta:
        verbose_name = _("backlog rollup change")
        verbose_name_plural = _("backlog rollup changes")


class Escalation(models.Model):
    """One step of the ladder for one clock: level 0 is the warning, 1 the breach, 2… further up."""

    clock = models.ForeignKey(Clock, models.CASCADE, related_name="escalations", verbose_name=_("clock"))
    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="escalations",
                               verbose_name=_("ticket"))
    level = models.PositiveSmallIntegerField(_("level"))
    recipient = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("recipient"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["clock", "level"]
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.clock_id} L{self.level}"
