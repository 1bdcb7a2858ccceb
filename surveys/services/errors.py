"""The surveys app's refusals: each becomes a 400, 403, 409 or 410 with its reason."""



from servicecenter.errors import ConflictError, DomainError, ForbiddenError


class SurveyError(DomainError):
    pass


class SurveyConflict(ConflictError):
    pass


class SurveyForbidden(ForbiddenError):
    pass


class SurveyGone(SurveyError):
    """The link was used or has expired."""

    status_code = 410
