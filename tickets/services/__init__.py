"""Every write to tickets, one module per part of the work: ``customers``, ``intake``, ``actions``
(the workflow), ``work_orders`` and ``callbacks``, over ``base`` (the lock, the access checks, the
status change and the save they share).

Each service is one transaction. A ticket action locks the ticket row (``select_for_update``),
checks the optional ``version``, the caller's access (``staff/access.py``) and the state machine
(``tickets/workflow.py``), then writes the change, bumps ``version`` and records its timeline entry
(``tickets/events.py``). A refused action raises before any write, so nothing changes. Claims are
compare-and-set updates. Callers use ``from tickets import services`` and ``services.ticket_claim``.
"""

from tickets.services.actions import (
    EDITABLE_FIELDS,
    reclassify_access,
    ticket_assign,
    ticket_cancel,
    ticket_claim,
    ticket_close,
    ticket_merge,
    ticket_next,
    ticket_note,
    ticket_pause,
    ticket_reclassify,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_resume,
    ticket_start,
    ticket_transfer,
    ticket_unmerge,
    ticket_update,
)
from tickets.services.base import ticket_access_for
from tickets.services.callbacks import (
    MAX_UNREACHABLE_ATTEMPTS,
    callback_attempt,
    callback_due_at,
    callback_kinds,
)
from tickets.services.customer_messages import CustomerMessage, ticket_customer_message
from tickets.services.customers import (
    CUSTOMER_FIELDS,
    customer_access_for_edit,
    customer_match,
    customer_match_or_create,
    customer_update,
)
from tickets.services.intake import next_reference, route, ticket_create
from tickets.services.work_orders import (
    field_teams_for_dispatch,
    ticket_dispatch,
    work_order_arrive,
    work_order_restore,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "EDITABLE_FIELDS",
    "MAX_UNREACHABLE_ATTEMPTS",
    "CustomerMessage",
    "callback_attempt",
    "callback_due_at",
    "callback_kinds",
    "customer_access_for_edit",
    "customer_match",
    "customer_match_or_create",
    "customer_update",
    "field_teams_for_dispatch",
    "next_reference",
    "reclassify_access",
    "route",
    "ticket_access_for",
    "ticket_assign",
    "ticket_cancel",
    "ticket_claim",
    "ticket_close",
    "ticket_create",
    "ticket_customer_message",
    "ticket_dispatch",
    "ticket_merge",
    "ticket_next",
    "ticket_note",
    "ticket_pause",
    "ticket_reclassify",
    "ticket_reopen",
    "ticket_reply",
    "ticket_resolve",
    "ticket_resume",
    "ticket_start",
    "ticket_transfer",
    "ticket_unmerge",
    "ticket_update",
    "work_order_arrive",
    "work_order_restore",
]
