"""The agents' workspace: queues, logging a ticket, the ticket page with its actions, callbacks.

Views are thin: reads through the access-aware selectors, writes through the services. A refused
action (illegal state, stale version, not the holder) comes back as a message on the ticket page,
and nothing changed. With htmx, the queue and the look-ups return partials.
"""

from workspace.views.callbacks import callback_attempt, callbacks
from workspace.views.intake import customer_lookup, new_ticket, route_preview
from workspace.views.queue import queue, queue_for
from workspace.views.ticket import act, detail, presence
from workspace.views.work_orders import work_order_step, work_orders

__all__ = [
    "act", "callback_attempt", "callbacks", "customer_lookup", "detail", "new_ticket", "presence", "queue",
    "queue_for", "route_preview", "work_order_step", "work_orders",
]
