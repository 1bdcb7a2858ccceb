"""Every write of the workspace app: a person's saved queue views (create, rename, delete), and the
queue's bulk actions, which call the ticket services once per ticket so that each ticket keeps its own
checks and timeline entries.

A saved view is personal: a view of someone else answers exactly as one that does not exist (404).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.errors import ConflictError, DomainError, NotFoundError
from servicecenter.numbers import form_errors
from staff.access import scope_for
from staff.models import StaffMember
from tickets import selectors, services
from tickets.filters import TicketFilter
from tickets.models import Priority
from workspace.models import SavedView

TABS = ("mine", "team", "all")
# The queue's optional columns, in the order they show; the deadline badge and the reference always show.
COLUMNS = (
    ("kind", gettext_lazy("Kind")), ("subject", gettext_lazy("Subject")), ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")), ("assignee", gettext_lazy("Assignee")),
    ("received", gettext_lazy("Received")),
)
COLUMN_KEYS = tuple(key for key, _label in COLUMNS)
# The queue's sorts (TicketFilter's ``ordering``); "" is the queue's own: the most urgent deadline first.
SORTS = (
    ("", gettext_lazy("Deadline, soonest first")), ("-due_at", gettext_lazy("Deadline, latest first")),
    ("priority", gettext_lazy("Priority, most urgent first")),
    ("-priority", gettext_lazy("Priority, least urgent first")),
    ("-received_at", gettext_lazy("Received, newest first")), ("received_at", gettext_lazy("Received, oldest first")),
)
SORT_KEYS = tuple(key for key, _label in SORTS)
NAME_MAX = SavedView._meta.get_field("name").max_length
MAX_VIEWS = 20
# Not filters: where the person is in the list, which view is applied, the columns and the sort.
NOT_FILTERS = ("page", "cursor", "view", "cols", "ordering", "csrfmiddlewaretoken", "name")


class SavedViewError(DomainError):
    """Bad input for a saved view (400); nothing was saved."""


class SavedViewConflict(ConflictError):
    """The name is taken, or the person has as many views as they may keep (409)."""


class SavedViewNotFound(NotFoundError):
    """No such view of this person (someone else's answers alike) (404)."""


class BulkError(DomainError):
    """A bulk action that cannot start (no selection, too many, no action, no assignee or priority) (400);
    nothing was changed. A refusal of one ticket is that ticket's outcome, not this error."""


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SavedViewError(_("Give the view a name."), code="name")
    if len(name) > NAME_MAX:
        raise SavedViewError(_("A view's name has at most %(n)s characters.") % {"n": NAME_MAX}, code="name")
    return name


def saved_view_query(raw: str) -> str:
    """The filters of a queue's query string, checked as the queue checks them, in a fixed order; a bad one
    is refused with its reason."""
    data = QueryDict(raw or "", mutable=True)
    for key in NOT_FILTERS:
        data.pop(key, None)
    unknown = sorted(set(data) - {"tab", *TicketFilter.base_filters})
    if unknown:
        raise SavedViewError(_("These are no filters of the queue: %(names)s") % {"names": ", ".join(unknown)},
                             code="query")
    if data.get("tab", "mine") not in TABS:
        raise SavedViewError(_("No such queue: %(tab)s") % {"tab": data.get("tab")}, code="query")
    form = TicketFilter(data, queryset=None).form
    if not form.is_valid():
        raise SavedViewError(" ".join(form_errors(form)), code="query")
    return urlencode(sorted((key, value) for key in data for value in data.getlist(key) if value != ""))


def _columns(columns) -> list[str]:
    chosen = list(dict.fromkeys(columns or ()))
    unknown = [c for c in chosen if c not in COLUMN_KEYS]
    if unknown:
        raise SavedViewError(_("No such column: %(names)s") % {"names": ", ".join(unknown)}, code="columns")
    return [c for c in COLUMN_KEYS if c in chosen]  # in the queue's order


def _sort(sort: str) -> str:
    if (sort or "") not in SORT_KEYS:
        raise SavedViewError(_("No such sort: %(sort)s") % {"sort": sort}, code="sort")
    return sort or ""


def saved_views_for(owner) -> list[SavedView]:
    """A person's views, by name; one query."""
    return list(SavedView.objects.filter(owner=owner).order_by("name", "id"))


def saved_view_get(*, view_id: int, owner) -> SavedView:
    view = SavedView.objects.filter(pk=view_id, owner=owner).first()
    if view is None:
        raise SavedViewNotFound(_("No such view."), code="not_found")
    return view


def _save_named(view: SavedView, fields: list[str] | None = None) -> SavedView:
    try:
        with transaction.atomic():
            view.save(update_fields=fields)
    except IntegrityError:
        raise SavedViewConflict(_("You already have a view named “%(name)s”.") % {"name": view.name},
                                code="name_taken") from None
    return view


@transaction.atomic
def saved_view_create(*, owner, name: str, query: str = "", columns=(), sort: str = "") -> SavedView:
    """Save the queue's current filters, columns and sort under a name of this person's own."""
    view = SavedView(owner=owner, name=_name(name), query=saved_view_query(query), columns=_columns(columns),
                     sort=_sort(sort))
    # Counted under a lock on the person's row, so two saves at once cannot pass the limit together.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    if SavedView.objects.filter(owner=owner).count() >= MAX_VIEWS:
        raise SavedViewConflict(_("You can keep at most %(n)s views; delete one first.") % {"n": MAX_VIEWS},
                                code="too_many")
    if SavedView.objects.filter(owner=owner, name=view.name).exists():
        raise SavedViewConflict(_("You already have a view named “%(name)s”.") % {"name": view.name},
                                code="name_taken")
    return _save_named(view)


@transaction.atomic
def saved_view_rename(*, view_id: int, owner, name: str) -> SavedView:
    view = SavedView.objects.select_for_update().filter(pk=view_id, owner=owner).first()
    if view is None:
        raise SavedViewNotFound(_("No such view."), code="not_found")
    new = _name(name)
    if new == view.name:
        return view
    if SavedView.objects.filter(owner=owner, name=new).exclude(pk=view.pk).exists():
        raise SavedViewConflict(_("You already have a view named “%(name)s”.") % {"name": new}, code="name_taken")
    view.name = new
    return _save_named(view, ["name", "updated_at"])


@transaction.atomic
def saved_view_delete(*, view_id: int, owner) -> str:
    """Delete one of this person's views; the name it had."""
    view = SavedView.objects.select_for_update().filter(pk=view_id, owner=owner).first()
    if view is None:
        raise SavedViewNotFound(_("No such view."), code="not_found")
    view.delete()
    return view.name


# Bulk actions on the queue's selected rows.

BULK_MAX = 100
BULK_ACTIONS = ("claim", "assign", "priority")


@dataclass(frozen=True)
class BulkOutcome:
    ticket_id: int
    reference: str  # "" for a ticket the person cannot see: it is named by nothing it would reveal
    done: bool
    message: str


def assignable_for(scope) -> list[StaffMember]:
    """Whom this person may give tickets to (as on one ticket's page): a leader's subtree, everyone for
    those who see all, nobody for an agent."""
    if not scope.may_lead:
        return []
    people = StaffMember.objects.filter(is_active=True).select_related("position")
    if not scope.sees_all:
        people = people.filter(pk__in=scope.staff_ids)
    return list(people.order_by("name", "id"))


def _bulk_one(*, action: str, ticket_id: int, version: int | None, actor, assignee, priority) -> str:
    """Do the action on one ticket through its service; what to add to "done" (or "")."""
    if action == "claim":
        services.ticket_claim(ticket_id=ticket_id, actor=actor)
        return ""
    if action == "assign":
        services.ticket_assign(ticket_id=ticket_id, actor=actor, assignee=assignee, version=version)
        return ""
    if version is None:  # an edit always names the version its editor read
        version = selectors.ticket_list_for(scope=scope_for(actor), with_clocks=False).filter(
            pk=ticket_id).values_list("version", flat=True).first() or 0
    ticket = services.ticket_update(ticket_id=ticket_id, actor=actor, version=version,
                                    changes={"priority": priority})
    return _("It already had this priority; nothing changed.") if ticket.version == version else ""


def tickets_bulk(*, actor, action: str, selection: list[tuple[int, int | None]], assignee: StaffMember | None = None,
                 priority: int | None = None) -> list[BulkOutcome]:
    """Do ``action`` (claim, assign to ``assignee``, set ``priority``) on each selected ticket, given as
    (id, the version the person saw), each through its own service call and transaction: a refused
    ticket keeps everything it had, the others are done. One outcome per ticket, in the given order."""
    if action not in BULK_ACTIONS:
        raise BulkError(_("Choose what to do with the selected tickets."), code="action")
    if not selection:
        raise BulkError(_("Select at least one ticket."), code="tickets")
    if len(selection) > BULK_MAX:
        raise BulkError(_("Select at most %(max)s tickets at once (you selected %(n)s).")
                          % {"max": BULK_MAX, "n": len(selection)}, code="too_many")
    if action == "assign" and assignee is None:
        raise BulkError(_("Choose whom to assign them to."), code="assignee")
    if action == "priority" and priority not in Priority.values:
        raise BulkError(_("Choose the priority."), code="priority")
    scope = scope_for(actor)
    ids = list(dict.fromkeys(ticket_id for ticket_id, _version in selection))
    references = dict(selectors.ticket_list_for(scope=scope, with_clocks=False).filter(pk__in=ids)
                      .values_list("pk", "reference"))
    versions = dict(selection)
    outcomes = []
    for ticket_id in ids:
        reference = references.get(ticket_id, "")
        try:
            note = _bulk_one(action=action, ticket_id=ticket_id, version=versions[ticket_id], actor=actor,
                             assignee=assignee, priority=priority)
        except DomainError as error:
            outcomes.append(BulkOutcome(ticket_id, reference, False, error.message))
        else:
            outcomes.append(BulkOutcome(ticket_id, reference, True, note))
    return outcomes
