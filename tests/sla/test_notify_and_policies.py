import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from notifications.delivery import notifications_email
from notifications.models import Notification
from sla.models import Policy
from sla.selectors import kinds_without_fallback
from tickets.models import Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


def test_manage_py_sla_sweep_runs_one_sweep_and_says_what_it_did(make_ticket, member):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=start)
    out = io.StringIO()
    with time_machine.travel(datetime(2026, 11, 4, 9, 0, tzinfo=TZ), tick=False):
        call_command("sla_sweep", stdout=out)
    assert out.getvalue().strip() == "warned=1 breached=1 raised=0 notifications=2 more=False"


def test_each_notification_is_emailed_once(make_ticket, member):
    get_user_model().objects.filter(username="lead1").update(email="lead1@example.com")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=start)
    with time_machine.travel(datetime(2026, 11, 4, 9, 0, tzinfo=TZ), tick=False):
        call_command("sla_sweep", stdout=io.StringIO())
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert notifications_email(notification_ids=ids) == 1  # agent1 has no address; lead1 has
    assert notifications_email(notification_ids=ids) == 0  # a task that runs twice sends nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead1@example.com"]
    assert "TS-" in mail.outbox[0].subject
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_every_kind_has_a_fallback_policy_until_one_is_removed(api):
    assert kinds_without_fallback() == []
    Policy.objects.filter(kind="", customer_class="", channel="", area="", priority__isnull=True).update(
        is_active=False)
    assert kinds_without_fallback() == ["suggestion", "praise"]
    policies = api("agent1").get("/api/v1/sla/policies/").json()
    complaint = next(p for p in policies["results"] if p["name"] == "投诉")
    assert [(t["target"], t["amount"], t["unit"]) for t in complaint["targets"]] == [
        ("callback", 1, "working_days"), ("first_response", 1, "working_days"), ("resolution", 5, "working_days")]
