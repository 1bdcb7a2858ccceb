"""Bad input gets a clear 400 and changes nothing: NUL characters, huge bodies, wrong types,
malformed uploads. Odd but valid text (全角, emoji, right-to-left, combining marks) is kept exactly."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from calls.models import CallImport
from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint
from tickets.models import Customer, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
# full-width, emoji, RTL
ODD = "\uff21\uff22\uff23\uff11\uff12\uff13 全角\u3000空格 😀👩\u200d💻 مرحبا بالعالم \u202eRTL\u202c e\u0301 𠀀"


def signed(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def new_ticket(subject: str, name: str = "客户") -> dict:
    return {"kind": "inquiry", "channel": "phone", "subject": subject, "description": subject,
            "customer": {"name": name, "phone": "13800009999"}}


def test_odd_but_valid_text_is_kept_exactly():
    client = signed("agent1")
    created = client.post("/api/v1/tickets/", new_ticket(ODD, name=ODD), content_type="application/json")
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(pk=created.json()["id"])
    assert (ticket.subject, ticket.customer.name) == (ODD, ODD)
    found = client.get("/api/v1/tickets/", {"search": "😀👩‍💻"}).json()
    assert [row["id"] for row in found["results"]] == [ticket.pk]
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert ODD.replace("&", "&amp;") in page


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/tickets/", new_ticket("坏\x00字符")),
    ("post", "/api/v1/tickets/", new_ticket("正常", name="坏\x00")),
    ("patch", "/api/v1/customers/{customer}/", {"name": "坏\x00"}),
    ("post", "/api/v1/tickets/{t1}/note/", {"body": "\x00"}),
    ("get", "/api/v1/tickets/?search=%00", None),
])
def test_nul_characters_are_refused_by_the_api(method, path, body, objects):
    before = fingerprint(), Customer.objects.values_list("name", flat=True).order_by("pk")[::1]
    client = signed("director")
    url = path.format(**objects)
    response = client.get(url) if method == "get" else getattr(client, method)(
        url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert (fingerprint(), Customer.objects.values_list("name", flat=True).order_by("pk")[::1]) == before


@pytest.mark.parametrize(("username", "path", "data"), [
    ("lead1", "/quality/follow-ups/{follow_up}/close/", {"outcome": "已\x00处理"}),
    ("lead1", "/org/scorecards/{scorecard}/adjust/", {"adjustment": "1", "reason": "\x00"}),
    ("director", "/tickets/{t1}/do/note/", {"body": "\x00"}),
    (None, "/s/{token}/", {"rating": "5", "comment": "好\x00"}),
    (None, "/track/", {"reference": "TS-\x00", "phone": "1"}),
])
def test_nul_characters_are_refused_by_the_forms(username, path, data, objects):
    before = fingerprint()
    client = signed(username) if username else Client()
    response = client.post(path.format(**objects), data)
    assert response.status_code == 400
    assert fingerprint() == before


def test_a_huge_body_is_refused_without_a_500():
    client = signed("agent1")
    before = fingerprint()
    huge = json.dumps(new_ticket("长" * 3_000_000))
    response = client.post("/api/v1/tickets/", huge, content_type="application/json")
    assert response.status_code in (400, 413)
    form = client.post("/tickets/new/", {"subject": "x" * 3_000_000, "kind": "inquiry"})
    assert form.status_code in (400, 413)
    assert fingerprint() == before


@pytest.mark.parametrize("body", [
    "not json", "[]", "null", "123", '{"kind": 7, "channel": [], "subject": {}}', '{"customer": "13800000000"}',
    '{"kind": "inquiry", "channel": "phone", "subject": "x", "customer": {"name": "x", "phone": "1"}, '
    '"received_at": "yesterday"}', '{"kind": "inquiry", "priority": 99}',
])
def test_wrong_types_are_refused(body):
    before = Ticket.objects.count()
    response = signed("agent1").post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert Ticket.objects.count() == before


@pytest.mark.parametrize(("content", "fmt", "reason"), [
    (b"\xff\xfe\x00binary", "queue_log", "UTF-8"),
    (b"1700000000|1.1|95598|NONE|ENTERQUEUE\x00||", "queue_log", "NUL"),
    (b"", "csv", None),
    (b"   \n", "queue_log", None),
])
def test_malformed_uploads_are_refused(content, fmt, reason):
    client = signed("supervisor1")
    response = client.post("/api/v1/calls/imports/",
                           {"file": SimpleUploadedFile("calls.log", content), "format": fmt})
    assert response.status_code == 400
    if reason:
        assert reason in json.dumps(response.json(), ensure_ascii=False)
    assert CallImport.objects.count() == 0
    page = client.post("/calls/", {"file": SimpleUploadedFile("calls.log", content), "format": fmt})
    assert page.status_code == 302
    assert CallImport.objects.count() == 0
