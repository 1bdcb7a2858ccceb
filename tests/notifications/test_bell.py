"""The bell at the top of the org: notices grouped per ticket, links that mark read, filters, pages,
and the director's digest on the page and by e-mail.

Shape A's chain: agent1 → lead1 (tech-region-1), agent4 → lead2 (tech-region-2), agent2 →
supervisor1 (reception), each → director. A complaint received Monday 2026-11-02 09:00 misses its
first response on Tue 17:30 (level 1 to the lead) and reaches the director a working day later (level
2, Wed 17:30); its resolution is missed on Mon 11-09 17:30 and reaches the director Tue 11-10 17:30.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.test import override_settings

from notifications.delivery import notification_text, notifications_digest, notifications_email
from notifications.models import Notification, NotificationKind
from notifications.selectors import top_of_chain_user_ids
from notifications.services import notification_follow_up, notifications_read
from notifications.tasks import notifications_digest_task
from sla.sweep import sweep
from tests.conftest import signed_in
from tickets.models import Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
FIRST_RESPONSE_AT_DIRECTOR = datetime(2026, 11, 4, 17, 31, tzinfo=TZ)
RESOLUTION_AT_DIRECTOR = datetime(2026, 11, 10, 17, 31, tzinfo=TZ)
SWEEPS = [datetime(2026, 11, 3, 11, 1, tzinfo=TZ), datetime(2026, 11, 3, 17, 31, tzinfo=TZ),
          FIRST_RESPONSE_AT_DIRECTOR]
LATER_SWEEPS = [datetime(2026, 11, 9, 17, 31, tzinfo=TZ), RESOLUTION_AT_DIRECTOR]


@pytest.fixture
def escalated(make_ticket, member):
    """Complaints of agent1 (two), agent4 and agent2, swept until their first responses reach the director."""
    def make(*, later: bool = False):
        holders = [("agent1", "tech-region-1"), ("agent1", "tech-region-1"), ("agent4", "tech-region-2"),
                   ("agent2", "reception")]
        with time_machine.travel(RECEIVED, tick=False):
            tickets = [make_ticket(kind=Kind.COMPLAINT, assignee=member(holder), team=team, by=holder,
                                   received_at=RECEIVED) for holder, team in holders]
        for at in SWEEPS + (LATER_SWEEPS if later else []):
            sweep(now=at)
        return tickets
    return make


def director_notices():
    return Notification.objects.filter(recipient__username="director")


def groups(page: str) -> int:
    return page.count('<li class="unread') + page.count('<li class="read')


def test_the_director_is_the_top_of_the_chain_in_shape_a(user):
    assert top_of_chain_user_ids() == {user("director").pk}
    assert top_of_chain_user_ids([user("lead1").pk, user("agent1").pk]) == set()


def test_the_page_is_one_row_per_ticket_with_its_count_levels_clocks_and_unread(escalated):
    tickets = escalated(later=True)
    assert director_notices().count() == 8  # two clocks × four tickets, each at level 2
    page = signed_in("director").get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert groups(html) == 4
    for ticket in tickets:
        assert html.count(f'data-ticket="{ticket.pk}"') == 1
        assert ticket.reference in html
    assert html.count("2 notices") == 4
    assert html.count("2 unread") == 4
    assert html.count("Level 2</span>") == 4
    assert html.count("First response, Resolution (reply)") == 4
    latest = director_notices().filter(ticket=tickets[0]).order_by("-id").first()
    assert f'action="/notifications/{latest.pk}/open/"' in html


def test_the_director_page_opens_with_a_digest_by_team_and_level(escalated, units):
    escalated()
    notifications_read(user=get_user_model().objects.get(username="director"),
                       ticket_id=director_notices().filter(ticket__team__code="reception").get().ticket_id)
    html = signed_in("director").get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    digest = html[html.index('id="digest"'):html.index("</table>")]
    assert "3 unread escalations, by team and level." in html
    assert digest.count("<tr data-team") == 2  # reception's one escalation is read
    for code, name, n in [("tech-region-1", "Technical Service, Region 1", 2),
                          ("tech-region-2", "Technical Service, Region 2", 1)]:
        team = units[code].pk
        assert (f'<tr data-team="{team}"><th scope="row"><a href="?team={team}">{name}</a></th>\n'
                f'        <td>{n}</td><td>{n}</td></tr>') in digest
    assert '<th scope="col"><a href="?level=2">Level 2</a></th>' in digest


def test_only_the_top_of_the_chain_gets_a_digest_on_the_page(escalated):
    escalated()
    assert 'id="digest-title"' not in signed_in("lead1").get("/notifications/").content.decode()


def test_opening_a_notice_marks_the_tickets_notices_read_and_goes_to_the_ticket(escalated):
    tickets = escalated(later=True)
    director = signed_in("director")
    notice = director_notices().filter(ticket=tickets[0]).order_by("-id").first()
    response = director.post(f"/notifications/{notice.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{tickets[0].pk}/")
    assert list(director_notices().filter(ticket=tickets[0], read_at__isnull=True)) == []
    assert director_notices().filter(read_at__isnull=True).count() == 6
    assert director.get(response["Location"]).status_code == 200


def test_opening_is_a_post_and_only_for_the_recipient(escalated):
    tickets = escalated()
    notice = director_notices().get(ticket=tickets[0])
    assert signed_in("director").get(f"/notifications/{notice.pk}/open/").status_code == 405
    assert signed_in("lead1").post(f"/notifications/{notice.pk}/open/").status_code == 404
    assert signed_in("director").post("/notifications/999999/open/").status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_mark_read_per_ticket_only_touches_the_recipients_own_notices(escalated):
    tickets = escalated()
    lead = signed_in("lead1")
    before = Notification.objects.filter(read_at__isnull=True).count()
    # tickets[2] is region 2's: lead1 has no notice about it.
    assert lead.post("/notifications/read/", {"ticket": tickets[2].pk}).status_code == 404
    assert lead.post("/notifications/read/", {"notification": director_notices().first().pk}).status_code == 404
    assert lead.post("/notifications/read/", {}).status_code == 400
    assert lead.post("/notifications/read/", {"ticket": "x"}).status_code == 400
    assert lead.post("/notifications/read/", {"ticket": tickets[0].pk, "notification": 1}).status_code == 400
    assert Notification.objects.filter(read_at__isnull=True).count() == before
    response = lead.post("/notifications/read/", {"ticket": tickets[0].pk, "level": "1", "page": "1", "x": "y"})
    assert (response.status_code, response["Location"]) == (302, "/notifications/?level=1&page=1")
    assert list(Notification.objects.filter(read_at__isnull=False).values_list("recipient__username", "ticket")) == [
        ("lead1", tickets[0].pk)]
    one = Notification.objects.filter(recipient__username="lead1", read_at__isnull=True).first()
    assert lead.post("/notifications/read/", {"notification": one.pk}).status_code == 302
    assert Notification.objects.filter(read_at__isnull=False).count() == 2


def test_filters_by_level_and_team(escalated, units):
    escalated()
    lead = signed_in("lead1")  # agent1 was warned; lead1 has level 1 of agent1's two tickets
    assert groups(lead.get("/notifications/?level=1").content.decode()) == 2
    assert groups(lead.get("/notifications/?level=warning").content.decode()) == 0
    director = signed_in("director")
    assert groups(director.get("/notifications/").content.decode()) == 4
    assert groups(director.get(f"/notifications/?team={units['tech-region-1'].pk}").content.decode()) == 2
    assert groups(director.get(f"/notifications/?team={units['reception'].pk}&level=2").content.decode()) == 1
    agent = signed_in("agent1")
    assert groups(agent.get("/notifications/?level=warning").content.decode()) == 2


def test_a_bad_filter_is_a_400_with_its_reason(escalated, units):
    escalated()
    lead = signed_in("lead1")
    refused = lead.get(f"/notifications/?team={units['reception'].pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400  # reception is not lead1's to see
    assert "Select a valid choice" in refused.content.decode()
    assert groups(refused.content.decode()) == 0
    assert lead.get("/notifications/?level=7").status_code == 400
    assert lead.get("/notifications/?level=abc").status_code == 400
    assert lead.get("/notifications/?page=abc").status_code == 200


def test_the_list_is_paginated_by_25_tickets(make_ticket, user):
    lead = user("lead1")
    with time_machine.travel(RECEIVED, tick=False):
        tickets = [make_ticket() for _ in range(27)]
    Notification.objects.bulk_create([Notification(recipient=lead, ticket=t, level=1, target="resolution",
                                                   created_at=RECEIVED) for t in tickets])
    client = signed_in("lead1")
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    assert (groups(first), groups(second)) == (25, 2)
    assert "1 / 2" in first
    newest_first = sorted(tickets, key=lambda t: -Notification.objects.get(ticket=t).pk)
    assert f'data-ticket="{newest_first[-1].pk}"' in second


def test_the_bell_counts_unread_in_one_query(escalated, count_queries):
    from notifications.context_processors import _Bell

    escalated()
    bell = _Bell(get_user_model().objects.get(username="director"))
    assert count_queries(lambda: bell.unread) == 1
    assert bell.unread == 4


def test_the_director_gets_one_digest_e_mail_instead_of_one_per_notice(escalated, user):
    get_user_model().objects.filter(username__in=["director", "lead1"]).update(email="x@example.com")
    mail.outbox.clear()
    escalated()
    ids = list(Notification.objects.values_list("pk", flat=True))
    with override_settings(LANGUAGE_CODE="en"):
        assert notifications_email(notification_ids=ids) == 1  # lead1's two escalations in one e-mail
    assert len(mail.outbox) == 1  # the director's wait for the digest
    lead_mail = mail.outbox[0]
    references = sorted(Notification.objects.filter(recipient__username="lead1")
                        .values_list("ticket__reference", flat=True))
    assert (lead_mail.to, lead_mail.subject, len(references)) == (["x@example.com"], "2 new notices", 2)
    assert sorted(line[:len(references[0])] for line in lead_mail.body.splitlines()[2:4]) == references
    assert director_notices().filter(emailed_at__isnull=True).count() == 4
    mail.outbox.clear()
    with override_settings(LANGUAGE_CODE="en"):
        assert notifications_digest_task.apply().get() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["x@example.com"]
    assert digest.subject == "4 new deadline notices"
    assert digest.body.splitlines()[2:5] == ["Technical Service, Region 1 — level 2: 2",
                                             "Reception Service — level 2: 1",
                                             "Technical Service, Region 2 — level 2: 1"]
    assert director_notices().filter(emailed_at__isnull=True).count() == 0
    assert notifications_digest() == 0  # a digest run twice sends nothing more
    assert len(mail.outbox) == 1


def test_an_e_mail_says_each_notice_in_the_words_of_the_page(make_ticket, user):
    """The batch reads plain rows; its words are the page's, for a warning, a missed deadline and a follow-up."""
    lead = user("lead1")
    get_user_model().objects.filter(pk=lead.pk).update(email="lead1@example.com")
    with time_machine.travel(RECEIVED, tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT)
        follow_up = notification_follow_up(recipient_id=lead.pk, ticket_id=ticket.pk,
                                           due_at=datetime(2026, 11, 3, 17, 30, tzinfo=TZ), at=RECEIVED)
    Notification.objects.bulk_create([
        Notification(recipient=lead, ticket=ticket, level=0, target="resolution", created_at=RECEIVED),
        Notification(recipient=lead, ticket=ticket, level=1, target="first_response", created_at=RECEIVED)])
    ids = list(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    with override_settings(LANGUAGE_CODE="en"):
        assert notifications_email(notification_ids=ids) == 1
        page = [notification_text(n) for n in Notification.objects.select_related("ticket").order_by("pk")]
    assert follow_up in ids
    assert len(page) == 3
    assert mail.outbox[0].body.splitlines()[2:5] == page
    assert page == [f"{ticket.reference}: the customer was unhappy in the survey; follow up by 11-03 17:30.",
                    f"{ticket.reference}: the Resolution (reply) deadline is near (11-03 17:30).",
                    f"{ticket.reference}: the First response deadline was missed; escalated to you (level 1)."]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_follow_up_to_the_director_is_still_e_mailed_by_itself(make_ticket, user):
    user_director = user("director")
    get_user_model().objects.filter(pk=user_director.pk).update(email="d@example.com")
    with time_machine.travel(RECEIVED, tick=False):
        ticket = make_ticket()
        pk = notification_follow_up(recipient_id=user_director.pk, ticket_id=ticket.pk, due_at=None, at=RECEIVED)
    mail.outbox.clear()
    assert notifications_email(notification_ids=[pk]) == 1
    assert notifications_digest() == 0
    assert Notification.objects.get(pk=pk).kind == NotificationKind.FOLLOW_UP
    assert len(mail.outbox) == 1


def test_the_directors_page_with_its_digest_takes_the_same_queries_at_any_size(escalated, count_queries):
    escalated()
    director = signed_in("director")
    director.get("/notifications/")  # the scope is then kept for this org chart (staff.access)
    small = count_queries(lambda: director.get("/notifications/"))
    for _ in range(3):
        escalated(later=True)
    assert director_notices().count() == 16 * 2  # the first four reach the director for their resolution too
    assert groups(director.get("/notifications/").content.decode()) == 16
    assert (small, count_queries(lambda: director.get("/notifications/"))) == (13, 13)


def test_the_api_links_each_notice_to_its_ticket(escalated, api):
    tickets = escalated()
    rows = api("director").get("/api/v1/notifications/").json()["results"]
    assert sorted((r["ticket_reference"], r["ticket_url"], r["level"]) for r in rows) == sorted(
        (t.reference, f"/tickets/{t.pk}/", 2) for t in tickets)


class CountingBackend(locmem.EmailBackend):
    """Django's in-memory backend, counting the connections made (one per batch, not per message)."""

    opened = 0

    def __init__(self, *args, **kwargs):
        CountingBackend.opened += 1
        super().__init__(*args, **kwargs)


def test_a_batch_of_notices_goes_out_over_one_connection_one_e_mail_per_recipient(escalated, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_bell.CountingBackend"
    get_user_model().objects.exclude(username="director").update(email="someone@example.com")
    escalated()
    ids = list(Notification.objects.values_list("pk", flat=True))
    recipients = set(Notification.objects.exclude(recipient__username="director")
                     .values_list("recipient__username", flat=True))
    assert len(recipients) >= 2
    assert Notification.objects.filter(recipient__username="lead1").count() == 2
    CountingBackend.opened = 0
    mail.outbox.clear()
    sent = notifications_email(notification_ids=ids)
    assert (sent, len(mail.outbox), CountingBackend.opened) == (len(recipients), len(recipients), 1)
