"""No code and no English word reaches a person on a Chinese page.

Every HTML page the permission matrix knows (``RULES``, not the API, not the admin) is rendered in
zh-hans as a role allowed to see it, over the matrix's objects plus a ticket with a rich timeline
(a work order dispatched, arrived and restored, reassignments, a field changed, an escalation, a
callback). The visible text (no tags, scripts, styles or attribute values) may hold no value of the
products' choices, no model field name and none of a few common English UI words. What is Latin by
nature is allowed: references (``TS-…``, ``WO-…``), e-mail addresses, a few abbreviations.
"""

import inspect
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.db import models

import calls.models
import sla.models
import staff.models
import surveys.models
import tickets.choices
from tests.conftest import PASSWORD
from tests.security.conftest import NOW, _objects
from tests.security.test_permission_matrix import RULES
from tickets import services
from tickets.choices import Priority
from tickets.models import Callback, Ticket, WorkOrder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
LATER = NOW + timedelta(hours=3)  # the work order, dispatched at NOW, is done by then

LOGINS = {"anonymous": None, "agent": "agent1", "other_agent": "agent4", "team_lead": "lead1",
          "supervisor": "supervisor1", "director": "director", "admin": "admin"}
# The roles a page is read as, when allowed: the agent's view and the widest view but the admin's.
READERS = ("agent", "director", "anonymous")

UI_WORDS = {
    "ticket", "tickets", "status", "deadline", "assignee", "none", "true", "false", "null", "team", "kind",
    "priority", "channel", "customer", "subject", "reply", "note", "callback", "survey", "escalated", "due",
    "created", "changed", "assigned", "agent", "dispatch", "dispatched", "resolved", "closed", "open",
    "pending", "name", "phone", "email", "date", "time", "save", "cancel", "submit", "search", "filter",
    "yes", "no", "unknown", "error", "invalid", "page", "not", "found", "active",
}
CHOICE_MODULES = (tickets.choices, sla.models, staff.models, surveys.models, calls.models)
FIELD_APPS = ("tickets", "sla", "staff", "surveys", "calls")
# Latin that is meant to be there: abbreviations of the trade, units, file formats, the API's link,
# the phone system whose log is imported (Asterisk's queue_log, a file format's name).
ALLOWED = {"api", "sla", "csv", "xlsx", "ok", "id", "a4", "s", "h", "min", "x", "asterisk", "queue_log", "erlang"}
# Stripped before the words are looked for: references, work orders, e-mail, codes of units and posts
# shown as codes (tech-staff-1: lower-case words joined by hyphens), a date and time in ISO 8601.
LATIN = re.compile(r"TS-\d{8}-\d{6}|WO-\d+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b"
                   r"|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d)?")
# Codes that are not words: the dashboard's age brackets as they were keyed (0-1d, 30d+).
CODES = re.compile(r"\b\d+(?:-\d+)?d\b\+?")


def known_codes() -> set[str]:
    """The values of every text choice of the apps a person reads about, and their models' field names."""
    words: set[str] = set()
    for module in CHOICE_MODULES:
        for _, choices in inspect.getmembers(module, inspect.isclass):
            if issubclass(choices, models.TextChoices) and choices is not models.TextChoices:
                words.update(str(value).lower() for value in choices.values)
    for label in FIELD_APPS:
        for model in apps.get_app_config(label).get_models():
            words.update(f.name.lower() for f in model._meta.get_fields() if not f.auto_created or f.concrete)
    return words


WORDS = (known_codes() | UI_WORDS) - ALLOWED


