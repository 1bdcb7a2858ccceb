"""Every write of the surveys app: scheduling and sending invitations, answers, follow-ups, reviews.

Called explicitly from the ticket services through the ticket hooks (``surveys/hooks.py``):
resolving a ticket or finishing its callback schedules an invitation. The Celery task
``surveys.send`` calls ``invitations_send``."""

from surveys.services.answers import (
    follow_up_close,
    follow_up_create,
    invitation_for_token,
    invitation_is_open,
    survey_answer,
)
from surveys.services.errors import SurveyConflict, SurveyError, SurveyForbidden, SurveyGone
from surveys.services.reviews import HANDLED, quality_review_create
from surveys.services.sending import (
    TOKEN,
    SendResult,
    first_send_time,
    in_quiet_hours,
    invitation_schedule,
    invitations_send,
    quiet_hours,
    survey_url,
    template_for,
    token_for,
    token_hash,
)

__all__ = [
    "HANDLED",
    "TOKEN",
    "SendResult",
    "SurveyConflict",
    "SurveyError",
    "SurveyForbidden",
    "SurveyGone",
    "first_send_time",
    "follow_up_close",
    "follow_up_create",
    "in_quiet_hours",
    "invitation_for_token",
    "invitation_is_open",
    "invitation_schedule",
    "invitations_send",
    "quality_review_create",
    "quiet_hours",
    "survey_answer",
    "survey_url",
    "template_for",
    "token_for",
    "token_hash",
]
