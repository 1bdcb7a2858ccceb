import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from staff.selectors import chain_of, staff_for_user

logger = logging.getLogger(__name__)


@login_required
def home(request):
    member = staff_for_user(request.user)
    chain = chain_of(member) if member else []
    return render(request, "home.html", {"member": member, "chain": chain})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def server_error(request):
    """handler500. When the database is unreachable (restarting, failing over) the answer is a clean
    503 with Retry-After, JSON for the API and a short page otherwise; anything else is a 500."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower())
    status = 503 if unavailable else 500
    message = (_("The service is briefly unavailable. Please try again in a few seconds.") if unavailable
               else _("Something went wrong on our side. It has been logged."))
    if unavailable:
        logger.warning("database unavailable: %s", error)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "unavailable" if unavailable else "server_error"},
                                status=status)
    else:
        # No request context: context processors would query the database that just failed.
        response = HttpResponse(render_to_string("error.html", {"message": message, "status": status}),
                                status=status)
    if unavailable:
        response["Retry-After"] = "5"
    return response