class Visible(HTMLParser):
    """The text a person sees: no tags, attributes, scripts, styles or templates. An element marked
    ``translate="no"`` (HTML's own mark for text that is not the page's to translate) is not read
    either: what people wrote in their own language, say a canned reply kept in English, and the
    placeholders a lead types (``{customer_name}``)."""

    HIDDEN = {"script", "style", "template", "title", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.open: dict[str, int] = {}
        self.quiet: list[tuple[str, int]] = []  # the translate="no" elements open, by tag and depth
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        self.open[tag] = self.open.get(tag, 0) + 1
        if dict(attrs).get("translate") == "no":
            self.quiet.append((tag, self.open[tag]))

    def handle_startendtag(self, tag, attrs):
        pass  # <input …/>: no text inside

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if self.quiet and self.quiet[-1] == (tag, self.open.get(tag, 0)):
            self.quiet.pop()
        if self.open.get(tag):
            self.open[tag] -= 1

    def handle_data(self, data):
        if not self.hidden and not self.quiet:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def offending(text: str) -> list[str]:
    """The known codes and English words in ``text``, each with a little of what surrounds it."""
    found = [f"{m[0]!r} in …{text[max(m.start() - 30, 0):m.end() + 30]}…" for m in CODES.finditer(text)]
    text = LATIN.sub(" ", text)
    for match in re.finditer(r"[A-Za-z][A-Za-z0-9_:]*", text):
        word = match[0].lower().rstrip(":")
        if word in ALLOWED:
            continue
        if "_" in word or ":" in word or word in WORDS:  # a code (snake_case, sla:target) or a known word
            found.append(f"{match[0]!r} in …{text[max(match.start() - 30, 0):match.end() + 30]}…")
    return found


def rich_timeline(objects: dict, member, user) -> None:
    """Ticket t1 (a repair of agent1, dispatched) gets the entries a ticket gathers in its life."""
    from sla.sweep import sweep

    t1 = objects["t1"]
    services.ticket_assign(ticket_id=t1, actor=user("lead1"), assignee=member("agent3"), comment="忙不过来")
    services.ticket_assign(ticket_id=t1, actor=user("lead1"), assignee=member("agent1"))
    version = Ticket.objects.get(pk=t1).version
    services.ticket_update(ticket_id=t1, actor=user("agent1"), version=version,
                           changes={"priority": Priority.URGENT})
    order = WorkOrder.objects.get(ticket_id=t1)
    services.work_order_arrive(work_order_id=order.pk, actor=user("agent1"),
                               at=order.dispatched_at + timedelta(minutes=40))
    services.work_order_restore(work_order_id=order.pk, actor=user("agent1"),
                                at=order.dispatched_at + timedelta(hours=2), notes="更换熔断器")
    services.ticket_note(ticket_id=t1, actor=user("agent1"), body="已电话联系客户")
    services.ticket_pause(ticket_id=t1, actor=user("agent1"), reason="等客户确认")
    services.ticket_resume(ticket_id=t1, actor=user("agent1"))
    sweep(now=LATER + timedelta(days=30))  # every deadline of t1 breached: escalations up the chain
    callback = Callback.objects.get(pk=objects["callback"])
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unreachable")


def calls_imported() -> int:
    """Calls answered by agent1 (Agent/1101) in the calls page's period, and an import of a CSV with a
    broken line (its page lists it); returns that import's id."""
    from calls.imports import call_import_create, call_import_run

    start = int((LATER - timedelta(hours=1)).timestamp())
    log = "\n".join(f"{start + dt}|{line}" for dt, line in [
        (0, "c1|95598|NONE|ENTERQUEUE||13900000001|1"), (8, "c1|95598|Agent/1101|CONNECT|8|c1-agent|6"),
        (128, "c1|95598|Agent/1101|COMPLETECALLER|8|120|1")])
    call_import_run(import_id=call_import_create(name="queue_log", content=log, fmt="queue_log").pk)
    broken = ("call_id,queue,enqueued_at,outcome,wait_seconds\n"
              "a1,95598,yesterday,answered,5\na2,95598,2026-11-16T12:00:00+08:00,answered,five\n")
    return call_import_run(import_id=call_import_create(name="calls.csv", content=broken, fmt="csv").pk).pk


@pytest.fixture
def pages(make_ticket, member, user):
    with time_machine.travel(NOW, tick=False):
        objects = _objects(make_ticket, member, user)
    with time_machine.travel(LATER, tick=False):
        rich_timeline(objects, member, user)
        extra = [("agent", f"/tickets/{pk}/") for pk in Ticket.objects.filter(assignee=member("agent1"))
                 .exclude(pk=objects["t1"]).order_by("pk").values_list("pk", flat=True)]
        extra.append(("director", f"/calls/imports/{calls_imported()}/"))
        yield objects, extra


def html_pages(objects: dict, extra: list) -> list[tuple[str, str]]:
    found = []
    for _name, rules in sorted(RULES.items()):
        for rule in rules:
            if rule.method != "get" or rule.api or rule.path.startswith("/admin/"):
                continue
            readers = [r for r in READERS if r in rule.allowed] or sorted(rule.allowed)[:1]
            found += [(role, rule.path.format(**objects)) for role in readers]
    return found + extra


def read(role: str, path: str, client_cache: dict):
    from django.test import Client

    client = client_cache.get(role)
    if client is None:
        client = client_cache[role] = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if LOGINS[role]:
            assert client.login(username=LOGINS[role], password=PASSWORD)
        client.cookies["django_language"] = "zh-hans"
    return client.get(path)


def test_the_word_list_holds_the_codes_people_saw():
    assert {"in_progress", "due", "work_order", "received_at", "on_track", "repair", "assignee"} <= WORDS


def test_text_marked_not_to_translate_is_not_read_and_the_rest_is():
    html = ('<p>积压 <td translate="no" lang="en">Dear {customer_name}, <b>done</b></td> 之后 in_progress</p>'
            '<input value="x"><code translate="no">{agent_no}</code> due')
    assert visible_text(html) == "积压 之后 in_progress due"


def test_an_entry_with_a_raw_code_is_caught():
    assert offending("分派 · callback: — → due") != []
    assert offending("sla:resolution 11-28 10:05") != []
    assert offending("工单 TS-20261128-000001 派单 WO-393 至 抢修一班 1 天内 编码 tech-staff-1") == []
    assert offending("积压 0-1d 3 30d+ 0") != []
    assert offending("Agent/1101 12") != []  # a raw agent id where a staff member has that number


def test_no_code_or_english_word_on_a_chinese_page(pages):
    objects, extra = pages
    clients: dict = {}
    failures = []
    with time_machine.travel(LATER, tick=False):
        for role, path in html_pages(objects, extra):
            response = read(role, path, clients)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            assert response.status_code in (200, 400), f"{path} as {role}: {response.status_code}"
            failures += [f"{path} as {role}: {hit}" for hit in offending(visible_text(response.content.decode()))]
    assert failures == [], "\n".join(failures)


# The public survey page is left out: its texts are the center's survey template, written in the center's
# language.
NOT_YET_ENGLISH = ("/s/",)
NOT_YET_ENGLISH_EXACTLY: tuple[str, ...] = ()


def test_english_pages_name_units_in_english(pages):
    """Where a unit or a post has an English name, an English page shows it, not the Chinese one."""
    from staff.models import Position, Unit

    objects, extra = pages
    chinese = {u.name: u.name_en for u in Unit.objects.exclude(name_en="")}
    chinese |= {p.title: p.title_en for p in Position.objects.exclude(title_en="")}
    clients: dict = {}
    failures = []
    with time_machine.travel(LATER, tick=False):
        for role, path in html_pages(objects, extra):
            if path.startswith(NOT_YET_ENGLISH) or path in NOT_YET_ENGLISH_EXACTLY:
                continue
            client = clients.get(role)
            if client is None:
                read(role, "/login/", clients)
                client = clients[role]
                client.cookies["django_language"] = "en"
            response = client.get(path)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            text = visible_text(response.content.decode())
            failures += [f"{path} as {role}: {name} (not {english})" for name, english in chinese.items()
                         if re.search(rf"(?<![\u4e00-\u9fff]){re.escape(name)}(?![\u4e00-\u9fff])", text)]
            # (a name inside a longer run of Chinese is the data's own text: "由中心副主任兼任", a note)
    assert failures == [], "\n".join(failures)
