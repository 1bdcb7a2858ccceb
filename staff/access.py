"""Who may see and do what, from the org chart: the one scope every app's services and selectors use.

- The director (and superusers) see everything.
- Everyone else sees the work of themselves and everyone below them in the chain of command, and
  the work queued for or passed to a unit where they or anyone below them holds a post.
- A **leader** is an active staff member who holds, as primary or concurrent post (兼任), a post whose
  role leads others (team lead, supervisor, manager, director); superusers count as leaders. That
  definition is written here once (:func:`scope_for`, from the roles of the posts the scope reads,
  and :data:`LEADING_ROLES`) and nowhere else; pages ask the request's scope (:func:`request_scope`).
- Anonymous users and users without an active post see nothing.

The scope is two small id lists computed once per request (two queries at most), so a list filtered
by it is one indexed query however much data there is. Rules about one kind of record (a ticket's
reporter, a callback) live beside that record's selectors and are built on this scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from staff.chain import scope_facts
from staff.models import Role, StaffMember
from staff.roles import LEADING_ROLES
from staff.selectors import AnyUser, staff_for_user

if TYPE_CHECKING:
    from django.utils.functional import Promise
    from rest_framework.request import Request
    from rest_framework.views import APIView


PageView = Callable[..., HttpResponse]


class WorkItem(Protocol):
    """Anything held by one person and queued for one team (a ticket)."""

    assignee_id: int | None
    team_id: int | None


@dataclass(frozen=True)
class Scope:
    """What one user may see: everything, or the work of these people and these units."""

    user_id: int | None
    staff: StaffMember | None = None
    sees_all: bool = False
    is_leader: bool = False
    staff_ids: frozenset[int] = field(default_factory=frozenset)  # self and everyone below
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # units where those people hold posts
    is_org_admin: bool = False  # a superuser, or the holder of an admin post (the org editor, the admin site)

    @property
    def is_staff_member(self) -> bool:
        return self.sees_all or self.staff is not None

    @property
    def may_lead(self) -> bool:
        """Dashboards, scorecards, reviews, staffing: for leaders and the director."""
        return self.sees_all or self.is_leader

    def leads_team_of(self, item: WorkItem) -> bool:
        """A leader of the team where an unheld item waits."""
        return self.is_leader and item.team_id in self.unit_ids

    def may_work(self, item: WorkItem) -> bool:
        """Reply, pause, resolve, dispatch, cancel, transfer, assign: the holder, anyone above them, or,
        while nobody holds it, a leader of the team it waits in. Seeing an item because it was passed
        to one's unit (the responsible unit) is not enough."""
        if self.sees_all:
            return True
        if item.assignee_id is None:
            return self.leads_team_of(item)
        return item.assignee_id in self.staff_ids

    def in_queue(self, item: WorkItem) -> bool:
        """Claim, edit while unheld, reopen: the item is held in this person's subtree or waits in a
        team they or those below them belong to (not merely passed to their unit)."""
        return self.sees_all or item.assignee_id in self.staff_ids or item.team_id in self.unit_ids

    def leads(self, staff_id: int | None) -> bool:
        """Someone below this person (not themselves): whose follow-ups, reviews and scores they handle."""
        if self.sees_all:
            return staff_id is None or self.staff is None or staff_id != self.staff.pk
        return (self.is_leader and staff_id is not None and staff_id in self.staff_ids
                and staff_id != getattr(self.staff, "pk", None))

    def leads_holder_of(self, item: WorkItem) -> bool:
        """A leader above the item's holder (not the holder), or of the team an unheld item waits in."""
        if self.sees_all:
            return True
        if item.assignee_id is None:
            return self.leads_team_of(item)
        return self.leads(item.assignee_id)

    def may_assign_to(self, staff: StaffMember) -> bool:
        if self.sees_all:
            return True
        return self.is_leader and staff.pk in self.staff_ids


logger = logging.getLogger(__name__)

# How long a scope is kept: a stamp that changed leaves the old entries unread, so this only bounds
# the cache's size.
SCOPE_SECONDS = 3600


def _scope_facts(member: StaffMember) -> tuple[set[str], set[int], set[int]]:
    """``scope_facts``, kept in the cache under the org chart's stamp read with the person's record
    (``staff_for_user``): a request whose org chart has not changed since asks no query for it. Kept
    only when the statement read that same stamp, so an entry is the org chart of its stamp."""
    stamp = getattr(member, "org_stamp", None)
    key = f"staff:scope:{member.pk}:{stamp}"
    if stamp is not None:
        try:
            kept = cache.get(key)
        except Exception:  # the cache is down (Redis): ask the database, as without a stamp
            logger.warning("scope cache unavailable", exc_info=True)
            stamp = kept = None
        if kept is not None:
            return kept  # type: ignore[no-any-return]
    roles, below, units, read_at = scope_facts(member.pk)
    if stamp is not None and read_at == stamp:
        try:
            cache.set(key, (roles, below, units), SCOPE_SECONDS)
        except Exception:  # not kept this time
            logger.warning("scope cache unavailable", exc_info=True)
    return roles, below, units


def scope_for(user: AnyUser | None) -> Scope:
    """From the person's own record and the org chart's stamp (one query), the roles of their posts,
    the people below them and the units where they or those people hold posts: one more query, or
    none when the cache has them for this stamp (``_scope_facts``)."""
    if user is None or not user.is_authenticated:
        return Scope(user_id=None)
    member = staff_for_user(user)
    if user.is_superuser:
        return Scope(user_id=user.pk, staff=member, sees_all=True, is_leader=True, is_org_admin=True)
    if member is None or not member.is_active:
        return Scope(user_id=user.pk)
    roles, below, units = _scope_facts(member)
    if Role.DIRECTOR in roles:
        return Scope(user_id=user.pk, staff=member, sees_all=True, is_leader=True, is_org_admin=Role.ADMIN in roles)
    return Scope(
        user_id=user.pk,
        staff=member,
        is_leader=bool(roles & LEADING_ROLES),
        staff_ids=frozenset({member.pk, *below}),
        unit_ids=frozenset(units),
        is_org_admin=Role.ADMIN in roles,
    )


def leader_required(message: str | Promise) -> Callable[[PageView], PageView]:
    """A page for leaders: the view gets ``scope`` as a keyword; anyone else gets 403 with ``message``
    (a lazy translation, shown in the reader's language)."""

    def decorate(view: PageView) -> PageView:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            scope = request_scope(request)
            if not scope.may_lead:
                return HttpResponseForbidden(str(message))
            return view(request, *args, scope=scope, **kwargs)

        return wrapped

    return decorate


def request_scope(request: Any) -> Scope:
    """The scope of the request's user, computed once per request."""
    scope = getattr(request, "access_scope", None)
    if scope is None:
        scope = request.access_scope = scope_for(request.user)
    return scope


class HasScope(permissions.BasePermission):
    """DRF: signed-in staff with a post (or superusers)."""

    message = _("Only center staff can use the ticket API.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request_scope(request).is_staff_member


class ScopedMixin:
    """A DRF view for staff: ``self.scope``, also in the serializers' context as ``scope``."""

    permission_classes = [HasScope]
    request: Any

    @property
    def scope(self) -> Scope:
        return request_scope(self.request)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "scope": self.scope}  # type: ignore[misc]

    def _input(self, serializer_class: Any) -> Any:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class IsLeader(permissions.BasePermission):
    """DRF: leaders and the director."""

    message = _("This is for team leads, supervisors and the director.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return scope_for(request.user).may_lead
