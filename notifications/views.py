from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from notifications.models import Notification
from notifications.services import notifications_read


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """My notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        notifications_read(user=request.user)
        return redirect("notifications:list")
    mine = Notification.objects.filter(recipient=request.user)
    page = list(mine.select_related("ticket").order_by("-created_at", "-id")[:100])
    return render(request, "notifications/list.html", {"notifications": page})
