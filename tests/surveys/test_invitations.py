"""Invitations: one per resolution, after the delay, never in quiet hours, not twice to one customer
within the window, and each sent once even when two jobs run at the same time."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from surveys import services as surveys
from surveys.backends import LocmemBackend
from surveys.models import Invitation, InvitationState
from tests.surveys.conftest import RESOLVED, TZ, token_of
from tickets import services
from tickets.models import Callback, Customer, Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def test_an_invitation_waits_for_its_delay(resolve):
    ticket = resolve(at=RESOLVED)
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.state, invitation.channel, invitation.agent.user.username) == ("scheduled", "sms", "agent1")
    assert invitation.send_after == RESOLVED + timedelta(minutes=30)
    assert surveys.invitations_send(now=RESOLVED + timedelta(minutes=29, seconds=59)).sent == 0
    assert LocmemBackend.outbox == []
    result = surveys.invitations_send(now=RESOLVED + timedelta(minutes=30))
    assert (result.sent, len(LocmemBackend.outbox)) == (1, 1)
    invitation.refresh_from_db()
    assert invitation.state == "sent"
    assert invitation.expires_at == invitation.sent_at + timedelta(days=7)
    assert LocmemBackend.outbox[0].to == ticket.customer.phone


def test_an_invitation_waits_for_the_end_of_quiet_hours(resolve):
    evening = datetime(2026, 11, 18, 20, 45, tzinfo=TZ)  # + 30 min = 21:15, in the quiet hours
    invitation = Invitation.objects.get(ticket=resolve(at=evening))
    assert invitation.send_after == datetime(2026, 11, 19, 8, 0, tzinfo=TZ)
    for moment in (datetime(2026, 11, 18, 21, 30, tzinfo=TZ), datetime(2026, 11, 19, 7, 59, tzinfo=TZ)):
        result = surveys.invitations_send(now=moment)
        assert (result.sent, result.quiet) == (0, True)
    assert surveys.invitations_send(now=datetime(2026, 11, 19, 8, 0, tzinfo=TZ)).sent == 1


def test_a_backlog_is_not_sent_in_quiet_hours_even_when_due(resolve):
    invitation = Invitation.objects.get(ticket=resolve(at=RESOLVED))
    night = datetime(2026, 11, 18, 23, 0, tzinfo=TZ)
    assert invitation.send_after < night
    assert surveys.invitations_send(now=night).sent == 0
    assert Invitation.objects.get(pk=invitation.pk).state == "scheduled"


@pytest.mark.parametrize(("moment", "expected"), [
    ("20:59", "20:59"), ("21:00", "08:00+1"), ("23:59", "08:00+1"), ("00:00", "08:00"), ("07:59", "08:00"),
    ("08:00", "08:00"),
])
def test_first_send_time_at_the_edges_of_the_quiet_hours(moment, expected):
    hour, minute = (int(p) for p in moment.split(":"))
    at = datetime(2026, 11, 18, hour, minute, tzinfo=TZ)
    day = 19 if expected.endswith("+1") else 18
    hour, minute = (int(p) for p in expected.removesuffix("+1").split(":"))
    assert surveys.first_send_time(at) == datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_one_invitation_per_resolution_and_none_within_the_resurvey_window(resolve, make_ticket, member, user):
    first = resolve(at=RESOLVED, phone="13900000001")
    assert surveys.invitation_schedule(ticket=first, trigger="resolved") == Invitation.objects.get(ticket=first)
    assert Invitation.objects.filter(ticket=first).count() == 1
    second = resolve(at=RESOLVED + timedelta(days=3), phone="13900000001")
    skipped = Invitation.objects.get(ticket=second)
    assert (skipped.state, skipped.skip_reason) == ("skipped", "recent")
    later = resolve(at=RESOLVED + timedelta(days=31), phone="13900000001")
    assert Invitation.objects.get(ticket=later).state == "scheduled"


def test_a_customer_without_a_mobile_or_email_is_not_sent_and_the_reason_is_kept(resolve):
    ticket = resolve(phone="02088886666")
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.state, invitation.skip_reason, invitation.channel) == ("skipped", "no_contact", "")
    assert surveys.invitations_send(now=RESOLVED + timedelta(days=1)).sent == 0


def test_email_is_used_when_there_is_no_mobile(resolve):
    ticket = resolve(phone="02088886666")
    Customer.objects.filter(pk=ticket.customer_id).update(email="kehu@example.cn")
    Invitation.objects.all().delete()
    ticket.refresh_from_db()
    invitation = surveys.invitation_schedule(ticket=ticket, trigger="resolved", now=RESOLVED)
    assert (invitation.channel, invitation.address) == ("email", "kehu@example.cn")


def test_complaints_are_surveyed_after_their_callback_and_reports_never(resolve, member, user):
    complaint = resolve(kind=Kind.COMPLAINT)
    assert not Invitation.objects.filter(ticket=complaint).exists()
    callback = Callback.objects.get(ticket=complaint)
    with time_machine.travel(RESOLVED + timedelta(hours=3), tick=False):
        services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="satisfied")
    invitation = Invitation.objects.get(ticket=complaint)
    assert (invitation.resolved_at, invitation.send_after) == (RESOLVED, RESOLVED + timedelta(hours=3, minutes=30))
    report = resolve(kind=Kind.REPORT)
    assert not Invitation.objects.filter(ticket=report).exists()


def test_an_unsatisfied_callback_reopens_and_sends_no_survey(resolve, user):
    complaint = resolve(kind=Kind.COMPLAINT)
    callback = Callback.objects.get(ticket=complaint)
    with time_machine.travel(RESOLVED + timedelta(hours=3), tick=False):
        services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unsatisfied")
    assert not Invitation.objects.filter(ticket=complaint).exists()


def test_a_gateway_failure_is_retried_later_and_fails_after_the_last_attempt(resolve):
    invitation = Invitation.objects.get(ticket=resolve())
    with override_settings(SURVEYS_SMS_BACKEND="tests.surveys.test_invitations.BrokenGateway", SURVEYS_MAX_ATTEMPTS=2):
        first = surveys.invitations_send(now=invitation.send_after)
        invitation.refresh_from_db()
        assert (first.retried, invitation.state, invitation.attempts, invitation.token_hash) == (1, "scheduled", 1,
                                                                                                 None)
        assert invitation.last_error == "gateway down"
        second = surveys.invitations_send(now=invitation.send_after)
    invitation.refresh_from_db()
    assert (second.failed, invitation.state, invitation.attempts) == (1, "failed", 2)


class BrokenGateway:
    def send(self, message):
        from surveys.backends import SendError

        raise SendError("gateway down")


def test_the_link_carries_a_32_byte_token_and_only_its_hash_is_stored(sent):
    invitation, token = sent()
    assert len(token) == 43  # 32 bytes, URL-safe base64 without padding
    assert invitation.token_hash == surveys.token_hash(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


class SlowOutbox:
    """Takes its time, so that a second job has every chance to pick the same invitation."""

    lock = threading.Lock()
    sent: list = []

    def send(self, message):
        import time

        time.sleep(0.05)
        with self.lock:
            self.sent.append(message.key)


@pytest.mark.django_db(transaction=True)
def test_two_sending_jobs_at_once_send_each_invitation_once(sla_presets, resolve):
    from tests.conftest import require_service

    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    from surveys.presets import seed_survey_template

    seed_survey_template()
    tickets = [resolve(at=RESOLVED + timedelta(minutes=i), phone=f"1390000{i:04d}") for i in range(12)]
    assert Invitation.objects.filter(ticket__in=tickets, state="scheduled").count() == 12
    SlowOutbox.sent.clear()
    results = []
    barrier = threading.Barrier(2)

    def job():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            results.append(surveys.invitations_send(now=RESOLVED + timedelta(hours=2)))
        finally:
            thread_connection.close()

    with override_settings(SURVEYS_SMS_BACKEND="tests.surveys.test_invitations.SlowOutbox"):
        threads = [threading.Thread(target=job) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(SlowOutbox.sent) == sorted(set(SlowOutbox.sent))
    assert len(SlowOutbox.sent) == 12
    assert sum(r.sent for r in results) == 12
    assert min(r.sent for r in results) > 0  # both jobs did part of the work
    assert Invitation.objects.filter(state=InvitationState.SENT).count() == 12


def test_a_job_run_twice_sends_nothing_the_second_time(resolve):
    invitation = Invitation.objects.get(ticket=resolve())
    assert surveys.invitations_send(now=invitation.send_after).sent == 1
    assert surveys.invitations_send(now=invitation.send_after + timedelta(minutes=1)).sent == 0
    assert len(LocmemBackend.outbox) == 1
    assert token_of(LocmemBackend.outbox[0]) == surveys.token_for(Invitation.objects.get(pk=invitation.pk))


def test_a_wrong_number_at_callback_sends_no_survey(resolve, user):
    complaint = resolve(kind=Kind.COMPLAINT)
    callback = Callback.objects.get(ticket=complaint)
    with time_machine.travel(RESOLVED + timedelta(hours=3), tick=False):
        services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="wrong_number")
    assert Callback.objects.get(pk=callback.pk).state == "failed"
    assert not Invitation.objects.filter(ticket=complaint).exists()
