"""Callbacks (回访): the due ones, overdue first, then today, then the coming days; and recording an attempt,
from this list or from the ticket's page, on any day (Monday's callback can be made on Saturday)."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.errors import DomainError
from tickets import selectors, services
from tickets.forms import CallbackAttemptForm
from workspace.views.common import _scope, staff_required

UPCOMING_DAYS = 7
ROWS = 200


@staff_required
@require_GET
def callbacks(request):
    """Due callbacks in four groups: overdue, due today, due in the next week, and later."""
    scope = _scope(request)
    now = timezone.now()
    today = timezone.localdate()
    tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    week = tomorrow + timedelta(days=UPCOMING_DAYS)
    due = selectors.due_callbacks(selectors.callback_list_for(scope=scope))
    rows = list(due.order_by("due_at", "id")[:ROWS])
    context = {
        "overdue": [c for c in rows if c.due_at < now],
        "today": [c for c in rows if now <= c.due_at < tomorrow],
        "upcoming": [c for c in rows if tomorrow <= c.due_at < week],
        "later": [c for c in rows if c.due_at >= week],
        "form": CallbackAttemptForm(), "scope": scope, "truncated": len(rows) == ROWS,
    }
    return render(request, "tickets/callbacks.html", context)


@staff_required
@require_POST
def callback_attempt(request, pk: int):
    scope = _scope(request)
    callback = selectors.callback_list_for(scope=scope).filter(pk=pk).first()
    if callback is None:
        raise Http404
    back = (redirect("workspace:detail", pk=callback.ticket_id) if request.POST.get("next") == "ticket"
            else redirect("workspace:callbacks"))
    form = CallbackAttemptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the call."))
        return back
    try:
        services.callback_attempt(callback_id=pk, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Callback for %(reference)s recorded.") % {"reference": callback.ticket.reference})
    if request.POST.get("next") == "ticket" and not selectors.ticket_list_for(
            scope=scope, with_clocks=False).filter(pk=callback.ticket_id).exists():
        return redirect("workspace:callbacks")
    return back
