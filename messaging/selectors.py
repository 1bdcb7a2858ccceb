"""Reads of the messages sent to customers."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from messaging.models import Attachment, CannedReply, Delivery
from tickets.choices import Kind


def deliveries_by_event(*, ticket: Any) -> dict[int, Delivery]:
    """The message each reply of ``ticket`` became, by the reply's timeline entry. ``ticket`` is one the
    reader may see (from ``ticket_detail_for``): where its reporter is hidden from them
    (``reporter_visible`` false), so is the address a message went to."""
    visible = bool(getattr(ticket, "reporter_visible", False))
    found = {}
    for delivery in Delivery.objects.filter(ticket_id=ticket.pk, event__isnull=False).defer("text", "subject"):
        if not visible:  # a refusal's words often repeat the address or number
            delivery.address = delivery.last_error = ""
        found[delivery.event_id] = delivery
    return found


def canned_replies_for(*, ticket: Any, staff: Any) -> list[tuple[str, str]]:
    """The canned replies offered on ``ticket`` (its kind and business line, its customer's language),
    as (title, text) with the placeholders filled in for it and for ``staff``, the agent writing. Where
    the reader may not see a report's reporter, the reporter is not named."""
    from messaging.services import deadline_words  # (services import selectors' models only)

    customer = ticket.customer if ticket.customer_id else None
    language = (customer.language if customer else "") or settings.LANGUAGE_CODE
    replies = (CannedReply.objects.filter(is_active=True, language=language)
               .filter(Q(kind="") | Q(kind=ticket.kind))
               .filter(Q(business_line__isnull=True) | Q(business_line_id=ticket.business_line_id))
               .order_by("sort_order", "id"))
    with override(language):
        # On a report the reporter is never named: the reply's words go on the timeline, which others
        # on the ticket read too.
        shown = customer is not None and ticket.kind != Kind.REPORT and bool(getattr(ticket, "reporter_visible", False))
        values = {
            "customer_name": customer.name if shown else _("customer"),
            "reference": ticket.reference,
            "due_date": deadline_words(ticket.sla_due_at) if ticket.sla_due_at else "—",
            "agent_no": (getattr(staff, "agent_no", "") or getattr(staff, "employee_no", "")) if staff else "",
        }
        return [(reply.title, fill_placeholders(reply.body, values)) for reply in replies]


PLACEHOLDER = re.compile(r"\{(customer_name|reference|due_date|agent_no)\}")


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """``body`` with its four placeholders filled in; any other brace is text, left as written."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], body)


def attachments_for(*, ticket: Any) -> list[Attachment]:
    """The files of ``ticket`` (one the reader may see, from ``ticket_detail_for``) the reader may open:
    on a report whose reporter is hidden from them, not those the customer sent."""
    found = Attachment.objects.filter(ticket_id=ticket.pk)
    if ticket.kind == Kind.REPORT and not getattr(ticket, "reporter_visible", False):
        found = found.filter(from_customer=False)
    return list(found.order_by("created_at", "id"))
