"""A report's reporter (举报人) is known to the holder and those above them, and to nobody else, through
any filter, search, ordering, count, page, event or notification.

The lists are tested by swapping: for each role, the reports whose reporter that role may not see are
given to another customer, and every answer the role can get (each filter of ``TicketFilter`` with
values that tell the two customers apart, each ordering both ways, the count, the HTML queue and the
customer cards) must be the same, byte for byte, before and after. The filters and orderings are read
from the FilterSet itself, so a filter added later is covered without touching this file.

Reports: R1 in region 1 held by agent3; R2 in region 2 held by nobody; R3 in reception held by agent2
and passed to region 1 (the responsible unit), so region 1 sees it but is not above its holder; R3 is
resolved, so it has a callback due.
"""

from urllib.parse import urlencode

import django_filters
import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tickets import services
from tickets.filters import TicketFilter
from tickets.models import Customer, Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]

# Each report has its own reporter, so a role that may see one reporter can still be tested on the others.
REPORTERS = {
    "R1": {"name": "举报人甲", "phone": "13500000001"},
    "R2": {"name": "举报人乙", "phone": "13500000002"},
    "R3": {"name": "举报人丙", "phone": "13500000003"},
}
OTHER = {"name": "普通客户丁", "phone": "13600000000"}
# role: the reports it sees, and the reports whose reporter it sees (the rule, written out by hand).
SEES = {
    "agent1": ({"R1", "R3"}, set()),
    "agent3": ({"R1", "R3"}, {"R1"}),
    "agent4": ({"R2"}, set()),
    "lead1": ({"R1", "R3"}, {"R1"}),
    "lead2": ({"R2"}, {"R2"}),
    "supervisor1": ({"R3"}, {"R3"}),
    "agent2": ({"R3"}, {"R3"}),
    "director": ({"R1", "R2", "R3"}, {"R1", "R2", "R3"}),
    "admin": ({"R1", "R2", "R3"}, {"R1", "R2", "R3"}),
}


@pytest.fixture
def reports(make_ticket, member, units, user):
    made = {
        "R1": make_ticket(kind=Kind.REPORT, assignee=member("agent3"), **_as(REPORTERS["R1"])),
        "R2": make_ticket(kind=Kind.REPORT, team="tech-region-2", by="agent4", **_as(REPORTERS["R2"])),
        "R3": make_ticket(kind=Kind.REPORT, team="reception", by="agent2", assignee=member("agent2"),
                          responsible_unit=units["tech-region-1"], **_as(REPORTERS["R3"])),
    }
    # The other customer has ordinary tickets everybody in those teams sees, so the filters find something.
    for team, by in (("tech-region-1", "agent1"), ("tech-region-2", "agent4"), ("reception", "agent2")):
        make_ticket(team=team, by=by, **_as(OTHER))
    for name, reporter in REPORTERS.items():
        Customer.objects.filter(phone=reporter["phone"]).update(account_no=f"ACC-{name}", email=f"{name}@example.com")
    services.ticket_reply(ticket_id=made["R1"].pk, actor=user("agent3"), body="已受理您的举报")
    # R3 resolved: its callback (回访) is listed to region 1 too, without the reporter.
    services.ticket_resolve(ticket_id=made["R3"].pk, actor=user("agent2"), resolution="已查实处理")
    return made


def _as(customer: dict) -> dict:
    return {"name": customer["name"], "phone": customer["phone"]}


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_table_matches_the_rule(reports):
    """Each role's list and detail agree with the table above (and so with what the others test)."""
    for username, (visible, reporters) in SEES.items():
        client = client_for(username)
        rows = client.get("/api/v1/tickets/?kind=report&page_size=100").json()["results"]
        by_id = {row["id"]: row for row in rows}
        assert {name for name, t in reports.items() if t.pk in by_id} == visible, username
        shown = {name for name, t in reports.items() if t.pk in by_id and by_id[t.pk]["customer"] is not None}
        assert shown == reporters, username


def filter_values(customers: list[Customer]) -> dict[str, list[str]]:
    """For every filter of the FilterSet: its choices, and every value that tells the customers apart
    (ids, phones and their prefixes, names, account numbers, e-mail)."""
    telling = ["举报"]
    for c in customers:
        telling += [str(c.pk), c.phone, c.phone[:8], c.name, c.account_no, c.email]
    values = {}
    for name, spec in TicketFilter.base_filters.items():
        if isinstance(spec, django_filters.OrderingFilter):
            continue
        choices = [str(value) for value, _label in spec.extra.get("choices", [])]
        values[name] = telling + choices
    return values


def orderings() -> list[str]:
    spec = TicketFilter.base_filters["ordering"]
    names = [param for _field, param in spec.param_map.items()] if hasattr(spec, "param_map") else []
    return [prefix + name for name in names for prefix in ("", "-")]


