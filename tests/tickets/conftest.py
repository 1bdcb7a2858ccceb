from tickets.models import Ticket


def snapshot(ticket_id: int) -> dict:
    """Everything stored about a ticket, to assert that a refused action changed nothing."""
    ticket = Ticket.objects.filter(pk=ticket_id).values().get()
    ticket["events"] = list(Ticket.objects.get(pk=ticket_id).events.values_list("id", flat=True))
    ticket["callbacks"] = list(Ticket.objects.get(pk=ticket_id).callbacks.values("id", "state", "attempt_count"))
    ticket["work_orders"] = list(Ticket.objects.get(pk=ticket_id).work_orders.values("id", "status"))
    return ticket
