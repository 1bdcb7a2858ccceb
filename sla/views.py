from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sla.models import Notification


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """My notifications, newest first; POST marks them all read."""
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("sla:notifications")
    page = list(mine.select_related("ticket").order_by("-created_at", "-id")[:100])
    return render(request, "sla/notifications.html", {"notifications": page})
