"""Domain errors. Each app raises its own subclass; the API maps them to 400/409 in one place."""


class DomainError(Exception):
    """A request the domain refuses. ``conflict`` errors (state, version) answer 409, others 400."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ConflictError(DomainError):
    status_code = 409


class ForbiddenError(DomainError):
    """The user may see the thing but not do this to it."""

    status_code = 403


class NotFoundError(DomainError):
    """The thing does not exist for this user: outside their sight it is simply not there (404)."""

    status_code = 404
