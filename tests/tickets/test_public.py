import pytest
from django.core.cache import cache
from django.test import Client

from tickets.models import Customer, Ticket

pytestmark = pytest.mark.django_db

FORM = {"kind": "repair", "name": "孙先生", "phone": "139 0000 1111", "subject": "家里停电",
        "description": "整栋楼停电两小时", "website": ""}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def submit(client, **change):
    return client.post("/submit/", {**FORM, **change})


def test_a_customer_files_a_ticket_and_gets_a_reference():
    response = submit(Client())
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.context["reference"] == ticket.reference
    assert ticket.reference in response.content.decode()
    assert (ticket.kind, ticket.channel, ticket.status, ticket.created_by) == ("repair", "web", "new", None)
    assert (ticket.customer.name, ticket.customer.phone) == ("孙先生", "13900001111")


def test_only_public_kinds_are_offered():
    response = submit(Client(), kind="report")
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_the_honeypot_files_nothing_and_looks_like_success():
    response = submit(Client(), website="http://spam.example")
    assert response.status_code == 200
    assert response.context["reference"] is None
    assert Ticket.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_bad_form_says_why_and_files_nothing():
    response = submit(Client(), phone="12", subject="")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"phone", "subject"}
    assert Ticket.objects.count() == 0


def test_submitting_is_throttled(settings):
    settings.PUBLIC_SUBMIT_RATE = "3/h"
    client = Client()
    assert [submit(client, subject=f"事项{i}").status_code for i in range(4)] == [200, 200, 200, 429]
    assert Ticket.objects.count() == 3


def test_tracking_needs_the_reference_and_the_phone_it_was_filed_with():
    submit(Client())
    mine = Ticket.objects.get()
    submit(Client(), name="别人", phone="13700000000", subject="别人的事")
    other = Ticket.objects.exclude(pk=mine.pk).get()
    client = Client()
    found = client.post("/track/", {"reference": mine.reference.lower(), "phone": "13900001111"})
    assert found.status_code == 200
    assert found.context["ticket"].pk == mine.pk
    page = found.content.decode()
    assert mine.subject in page
    assert other.subject not in page
    assert "孙先生" not in page
    # Someone else's reference with my phone, or my reference with a wrong phone: the same "not found".
    for reference, phone in ((other.reference, "13900001111"), (mine.reference, "13900001112"),
                             ("TS-20260101-000001", "13900001111")):
        response = client.post("/track/", {"reference": reference, "phone": phone})
        assert response.status_code == 404
        assert response.context["ticket"] is None
        assert other.subject not in response.content.decode()


def test_tracking_is_throttled(settings):
    settings.PUBLIC_TRACK_RATE = "2/h"
    client = Client()
    codes = [client.post("/track/", {"reference": f"TS-20260101-00000{i}", "phone": "139"}).status_code
             for i in range(3)]
    assert codes == [404, 404, 429]


def test_tracking_shows_the_result_once_resolved_and_not_before(shape_a, user, member):
    from tickets import services

    submit(Client())
    ticket = Ticket.objects.get()
    query = {"reference": ticket.reference, "phone": "13900001111"}
    before = Client().post("/track/", query).content.decode()
    assert 'id="result"' not in before
    services.ticket_assign(ticket_id=ticket.pk, actor=user("director"), assignee=member("agent1"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="更换熔断器，已恢复供电")
    after = Client().post("/track/", query).content.decode()
    assert '<dd id="result">更换熔断器，已恢复供电</dd>' in after
