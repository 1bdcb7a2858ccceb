"""A field team's work orders (派单): open ones first, with arrival and restoration recorded from the list,
now or at a time given after the fact."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicecenter.errors import DomainError
from servicecenter.numbers import query_page
from tickets import selectors, services
from tickets.errors import TicketNotFound
from tickets.forms import WorkOrderStepForm
from tickets.models import WorkOrderStatus
from workspace.views.common import _scope, staff_required

OPEN = (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE)
PAGE = 50


@staff_required
@require_GET
def work_orders(request):
    """The work orders of my field team(s) and of tickets I may see: open (oldest dispatch first) or done."""
    scope = _scope(request)
    done = request.GET.get("show") == "done"
    qs = selectors.work_order_list_for(scope=scope)
    qs = qs.exclude(status__in=OPEN).order_by("-restored_at", "-id") if done else (
        qs.filter(status__in=OPEN).order_by("dispatched_at", "id"))
    number, page_ok = query_page(request)
    page = Paginator(qs, PAGE).get_page(number)
    return render(request, "workspace/work_orders.html", {"page": page, "done": done, "form": WorkOrderStepForm()},
                  status=200 if page_ok else 400)


@staff_required
@require_POST
def work_order_step(request, pk: int, step: str):
    """Record arrival (``arrive``) or restoration (``restore``) of one work order."""
    if step not in ("arrive", "restore"):
        raise Http404
    form = WorkOrderStepForm(request.POST)
    if not selectors.work_order_list_for(scope=_scope(request)).filter(pk=pk).exists():
        raise Http404
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workspace:work-orders")
    data = form.cleaned_data
    try:
        if step == "arrive":
            order = services.work_order_arrive(work_order_id=pk, actor=request.user, at=data["at"])
            message = _("Arrival on site recorded for WO-%(number)s (%(reference)s).")
        else:
            order = services.work_order_restore(work_order_id=pk, actor=request.user, at=data["at"],
                                                notes=data["notes"])
            message = _("Restoration recorded for WO-%(number)s (%(reference)s).")
    except TicketNotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message % {"number": order.pk, "reference": order.ticket.reference})
    return redirect("workspace:work-orders")
