"""The notifications page: the digest (top of the chain), notices grouped per ticket, filters, pages;
opening a notice marks it read and goes to its ticket. Every write is a POST."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications import selectors
from notifications.forms import MarkReadForm, NoticeFilterForm
from notifications.services import notification_open, notifications_read
from staff.access import request_scope

GROUPS_PER_PAGE = 25
FILTERS = ("level", "team", "page")


def _back(request) -> str:
    """The list again, with the filters and page the form was posted from (and nothing else)."""
    query = {key: request.POST[key] for key in FILTERS if request.POST.get(key)}
    url = reverse("notifications:list")
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """My notifications grouped per ticket, the ticket with the latest notice first; POST marks them all read."""
    if request.method == "POST":
        notifications_read(user=request.user)
        return redirect("notifications:list")
    user = request.user
    form = NoticeFilterForm(request.GET, levels=selectors.levels_of(user),
                            teams=selectors.visible_teams(request_scope(request)))
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    if valid:
        notices = selectors.notices_of(user, level=filters.get("level", ""),
                                       team_id=filters["team"].pk if filters.get("team") else None)
    else:
        notices = selectors.notices_of(user).none()
    page = Paginator(selectors.groups_of(notices), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "groups": selectors.fill_groups(page.object_list, notices),
        "digest": selectors.unread_escalations_digest(user) if selectors.is_top_of_chain(user) else None,
        "filters": {key: request.GET[key] for key in FILTERS if request.GET.get(key)},
    }
    return render(request, "notifications/list.html", context, status=200 if valid else 400)


@login_required
@require_POST
def notification_read(request):
    """Mark one of my notices, or my notices about one ticket, read; back to the list."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors.get("__all__", [])) or _("Not a notice."))
    notification_id, ticket_id = form.cleaned_data["notification"], form.cleaned_data["ticket"]
    mine = selectors.notices_of(request.user)
    if not mine.filter(**({"pk": notification_id} if notification_id else {"ticket_id": ticket_id})).exists():
        raise Http404
    notifications_read(user=request.user, notification_id=notification_id, ticket_id=ticket_id)
    messages.success(request, _("Marked read."))
    return redirect(_back(request))


@login_required
@require_POST
def notification_go(request, pk: int):
    """Open a notice: my notices about its ticket are read, and the ticket's page opens."""
    ticket_id = notification_open(user=request.user, notification_id=pk)
    if ticket_id is None:
        raise Http404
    return redirect("workspace:detail", pk=ticket_id)
