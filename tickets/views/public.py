"""Public pages: file a ticket without an account (/submit/) and track it (/track/).

Both are throttled per client address (django-ratelimit) and show nothing about anyone else: the
tracking page needs the reference *and* the phone it was filed with, and answers "not found" the
same way whichever of the two is wrong.
"""

from django.conf import settings
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from tickets import services
from tickets.errors import TicketError
from tickets.forms import PublicTicketForm, TrackForm
from tickets.models import Channel, EventKind, Kind, Ticket


def _submit_rate(group, request):
    return settings.PUBLIC_SUBMIT_RATE


def _track_rate(group, request):
    return settings.PUBLIC_TRACK_RATE


def throttled(request, exception):
    return render(request, "tickets/public_throttled.html", status=429)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=True)
def public_submit(request):
    form = PublicTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            return render(request, "tickets/public_submitted.html", {"reference": None})
        try:
            ticket = services.ticket_create(
                actor=None, public=True, kind=data["kind"], channel=Channel.WEB, subject=data["subject"],
                description=data["description"],
                customer={"name": data["name"], "phone": data["phone"], "email": data["email"],
                          "account_no": data["account_no"], "language": request.LANGUAGE_CODE},
            )
        except TicketError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "tickets/public_submitted.html", {"reference": ticket.reference})
    return render(request, "tickets/public_submit.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_track_rate, method="POST", block=True)
def public_track(request):
    form = TrackForm(request.POST or None)
    ticket = replies = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        ticket = (
            Ticket.objects.filter(reference=form.cleaned_data["reference"])
            .filter(Q(customer__phone=phone) | Q(customer__phone_alt=phone))
            # Reports are not tracked here: a guessed reference with someone's phone would say they reported.
            .exclude(kind=Kind.REPORT)
            .only("reference", "kind", "status", "received_at", "updated_at", "resolved_at", "subject", "resolution",
                  "customer_reply")
            .first()
            if phone else None
        )
        if ticket is None:
            not_found = True
        else:
            replies = list(ticket.events.filter(kind=EventKind.REPLY).order_by("created_at", "id")
                           .values_list("created_at", "body"))
    context = {"form": form, "ticket": ticket, "replies": replies, "not_found": not_found,
               "not_found_message": _("We found no ticket with that reference and phone number.")}
    return render(request, "tickets/public_track.html", context, status=404 if not_found else 200)
