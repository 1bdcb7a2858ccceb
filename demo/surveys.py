"""Demo surveys, answers, follow-ups and quality reviews for the demo tickets, then the scorecards.

The spread follows what hotlines report: roughly six in ten customers answer an SMS survey, about
nine in ten of those are satisfied or better, a few in a hundred are unhappy; some agents do better
than others. Deterministic for a given seed; does nothing when invitations exist.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from reporting.scorecards import scorecards_compute
from servicecenter.periods import previous_month
from sla.services import working_deadline
from staff.selectors import superior_of
from surveys.models import (
    ErrorCategory,
    FollowUp,
    FollowUpState,
    Invitation,
    InvitationState,
    QualityReview,
    Response,
    SkipReason,
)
from surveys.presets import seed_survey_template
from surveys.services import first_send_time, template_for, token_for, token_hash
from tickets.models import Status, Ticket

# Overall answers (5 … 1) for an average agent; each agent shifts it a little.
RATINGS = (5, 4, 3, 2, 1)
SPREAD = (0.50, 0.38, 0.07, 0.03, 0.02)
COMMENTS = {5: ["处理很及时，谢谢", "态度很好", ""], 4: ["还可以", "", "希望下次更快一些"], 3: ["一般", "等了比较久"],
            2: ["打了两次电话才解决", "答复不够清楚"], 1: ["问题没有解决", "没有人回电话"]}
OUTCOMES = ["已致电客户致歉并重新解释", "已安排复查并告知客户", "已与客户沟通，客户表示理解"]


def _rating(rng: random.Random, skill: float) -> int:
    weights = [SPREAD[0] + skill, SPREAD[1], SPREAD[2], max(SPREAD[3] - skill / 3, 0.005),
               max(SPREAD[4] - skill / 3, 0.005)]
    return rng.choices(RATINGS, weights=weights)[0]


def seed_surveys(*, now: datetime | None = None, seed: int = 20261123, stdout=None) -> int:
    if Invitation.objects.exists():
        return 0
    seed_survey_template()
    rng = random.Random(seed)
    now = now or timezone.now()
    tickets = list(Ticket.objects.filter(resolved_at__isnull=False, kind__in=settings.SURVEYS_KINDS,
                                         customer__isnull=False)
                   .select_related("customer", "assignee").order_by("resolved_at", "id"))
    invitations, answers = _plan_invitations(rng, tickets, now)
    Invitation.objects.bulk_create(invitations, batch_size=500)
    for invitation in invitations:
        if invitation.state in (InvitationState.SENT, InvitationState.ANSWERED):
            invitation.token_hash = token_hash(token_for(invitation))
    Invitation.objects.bulk_update([i for i in invitations if i.token_hash], ["token_hash"], batch_size=500)

    responses = Response.objects.bulk_create([
        Response(invitation=invitation, rating=rating, solved=rating >= 3 or rng.random() < 0.3,
                 attitude=min(5, rating + rng.choice((0, 0, 1))), comment=rng.choice(COMMENTS[rating]),
                 answered_at=invitation.answered_at)
        for invitation, rating in answers
    ], batch_size=500)
    follow_ups = _plan_follow_ups(rng, responses, answers, now)
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    reviews = _seed_reviews(rng, now)
    months = {previous_month(timezone.localdate(now)), timezone.localdate(now).replace(day=1)}
    cards = sum(scorecards_compute(month=month, now=now) for month in sorted(months))
    if stdout is not None:
        sent = sum(1 for i in invitations if i.sent_at)
        happy = sum(1 for _, rating in answers if rating >= 4)
        stdout.write(f"  invitations: {len(invitations)} ({sent} sent), answers: {len(answers)} "
                     f"({happy / max(len(answers), 1):.1%} satisfied), follow-ups: {len(follow_ups)}, "
                     f"quality reviews: {reviews}, scorecards: {cards}")
    return len(invitations)


def _plan_invitations(rng: random.Random, tickets: list[Ticket], now: datetime) -> tuple[list[Invitation], list]:
    """One invitation per resolved ticket (skipped when the customer was asked recently), and the answers
    (invitation, rating) of those sent and answered by ``now``."""
    skill = {}
    last_asked: dict[int, datetime] = {}
    invitations, answers = [], []
    delay = timedelta(minutes=settings.SURVEYS_DELAY_MINUTES)
    for ticket in tickets:
        agent = ticket.assignee
        if agent is not None and agent.pk not in skill:
            skill[agent.pk] = rng.uniform(-0.12, 0.10)
        send_after = first_send_time(ticket.resolved_at + delay)
        invitation = Invitation(
            ticket=ticket, resolved_at=ticket.resolved_at, customer=ticket.customer, agent=agent,
            team_id=ticket.team_id, kind=ticket.kind, template=template_for(ticket.kind), channel="sms",
            address=ticket.customer.phone, language=ticket.customer.language, created_at=ticket.resolved_at,
            send_after=send_after, nonce=f"{rng.getrandbits(256):064x}",
        )
        previous = last_asked.get(ticket.customer_id)
        if previous and ticket.resolved_at - previous < timedelta(days=settings.SURVEYS_RESURVEY_DAYS):
            invitation.state, invitation.skip_reason = InvitationState.SKIPPED, SkipReason.RECENT
        elif send_after > now:
            pass  # still scheduled: the worker sends it
        else:
            last_asked[ticket.customer_id] = ticket.resolved_at
            rating = _send(rng, invitation, send_after, now, skill.get(getattr(agent, "pk", 0), 0.0))
            if rating is not None:
                answers.append((invitation, rating))
        if invitation.state != InvitationState.SKIPPED:
            last_asked.setdefault(ticket.customer_id, ticket.resolved_at)
        invitations.append(invitation)
    return invitations, answers


def _send(rng: random.Random, invitation: Invitation, send_after: datetime, now: datetime,
          skill: float) -> int | None:
    """Mark the invitation sent at ``send_after``, and answered about 62 % of the time: the rating, if so."""
    invitation.state, invitation.sent_at, invitation.attempts = InvitationState.SENT, send_after, 1
    invitation.expires_at = send_after + timedelta(days=settings.SURVEYS_TOKEN_DAYS)
    answered = send_after + timedelta(minutes=rng.randint(2, 60 * 30))
    if rng.random() < 0.62 and answered < now:
        invitation.state, invitation.answered_at = InvitationState.ANSWERED, answered
        return _rating(rng, skill)
    return None


def _plan_follow_ups(rng: random.Random, responses: list[Response], answers: list, now: datetime) -> list[FollowUp]:
    """A follow-up by the agent's superior for each unhappy answer (rating 1 or 2), about half of them done."""
    supervisors: dict[int, int | None] = {}
    follow_ups = []
    for response, (invitation, rating) in zip(responses, answers, strict=True):
        if rating > 2:
            continue
        agent = invitation.agent
        if agent is not None and agent.pk not in supervisors:
            link = superior_of(agent)
            supervisors[agent.pk] = link.staff_id if link else None
        due = working_deadline(invitation.answered_at, 1)
        done = due < now or rng.random() < 0.5
        follow_ups.append(FollowUp(
            response=response, ticket_id=invitation.ticket_id, agent=agent,
            supervisor_id=supervisors.get(getattr(agent, "pk", 0)), created_at=invitation.answered_at, due_at=due,
            state=FollowUpState.DONE if done else FollowUpState.OPEN,
            closed_at=min(now, invitation.answered_at + timedelta(hours=rng.randint(1, 20))) if done else None,
            outcome=rng.choice(OUTCOMES) if done else "",
        ))
    return follow_ups


