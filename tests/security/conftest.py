"""The objects the security tests point at: a ticket of agent1 with a work order, a callback, a
follow-up, a review, a scorecard, a notification, a call import and a live survey link."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone

from calls.models import CallImport
from messaging.models import Attachment, CannedReply, Delivery
from notifications.models import Notification
from reporting.scorecards import scorecards_compute
from sla.models import Policy
from staff.changes import org_change_submit
from staff.jd import jd_version_draft
from staff.models import JobDescription, JobDescriptionVersion, OrgChange, Position, Scorecard, StaffMember, Unit
from surveys.models import FollowUp, QualityReview
from tests.security.cast import make_cast
from tests.surveys.factories import review, survey
from tickets import services
from tickets.models import Callback, Customer, Kind, Ticket, TicketEvent, WorkOrder
from workspace.models import SavedView

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # a Monday morning


@pytest.fixture
def objects(make_ticket, member, user):
    """The objects sit at fixed dates (a ticket received in October, October's scorecard), so the test
    runs with the clock stopped at ``NOW``, after them, whatever today's date."""
    with time_machine.travel(NOW, tick=False):
        yield _objects(make_ticket, member, user)


def _objects(make_ticket, member, user):
    at = datetime(2026, 10, 14, 10, 0, tzinfo=TZ)
    t1 = make_ticket(kind=Kind.REPAIR, by="agent1", assignee=member("agent1"), received_at=at)
    services.ticket_start(ticket_id=t1.pk, actor=user("agent1"))
    services.ticket_dispatch(ticket_id=t1.pk, actor=user("agent1"), field_team=Unit.objects.get(code="tech-region-1"),
                             instructions="到场")
    handled = make_ticket(by="agent1", assignee=member("agent1"), received_at=at)
    services.ticket_resolve(ticket_id=handled.pk, actor=user("agent1"), resolution="已答复")
    complaint = make_ticket(kind=Kind.COMPLAINT, by="agent1", assignee=member("agent1"), received_at=at)
    services.ticket_resolve(ticket_id=complaint.pk, actor=user("agent1"), resolution="已处理")
    invitation = survey(handled, sent_at=at, rating=1)
    follow_up = FollowUp.objects.create(response=invitation.response, ticket=handled, agent=member("agent1"),
                                        supervisor=member("lead1"), created_at=at, due_at=at + timedelta(days=1))
    token_invitation = survey(make_ticket(by="agent1", assignee=member("agent1")), sent_at=timezone.now(),
                              rating=None)
    from messaging.attachments import attachments_store
    from messaging.services import track_url
    from surveys.services import token_for, token_hash

    token = token_for(token_invitation)
    token_invitation.token_hash = token_hash(token)
    token_invitation.expires_at = timezone.now() + timedelta(days=7)
    token_invitation.save(update_fields=["token_hash", "expires_at"])
    scorecards_compute(month=date(2026, 10, 1), now=datetime(2026, 11, 1, tzinfo=TZ))
    notification = Notification.objects.create(recipient=user("lead1"), ticket=t1, created_at=at, target="resolution")
    call_import = CallImport.objects.create(name="q.log", format="queue_log", status="done", content="",
                                            sha256="0" * 64)
    saved_view = SavedView.objects.create(owner=user("agent1"), name="我的报修", query="tab=mine&kind=repair")
    org_change = org_change_submit(user=user("admin"), kind="leave", data={"staff": member("agent4").pk},
                                   reason="年假", effective_on=NOW.date() + timedelta(days=7))
    jd_version_draft(user=user("admin"), position=Position.objects.get(code="tech-staff-1"))  # v2, a draft
    return {
        "org_change": org_change.pk, "jd": JobDescription.objects.get(position__code="tech-staff-1").pk,
        "saved_view": saved_view.pk,
        "t1": t1.pk, "customer": t1.customer_id, "work_order": WorkOrder.objects.get(ticket=t1).pk,
        "callback": Callback.objects.get(ticket=complaint).pk, "follow_up": follow_up.pk,
        "review": review(complaint, at=at, error=False, reviewer=member("lead1")).pk,
        "scorecard": Scorecard.objects.get(staff=member("agent1")).pk, "notification": notification.pk,
        "call_import": call_import.pk, "position": Position.objects.get(code="tech-staff-1").code,
        "position_id": Position.objects.get(code="tech-staff-1").pk, "unit": Unit.objects.get(code="reception").pk,
        "agent1": member("agent1").pk, "policy": Policy.objects.order_by("pk").first().pk, "token": token,
        "track_token": track_url(handled).rsplit("/t/", 1)[1].strip("/"),
        "canned_reply": CannedReply.objects.order_by("pk").first().pk,
        "attachment": attachments_store(ticket_id=t1.pk, event_id=None, files=[("现场.png", b"\x89PNG\r\n\x1a\n")],
                                        from_customer=False)[0].pk,
    }


def fingerprint() -> tuple:
    """Enough of the database to see that a refused write wrote nothing."""
    return (Ticket.objects.aggregate(v=Sum("version"))["v"], TicketEvent.objects.aggregate(m=Max("id"))["m"],
            Callback.objects.filter(attempt_count__gt=0).count(), FollowUp.objects.filter(state="done").count(),
            QualityReview.objects.count(), sorted(Scorecard.objects.values_list("adjustment", flat=True)),
            Notification.objects.filter(read_at__isnull=False).count(), Unit.objects.count(),
            Position.objects.count(), StaffMember.objects.count(), WorkOrder.objects.filter(arrived_at__isnull=False)
            .count(), list(Customer.objects.order_by("pk").values_list("name", "phone", "customer_class", "area")),
            list(SavedView.objects.order_by("pk").values_list("owner_id", "name", "query")),
            list(OrgChange.objects.order_by("pk").values_list("state", "effective_on")),
            list(JobDescriptionVersion.objects.order_by("pk").values_list("state", "in_effect", "content")),
            Delivery.objects.count(), Attachment.objects.count(),
            list(CannedReply.objects.order_by("pk").values_list("title", "body", "is_active")))


@pytest.fixture
def no_throttle_left_over():
    """The public pages are throttled per address in the (process-wide) cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_ticket, member, units):
    return make_cast(make_ticket, member, units)
