"""Callbacks (回访): the list of due ones and recording an attempt."""

from datetime import timedelta

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


@staff_required
@require_GET
def callbacks(request):
    """Callbacks due today and overdue, mine first, with a form to record each attempt."""
    scope = _scope(request)
    end_of_today = timezone.localtime().replace(hour=23, minute=59, second=59)
    due = selectors.due_callbacks(selectors.callback_list_for(scope=scope)).filter(due_at__lte=end_of_today)
    now = timezone.now()
    rows = list(due.order_by("due_at", "id")[:200])
    context = {"overdue": [c for c in rows if c.due_at < now], "today": [c for c in rows if c.due_at >= now],
               "form": CallbackAttemptForm(), "scope": scope, "later": now + timedelta(days=1)}
    return render(request, "tickets/callbacks.html", context)


@staff_required
@require_POST
def callback_attempt(request, pk: int):
    scope = _scope(request)
    callback = selectors.callback_list_for(scope=scope).filter(pk=pk).first()
    if callback is None:
        raise Http404
    form = CallbackAttemptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the call."))
        return redirect("workspace:callbacks")
    try:
        services.callback_attempt(callback_id=pk, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Callback recorded."))
    return redirect("workspace:callbacks")
