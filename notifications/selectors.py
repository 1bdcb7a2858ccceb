"""Every shared read of the bell: a person's notices grouped per ticket, the digest, who gets one.

**The digest rule.** A recipient *at the top of the chain* is an active staff member holding, as
primary or concurrent post (兼任), a post that reports to nobody: the director in both org shapes,
where every escalation ladder ends. For them:

- the notifications page opens with a digest: their unread escalations (deadline notices of level
  1 and above) counted by the ticket's team and by level;
- deadline notices (warnings and escalations) are not e-mailed one by one: the hourly
  ``notifications.digest`` task sends each of them one e-mail counting the notices not yet e-mailed
  by team and level, and marks those notices e-mailed (``notifications.delivery``). Follow-ups of
  unhappy customers are still e-mailed one by one, as for everyone else.

Everyone else is e-mailed each notice once, as before, and has no digest on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from notifications.models import Notification, NotificationKind
from sla.models import Target
from staff.access import Scope
from staff.models import StaffMember, Unit

WARNING = "warning"
FOLLOW_UP = "follow_up"


def top_of_chain_user_ids(user_ids: list[int] | None = None) -> set[int]:
    """One query: the users (among ``user_ids``, or all) who hold a post that reports to nobody."""
    members = StaffMember.objects.filter(is_active=True, user__isnull=False).filter(
        Q(position__isnull=False, position__reports_to__isnull=True)
        | Q(concurrent_assignments__position__reports_to__isnull=True,
            concurrent_assignments__isnull=False))
    if user_ids is not None:
        members = members.filter(user_id__in=user_ids)
    return set(members.order_by().values_list("user_id", flat=True).distinct())


def is_top_of_chain(user) -> bool:
    return bool(getattr(user, "pk", None)) and user.pk in top_of_chain_user_ids([user.pk])


def visible_teams(scope: Scope) -> QuerySet[Unit]:
    """The teams the viewer may filter by: every team for those who see everything, else the teams
    where they or those below them hold posts."""
    teams = Unit.objects.filter(kind=Unit.Kind.TEAM)
    if not scope.sees_all:
        teams = teams.filter(pk__in=scope.unit_ids)
    return teams.order_by("code")


def levels_of(user) -> list[int]:
    """The escalation levels (1 and above) among the user's notices, for the level filter."""
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.SLA, level__gte=1)
                .values_list("level", flat=True).distinct().order_by("level"))


def notices_of(user, *, level: str = "", team_id: int | None = None) -> QuerySet[Notification]:
    """The user's own notices, filtered by level (``warning``, ``follow_up`` or a number) and by the
    ticket's team."""
    notices = Notification.objects.filter(recipient=user)
    if level == WARNING:
        notices = notices.filter(kind=NotificationKind.SLA, level=0)
    elif level == FOLLOW_UP:
        notices = notices.filter(kind=NotificationKind.FOLLOW_UP)
    elif level:
        notices = notices.filter(kind=NotificationKind.SLA, level=int(level))
    if team_id is not None:
        notices = notices.filter(ticket__team_id=team_id)
    return notices


def groups_of(notices: QuerySet[Notification]) -> QuerySet:
    """One row per ticket: its latest notice's id and time, how many, the highest level, how many
    unread; the ticket with the latest notice first. Paginate it, then :func:`fill_groups`."""
    return (notices.order_by().values("ticket_id")
            .annotate(latest_id=Max("id"), latest_at=Max("created_at"), total=Count("id"),
                      unread=Count("id", filter=Q(read_at__isnull=True)), top_level=Max("level"))
            .order_by("-latest_at", "-latest_id"))


@dataclass
class Group:
    ticket_id: int
    latest: Notification
    total: int
    unread: int
    top_level: int
    latest_at: datetime
    targets: list[str] = field(default_factory=list)

    @property
    def is_warning(self) -> bool:
        return self.top_level == 0 and self.latest.kind == NotificationKind.SLA

    @property
    def target_labels(self) -> list[str]:
        labels = dict(Target.choices)
        return [str(labels.get(target, target)) for target in self.targets]


def fill_groups(rows, notices: QuerySet[Notification]) -> list[Group]:
    """Two queries for a page of groups: the latest notices with their tickets and teams, and the
    clocks (targets) each group concerns."""
    rows = list(rows)
    latest = Notification.objects.select_related("ticket", "ticket__team").in_bulk([r["latest_id"] for r in rows])
    targets: dict[int, list[str]] = {}
    for ticket_id, target in (notices.filter(ticket_id__in=[r["ticket_id"] for r in rows]).exclude(target="")
                              .order_by("ticket_id", "target").values_list("ticket_id", "target").distinct()):
        targets.setdefault(ticket_id, []).append(target)
    return [Group(ticket_id=r["ticket_id"], latest=latest[r["latest_id"]], total=r["total"], unread=r["unread"],
                  top_level=r["top_level"], latest_at=r["latest_at"], targets=targets.get(r["ticket_id"], []))
            for r in rows]


@dataclass
class DigestRow:
    team_id: int | None
    team: str
    counts: list[int]
    total: int


@dataclass
class Digest:
    levels: list[int]
    rows: list[DigestRow]
    totals: list[int]
    total: int


def digest_counts(notices: QuerySet[Notification]) -> Digest:
    """One query: deadline notices counted by the ticket's team and by level, as a table."""
    cells = list(notices.order_by().values("ticket__team_id", "ticket__team__name", "ticket__team__name_en", "level")
                 .annotate(n=Count("id")))
    levels = sorted({c["level"] for c in cells})
    teams: dict[int | None, DigestRow] = {}
    for cell in cells:
        team_id = cell["ticket__team_id"]
        if team_id not in teams:
            unit = Unit(name=cell["ticket__team__name"] or "", name_en=cell["ticket__team__name_en"] or "")
            teams[team_id] = DigestRow(team_id=team_id, team=unit.display_name if team_id else "—",
                                       counts=[0] * len(levels), total=0)
        row = teams[team_id]
        row.counts[levels.index(cell["level"])] += cell["n"]
        row.total += cell["n"]
    rows = sorted(teams.values(), key=lambda r: (-r.total, r.team))
    totals = [sum(r.counts[i] for r in rows) for i in range(len(levels))]
    return Digest(levels=levels, rows=rows, totals=totals, total=sum(totals))


def unread_escalations_digest(user) -> Digest:
    """The page's digest for a recipient at the top of the chain: unread escalations (level 1 and up)."""
    return digest_counts(Notification.objects.filter(recipient=user, read_at__isnull=True,
                                                     kind=NotificationKind.SLA, level__gte=1))
