"""The customer's tracking link; the SMS gateway's delivery receipts, ``POST /hooks/sms/receipt/``,
signed with the shared secret.

The body is one receipt or a list of them, each ``{"id": the gateway's id, or "client_id": our key,
"status": "delivered" | "failed", "error": "..."}``; ``X-Signature`` is the hex HMAC-SHA256 of the raw
body under ``SMS_RECEIPT_SECRET``. Not signed, or signed wrongly: 403 and nothing read. Without a
secret configured the hook does not exist (404).
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from messaging import services
from messaging.models import Attachment
from messaging.selectors import attachments_for
from staff.access import request_scope
from tickets import selectors as ticket_selectors
from tickets.models import EventKind, Kind, Ticket

MAX_RECEIPTS = 1000


def _bad(reason: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": reason}, status=status)


@csrf_exempt  # signed by the gateway, not a browser's form
@require_POST
def sms_receipt(request):
    secret = settings.SMS_RECEIPT_SECRET
    if not secret:
        raise Http404
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-Signature", "").lower().encode(), expected.encode()):
        return _bad(_("The signature does not match."), 403)
    try:
        data = json.loads(request.body)
    except ValueError:
        return _bad(_("The body is not JSON."))
    receipts = data if isinstance(data, list) else [data]
    if len(receipts) > MAX_RECEIPTS:
        return _bad(_("At most %(count)s receipts at a time.") % {"count": MAX_RECEIPTS})
    if not all(isinstance(r, dict) and isinstance(r.get("status"), str) for r in receipts):
        return _bad(_("Each receipt is an object with a status."))
    updated = 0
    for receipt in receipts:
        found = services.delivery_receipt(gateway_id=str(receipt.get("id") or "")[:200],
                                          key=str(receipt.get("client_id") or "")[:80], status=receipt["status"],
                                          error=str(receipt.get("error") or ""))
        updated += found is not None
    return JsonResponse({"received": len(receipts), "updated": updated})


@require_GET
def track(request, token: str):
    """The customer's own ticket, from the signed link in their acknowledgement: what ``/track/`` shows
    after a reference and phone number, without them (an e-mail customer may have no phone). A bad or
    expired link, or a report's, is not found."""
    ticket_id = services.tracked_ticket_id(token)
    ticket = (Ticket.objects.filter(pk=ticket_id).exclude(kind=Kind.REPORT)
              .only("reference", "kind", "status", "received_at", "updated_at", "resolved_at", "subject", "resolution",
                    "customer_reply").first() if ticket_id else None)
    if ticket is None:
        raise Http404
    replies = list(ticket.events.filter(kind=EventKind.REPLY).order_by("created_at", "id")
                   .values_list("created_at", "body"))
    return render(request, "tickets/public_track.html", {"ticket": ticket, "replies": replies, "form": None})


@login_required
@require_GET
def attachment(request, pk: int):
    """One file, to those who may see its ticket (and, on a report, its reporter if the customer sent
    it); 404 to everyone else, as for a file that does not exist. Images open in the page; anything
    else downloads."""
    found = Attachment.objects.filter(pk=pk, refused="").values_list("ticket_id", flat=True).first()
    ticket = (ticket_selectors.ticket_list_for(scope=request_scope(request), with_clocks=False).filter(pk=found)
              .first() if found else None)
    if ticket is None:
        raise Http404
    visible = {a.pk: a for a in attachments_for(ticket=ticket)}
    if pk not in visible:
        raise Http404
    file = visible[pk]
    response = FileResponse(file.file.open("rb"), as_attachment=not file.is_image, filename=file.name,
                            content_type=file.content_type if file.is_image else "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response
