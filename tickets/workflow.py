"""The ticket state machine, declared once.

Every action a user can take on a ticket is a row here: the statuses it may start from and the
status it leads to. Services ask :func:`check` before they change anything, so an illegal action is
refused (409) with the reason and nothing is written; pages and the API ask :func:`allowed_actions`
to show only what can be done.

    new → assigned → in_progress ⇄ pending_customer → resolved → closed
    reopen: resolved/closed → in_progress (or new when nobody holds it); cancel: any open → cancelled
"""

import functools
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tickets.errors import TicketConflict
from tickets.models import OPEN_STATUSES, Kind, Status

_WORKING = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    # The status the action leads to, per source status; a source not listed keeps its status.
    targets: dict[str, str]
    needs_assignee: bool = False
    kinds: tuple[str, ...] = ()  # empty: every kind

    def target(self, status: str) -> str:
        return self.targets.get(status, status)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("claim", (Status.NEW,), {Status.NEW: Status.ASSIGNED}),
        Transition("assign", OPEN_STATUSES, {Status.NEW: Status.ASSIGNED}),
        Transition("start", (Status.ASSIGNED,), {Status.ASSIGNED: Status.IN_PROGRESS}, needs_assignee=True),
        Transition("reply", _WORKING, {Status.ASSIGNED: Status.IN_PROGRESS}, needs_assignee=True),
        Transition(
            "note",
            (*OPEN_STATUSES, Status.RESOLVED, Status.CLOSED, Status.CANCELLED),
            {},
        ),
        Transition("edit", (*OPEN_STATUSES, Status.RESOLVED), {}),
        # A transfer (转派) puts the ticket in another team's queue, held by nobody.
        Transition("transfer", (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS),
                   {Status.ASSIGNED: Status.NEW, Status.IN_PROGRESS: Status.NEW}),
        Transition("reclassify", (*OPEN_STATUSES, Status.RESOLVED), {}),
        Transition(
            "pause",
            (Status.ASSIGNED, Status.IN_PROGRESS),
            {Status.ASSIGNED: Status.PENDING_CUSTOMER, Status.IN_PROGRESS: Status.PENDING_CUSTOMER},
            needs_assignee=True,
        ),
        Transition("resume", (Status.PENDING_CUSTOMER,), {Status.PENDING_CUSTOMER: Status.IN_PROGRESS}),
        Transition(
            "dispatch",
            (Status.ASSIGNED, Status.IN_PROGRESS),
            {Status.ASSIGNED: Status.IN_PROGRESS},
            needs_assignee=True,
            kinds=(Kind.REPAIR,),
        ),
        Transition(
            "resolve",
            _WORKING,
            {s: Status.RESOLVED for s in _WORKING},
            needs_assignee=True,
        ),
        Transition("close", (Status.RESOLVED,), {Status.RESOLVED: Status.CLOSED}),
        # Reopen goes back to work; a ticket nobody holds goes back to the queue (see ``reopen_target``).
        Transition(
            "reopen",
            (Status.RESOLVED, Status.CLOSED),
            {Status.RESOLVED: Status.IN_PROGRESS, Status.CLOSED: Status.IN_PROGRESS},
        ),
        Transition("cancel", OPEN_STATUSES, {s: Status.CANCELLED for s in OPEN_STATUSES}),
    ]
}


def _refusal(transition: Transition, kind: str, status: str, held: bool) -> str:
    """Why the transition is not open to a ticket of this kind, status and holding ("" when it is)."""
    if transition.kinds and kind not in transition.kinds:
        return "wrong_kind"
    if status not in transition.sources:
        return "illegal_transition"
    if transition.needs_assignee and not held:
        return "unassigned"
    return ""


def check(ticket, action: str) -> str:
    """The status ``action`` leads to from the ticket's status, or :class:`TicketConflict` with the reason."""
    transition = TRANSITIONS[action]
    refusal = _refusal(transition, ticket.kind, ticket.status, ticket.assignee_id is not None)
    if refusal == "wrong_kind":
        raise TicketConflict(
            _("Only %(kinds)s tickets can be %(action)s.")
            % {"action": ACTION_PAST[action], "kinds": ", ".join(str(Kind(k).label) for k in transition.kinds)},
            code="wrong_kind",
        )
    if refusal == "illegal_transition":
        raise TicketConflict(
            _("A ticket that is “%(status)s” cannot be %(action)s.")
            % {"status": Status(ticket.status).label, "action": ACTION_PAST[action]},
            code="illegal_transition",
        )
    if refusal == "unassigned":
        raise TicketConflict(_("Nobody holds this ticket: claim or assign it first."), code="unassigned")
    target = transition.target(ticket.status)
    if action == "reopen" and ticket.assignee_id is None:
        target = Status.NEW
    return target


@functools.cache
def _allowed(kind: str, status: str, held: bool) -> tuple[str, ...]:
    return tuple(action for action, transition in TRANSITIONS.items() if not _refusal(transition, kind, status, held))


def allowed_actions(ticket) -> list[str]:
    """The actions legal in the ticket's current state, in the order a page shows them: what
    :func:`check` allows, worked out once per kind, status and holding (a list asks it for every row)."""
    return allowed_for(kind=ticket.kind, status=ticket.status, held=ticket.assignee_id is not None)


def allowed_for(*, kind: str, status: str, held: bool) -> list[str]:
    """:func:`allowed_actions` of a ticket read as plain values."""
    return list(_allowed(str(kind), str(status), held))


ACTION_PAST = {
    "claim": _("claimed"),
    "assign": _("assigned"),
    "start": _("started"),
    "reply": _("replied to"),
    "note": _("annotated"),
    "edit": _("edited"),
    "transfer": _("transferred"),
    "reclassify": _("reclassified"),
    "pause": _("paused"),
    "resume": _("resumed"),
    "dispatch": _("dispatched"),
    "resolve": _("resolved"),
    "close": _("closed"),
    "reopen": _("reopened"),
    "cancel": _("cancelled"),
    # Steps on the ticket page that are not transitions of the machine.
    "arrive": _("arrival on site recorded"),
    "restore": _("restoration recorded"),
    "record": _("complaint record saved"),
    "merge": _("merged into the earlier ticket"),
    "unmerge": _("taken back out of the merge"),
}
