"""The tickets app's domain errors; ``servicecenter.api.exception_handler`` maps them to HTTP."""

from servicecenter.errors import ConflictError, DomainError, ForbiddenError, NotFoundError


class TicketError(DomainError):
    """Bad input for a ticket (400)."""


class TicketConflict(ConflictError):
    """The ticket's state or version does not allow this (409); nothing was changed."""


class TicketForbidden(ForbiddenError):
    """The user may see the ticket but not act on it this way (403)."""


class TicketNotFound(NotFoundError):
    """No such ticket, or one outside the user's sight (404): the two answer alike."""