def _seed_reviews(rng: random.Random, now: datetime) -> int:
    """About one handled ticket in eight is reviewed by the holder's superior; about 4 % have an error."""
    handled = list(Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED], assignee__isnull=False)
                   .select_related("assignee").order_by("id"))
    superiors: dict[int, int | None] = {}
    reviews = []
    for ticket in handled:
        if rng.random() >= 0.125:
            continue
        if ticket.assignee_id not in superiors:
            link = superior_of(ticket.assignee)
            superiors[ticket.assignee_id] = link.staff_id if link else None
        has_error = rng.random() < 0.04
        reviews.append(QualityReview(
            ticket=ticket, agent_id=ticket.assignee_id, reviewer_id=superiors[ticket.assignee_id],
            reviewed_at=min(now, ticket.resolved_at + timedelta(days=rng.randint(1, 6))), has_error=has_error,
            error_category=rng.choice(ErrorCategory.values) if has_error else "",
            score=rng.randint(60, 85) if has_error else rng.randint(86, 100),
        ))
    QualityReview.objects.bulk_create(reviews, batch_size=500)
    return len(reviews)


def demo_survey_link() -> str | None:
    """A link to a sent, unanswered demo survey, to try the page."""
    invitation = (Invitation.objects.filter(state=InvitationState.SENT, expires_at__gt=timezone.now())
                  .order_by("-sent_at").first())
    if invitation is None:
        return None
    from surveys.services import survey_url

    return survey_url(token_for(invitation))
