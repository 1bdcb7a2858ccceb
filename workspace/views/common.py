"""What the workspace pages share: staff only, the viewer's scope, and where to go after a write."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from staff.access import Scope, request_scope
from tickets import selectors


def _scope(request) -> Scope:
    return request_scope(request)


def staff_required(view):
    """Signed-in staff with a post (or superusers); others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not _scope(request).is_staff_member:
            return HttpResponseForbidden(_("Only center staff can use the workspace."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _after_write(request, ticket_id: int, message: str):
    """Back to the ticket after a write or, when the write took it out of the user's sight (routed or
    transferred to another team), to the queue, saying where it went."""
    if selectors.ticket_list_for(scope=_scope(request), with_clocks=False).filter(pk=ticket_id).exists():
        messages.success(request, message)
        return redirect("workspace:detail", pk=ticket_id)
    receipt = selectors.ticket_receipt(ticket_id)
    messages.success(request, " ".join([message, _("%(reference)s is now in the queue of %(team)s.") % {
        "reference": receipt["reference"], "team": receipt["team_name"] or "—"}]))
    return redirect("workspace:queue")


