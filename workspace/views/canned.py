"""The canned replies (常用语), kept by leads and admins on a page: the list, a new one, a change."""

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from messaging.forms import CannedReplyForm
from messaging.models import CannedReply
from messaging.services import CannedRepliesForbidden, canned_replies_access, canned_reply_save
from staff.models import in_reader_language
from workspace.views.common import _scope, staff_required


def _page(request, form, reply, status=200):
    replies = list(CannedReply.objects.select_related("business_line").order_by("language", "sort_order", "id"))
    for item in replies:
        line = item.business_line
        item.business_line_name = in_reader_language(line.name, line.name_en) if line else ""
    return render(request, "workspace/canned_replies.html", {"form": form, "reply": reply, "replies": replies},
                  status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def canned_replies(request, pk: int | None = None):
    """Every canned reply, and the form for a new one (or for ``pk``); a refused form keeps what was typed."""
    scope = _scope(request)
    try:
        canned_replies_access(scope=scope)
    except CannedRepliesForbidden as error:
        return HttpResponseForbidden(error.message)
    reply = None
    if pk is not None:
        reply = CannedReply.objects.filter(pk=pk).first()
        if reply is None:
            raise Http404
    form = CannedReplyForm(request.POST or None, instance=reply)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, reply, status=400)
        saved = canned_reply_save(scope=scope, reply=reply, data=form.cleaned_data)
        messages.success(request, _("Saved: %(title)s.") % {"title": saved.title})
        return redirect("workspace:canned-replies")
    return _page(request, form, reply)