def filtered(username: str, queries: list[dict]) -> list:
    """Every query through the FilterSet exactly as the API list and the HTML queue apply it, in
    process (thousands of queries in seconds): ids in order, the customer where shown, and the count."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from staff.access import scope_for
    from tickets.selectors import ticket_list_for
    from workspace.views import queue_for

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=username)
    scope = scope_for(request.user)
    out = []
    for query in queries:
        for base in (ticket_list_for(scope=scope, with_clocks=False), queue_for(scope, "all")):
            filterset = TicketFilter(query, queryset=base, request=request)
            if not filterset.is_valid():
                out.append((query, "invalid", sorted(filterset.errors)))
                continue
            rows = list(filterset.qs.values_list("pk", "customer_id", "reporter_visible"))
            out.append((query, filterset.qs.count(),
                        [(pk, customer if shown else None) for pk, customer, shown in rows]))
    return out


def answers(client: Client, queries: list[str], cards: list[int]) -> list:
    """What the role gets over HTTP: the API list (ids, count, customers), the HTML queue, the cards."""
    out = []
    for query in queries:
        api = client.get(f"/api/v1/tickets/?page_size=100&{query}")
        body = api.json()
        out.append((query, api.status_code, body.get("count"),
                    [(row["id"], row["customer"]) for row in body.get("results", [])] if api.status_code == 200
                    else body))
        page = client.get(f"/tickets/?tab=all&{query}")
        out.append((query, page.status_code, [t.pk for t in page.context["page"]] if page.status_code == 200
                    else None))
    for customer_id in cards:
        card = client.get(f"/api/v1/customers/{customer_id}/tickets/?page_size=100")
        out.append(("card", customer_id, card.status_code,
                    [row["id"] for row in card.json()["results"]] if card.status_code == 200 else card.json()))
        found = client.get("/api/v1/customers/?page_size=100&ordering=name")
        out.append(("directory", found.status_code, [row["id"] for row in found.json()["results"]]))
    return out


@pytest.mark.parametrize("username", [name for name, (seen, known) in SEES.items() if seen - known])
def test_no_filter_search_ordering_or_count_tells_who_reported(reports, username):
    customers = [Customer.objects.get(phone=c["phone"]) for c in [*REPORTERS.values(), OTHER]]
    other = customers[-1]
    visible, known = SEES[username]
    hidden = [reports[name].pk for name in sorted(visible - known)]
    generated = [{name: value} for name, values in filter_values(customers).items() for value in values]
    generated += [{"ordering": o} for o in orderings()] + [{}]
    assert len(orderings()) >= 8
    # Over HTTP, the filters that touch the customer and the orderings, through the API and the page.
    over_http = [urlencode(q) for q in generated if set(q) & {"customer", "search", "ordering"}]
    client = client_for(username)
    cards = [c.pk for c in customers]
    before = filtered(username, generated) + answers(client, over_http, cards)
    Ticket.objects.filter(pk__in=hidden).update(customer=other)
    after = filtered(username, generated) + answers(client, over_http, cards)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [], f"{username} can tell who reported through: {[b[0] for b, _a in changed]}"


def test_every_filter_of_the_filterset_is_covered():
    """A new filter is tried by the swap test above; one that cannot take a text value would be skipped
    silently, so the kinds of filter are pinned here."""
    kinds = {type(spec).__name__ for spec in TicketFilter.base_filters.values()}
    assert kinds <= {"MultipleChoiceFilter", "NumberFilter", "MeOrIdFilter", "BooleanFilter", "IsoDateTimeFilter",
                     "CharFilter", "StableOrderingFilter", "IdFilter", "MomentFilter"}, kinds
    assert "customer" in filter_values([Customer(pk=1, phone="1", name="a")])


@pytest.mark.parametrize("username", [name for name, (seen, known) in SEES.items() if seen - known])
def test_pages_events_and_notifications_never_name_the_reporter(reports, username):
    """Every page and API answer about the reports that this role may see carries neither the
    reporter's name nor their phone, account number or e-mail."""
    from sla.sweep import sweep

    sweep()  # warnings and escalations, in case any deadline of the fixtures passed
    visible, known = SEES[username]
    client = client_for(username)
    urls = ["/tickets/?tab=all", "/tickets/?tab=team", "/tickets/?tab=mine", "/callbacks/", "/notifications/",
            "/api/v1/notifications/", "/api/v1/callbacks/", "/api/v1/tickets/?kind=report", "/"]
    for name in sorted(visible - known):
        pk = reports[name].pk
        urls += [f"/tickets/{pk}/", f"/api/v1/tickets/{pk}/", f"/api/v1/tickets/{pk}/events/"]
    secrets = [secret for name in sorted(visible - known)
               for secret in (REPORTERS[name]["name"], REPORTERS[name]["phone"], f"ACC-{name}", f"{name}@example.com")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert [s for s in secrets if s in text] == [], url
    if "R3" in visible - known:  # the callback is listed to them, without the reporter
        rows = client.get("/api/v1/callbacks/").json()["results"]
        assert [(r["ticket"], r["customer_name"], r["customer_phone"]) for r in rows] == [
            (reports["R3"].pk, None, None)]
