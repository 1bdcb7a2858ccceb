"""The public survey page (/s/<token>/), and the quality pages for leaders (/quality/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from servicecenter.errors import DomainError, ForbiddenError
from servicecenter.numbers import MAX_ID, MonthForm, PeriodForm, parse_int, query_values
from staff.access import scope_for
from surveys import selectors, services
from surveys.metrics import GROUPS, survey_metrics
from surveys.models import ErrorCategory, FollowUpState, InvitationState, Rating
from tickets.selectors import ticket_list_for


def _answer_rate(group, request):
    return settings.SURVEYS_ANSWER_RATE


def _gone(request, invitation, status: int):
    """The same friendly page for a used, expired or unknown link: nothing about the ticket."""
    answered = invitation is not None and invitation.state == InvitationState.ANSWERED
    return render(request, "surveys/gone.html", {"answered": answered}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_answer_rate, method=["GET", "POST"], block=True)
def survey(request, token: str):
    """No login. In the customer's language. Unknown → 404, used or expired → 410; nothing recorded."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _gone(request, None, 404)
    with translation.override(invitation.language):
        if not services.invitation_is_open(invitation):
            return _gone(request, invitation, 410)
        questions = list(invitation.template.questions.all()) if invitation.template_id else []
        error = None
        if request.method == "POST":
            answers = {q.code: request.POST.get(q.code, "") for q in questions}
            try:
                services.survey_answer(token=token, rating=request.POST.get("rating"), answers=answers)
            except services.SurveyGone:
                invitation.refresh_from_db()
                return _gone(request, invitation, 410)
            except services.SurveyError as failure:
                error = failure.message
            else:
                return render(request, "surveys/thanks.html", {"language": invitation.language})
        template = invitation.template
        response = render(request, "surveys/survey.html", {
            "invitation": invitation, "title": template.text_of("name") if template else "",
            "intro": template.text_of("intro") if template else "",
            "questions": [(q, q.text_of("text")) for q in questions],
            "ratings": Rating.choices, "error": error, "posted": request.POST, "language": invitation.language,
        }, status=400 if error else 200)
        response["Content-Language"] = invitation.language
        return response


def _leader(request):
    scope = scope_for(request.user)
    return scope if scope.may_lead else None


@login_required
@require_http_methods(["GET"])
def quality(request):
    """Satisfaction, complaint and error-rate figures for the leader's scope, and the open follow-ups."""
    scope = _leader(request)
    if scope is None:
        return HttpResponseForbidden(_("The quality pages are for team leads, supervisors and the director."))
    group_by = request.GET.get("group_by") if request.GET.get("group_by") in GROUPS else "team"
    period, ok = query_values(request, PeriodForm(request.GET))
    figures = survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False),
                             date_from=period.get("date_from"), date_to=period.get("date_to"), group_by=group_by)
    follow_ups = list(selectors.follow_up_list_for(scope=scope).filter(state=FollowUpState.OPEN)
                      .order_by("due_at", "id")[:100])
    return render(request, "surveys/quality.html", {"figures": figures, "group_by": group_by, "groups": GROUPS,
                                                    "follow_ups": follow_ups, "now": timezone.now()},
                  status=200 if ok else 400)


@login_required
@require_http_methods(["POST"])
def follow_up_close(request, pk: int):
    try:
        services.follow_up_close(follow_up_id=pk, actor=request.user, outcome=request.POST.get("outcome", ""))
    except ForbiddenError as error:
        return HttpResponseForbidden(error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Follow-up closed."))
    return redirect("surveys:quality")


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request):
    """This month's sample of handled tickets to review, the form, and the latest reviews."""
    scope = _leader(request)
    if scope is None:
        return HttpResponseForbidden(_("The quality pages are for team leads, supervisors and the director."))
    query, ok = query_values(request, MonthForm(request.GET))
    month = query.get("month") or timezone.localdate().replace(day=1)
    if request.method == "POST":
        try:
            services.quality_review_create(
                ticket_id=parse_int(request.POST.get("ticket") or "0", minimum=0, maximum=MAX_ID), actor=request.user,
                has_error=request.POST.get("has_error") == "yes", score=request.POST.get("score"),
                error_category=request.POST.get("error_category", ""), notes=request.POST.get("notes", ""))
        except DomainError as error:
            messages.error(request, error.message)
        except ValueError:  # BadNumber: not an id
            messages.error(request, _("No such ticket among your team's work."))
        else:
            messages.success(request, _("Review saved."))
        return redirect(f"{request.path}?month={month:%Y-%m}")
    return render(request, "surveys/reviews.html", {
        "month": month, "sample": selectors.review_sample_for(scope=scope, month=month, size=10),
        "recent": list(selectors.review_list_for(scope=scope).order_by("-reviewed_at", "-id")[:50]),
        "categories": ErrorCategory.choices,
    }, status=200 if ok else 400)
