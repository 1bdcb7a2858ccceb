"""Rows for figures tests, written directly: the figures read them, whatever wrote them."""

import secrets
from datetime import datetime

from surveys.models import Invitation, QualityReview, Response
from tickets.models import Ticket


def survey(ticket: Ticket, *, sent_at: datetime, rating: int | None) -> Invitation:
    invitation = Invitation.objects.create(
        ticket=ticket, resolved_at=sent_at, customer_id=ticket.customer_id, agent_id=ticket.assignee_id,
        team_id=ticket.team_id, kind=ticket.kind, channel="sms", address="13800000000",
        state="answered" if rating else "sent", created_at=sent_at, send_after=sent_at, sent_at=sent_at,
        nonce=secrets.token_hex(32), answered_at=sent_at if rating else None,
    )
    if rating:
        Response.objects.create(invitation=invitation, rating=rating, answered_at=sent_at)
    return invitation


def review(ticket: Ticket, *, at: datetime, error: bool, reviewer=None, score: int = 90) -> QualityReview:
    return QualityReview.objects.create(ticket=ticket, agent_id=ticket.assignee_id, reviewer=reviewer,
                                        reviewed_at=at, has_error=error, error_category="process" if error else "",
                                        score=score)
