"""Satisfaction surveys (满意度回访), the follow-ups of unhappy answers, and quality reviews (质检)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Rating(models.IntegerChoices):
    """The five-level scale; stored as numbers so that 'satisfied or better' is ``rating >= 4``."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    UNSATISFIED = 2, _("Unsatisfied")
    VERY_UNSATISFIED = 1, _("Very unsatisfied")


SATISFIED_AT_LEAST = Rating.SATISFIED
UNHAPPY_AT_MOST = Rating.UNSATISFIED


class BilingualText:
    """Pick the Chinese or English text of a field pair for the active language."""

    def text_of(self, field: str) -> str:
        english = getattr(self, f"{field}_en", "")
        return english if english and (get_language() or "").startswith("en") else getattr(self, field)


class SurveyTemplate(BilingualText, models.Model):
    """What a survey asks. The overall five-level rating is always asked; questions add more."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("ticket kind"), max_length=20, blank=True,
                            help_text=_("Blank: any kind. A template for the kind wins over a blank one."))
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Five-level rating")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Free text")


class Question(BilingualText, models.Model):
    """A further question. The codes ``solved``, ``attitude`` and ``comment`` fill the response's own
    fields (and so the figures); other codes are kept with the answers."""

    template = models.ForeignKey(SurveyTemplate, models.CASCADE, related_name="questions",
                                 verbose_name=_("survey template"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=200)
    text_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    is_required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["template", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="question_code_once")]

    def __str__(self) -> str:
        return self.code


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class InvitationState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")


class SkipReason(models.TextChoices):
    NO_CONTACT = "no_contact", _("No mobile phone or e-mail")
    RECENT = "recent", _("Surveyed recently")
    NO_TEMPLATE = "no_template", _("No active survey template")


class Invitation(models.Model):
    """One invitation per resolution of a ticket. The link's token is never stored: only its SHA-256.

    The token is HMAC-SHA256 of a random per-invitation nonce under the server's key, so a send that
    is retried after a crash sends the same link, and the database alone cannot rebuild any link.
    """

    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="survey_invitations",
                               verbose_name=_("ticket"))
    resolved_at = models.DateTimeField(_("resolved at"))
    customer = models.ForeignKey("tickets.Customer", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("customer"))
    agent = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    team = models.ForeignKey("staff.Unit", models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    kind = models.CharField(_("ticket kind"), max_length=20)
    template = models.ForeignKey(SurveyTemplate, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("survey template"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    state = models.CharField(_("state"), max_length=10, choices=InvitationState.choices,
                             default=InvitationState.SCHEDULED)
    skip_reason = models.CharField(_("why not sent"), max_length=20, choices=SkipReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"))
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolved_at"], name="invitation_once_per_resolution"),
        ]
        indexes = [
            models.Index(fields=["send_after"], name="invitation_due",
                         condition=Q(state="scheduled")),
            models.Index(fields=["customer", "created_at"], name="invitation_customer"),
            models.Index(fields=["sent_at"], name="invitation_sent"),
            models.Index(fields=["agent", "sent_at"], name="invitation_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_state_display()}"


class Response(models.Model):
    """A customer's answer. ``rating`` is the overall five-level answer the satisfaction rate counts."""

    invitation = models.OneToOneField(Invitation, models.CASCADE, related_name="response",
                                      verbose_name=_("invitation"))
    rating = models.PositiveSmallIntegerField(_("overall"), choices=Rating.choices)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("agent's attitude"), choices=Rating.choices, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answers = models.JSONField(_("other answers"), default=dict, blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["answered_at"], name="response_answered")]

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.get_rating_display()}"

    @property
    def is_unhappy(self) -> bool:
        return self.rating <= UNHAPPY_AT_MOST


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUp(models.Model):
    """An unhappy answer, for the agent's supervisor to act on within one working day."""

    response = models.OneToOneField(Response, models.CASCADE, related_name="follow_up", verbose_name=_("response"))
    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="survey_follow_ups",
                               verbose_name=_("ticket"))
    agent = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    supervisor = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True,
                                   related_name="survey_follow_ups", verbose_name=_("supervisor"))
    state = models.CharField(_("state"), max_length=10, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("due"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))
    outcome = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["supervisor", "state", "due_at"], name="follow_up_supervisor")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_state_display()}"


class ErrorCategory(models.TextChoices):
    WRONG_INFORMATION = "wrong_information", _("Wrong or incomplete information")
    PROCESS = "process", _("Process not followed")
    ATTITUDE = "attitude", _("Attitude or language")
    RECORD = "record", _("Poor ticket record")
    CLASSIFICATION = "classification", _("Wrong kind or priority")
    OTHER = "other", _("Other")


class QualityReview(models.Model):
    """A supervisor's review of one handled ticket (质检). One review per ticket."""

    ticket = models.OneToOneField("tickets.Ticket", models.CASCADE, related_name="quality_review",
                                  verbose_name=_("ticket"))
    agent = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    reviewer = models.ForeignKey("staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("reviewer"))
    reviewed_at = models.DateTimeField(_("reviewed at"))
    has_error = models.BooleanField(_("error found"), default=False)
    error_category = models.CharField(_("error category"), max_length=20, choices=ErrorCategory.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["agent", "reviewed_at"], name="review_agent")]
        constraints = [
            models.CheckConstraint(condition=Q(has_error=False, error_category="") | Q(has_error=True)
                                   & ~Q(error_category=""), name="review_error_has_category"),
            models.CheckConstraint(condition=Q(score__lte=100), name="review_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score}"
