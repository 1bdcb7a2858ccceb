"""Saved queue views: a person saves the queue's filters, columns and sort under a name, sees them as tabs,
renames and deletes them; nobody else sees, applies, renames or deletes them. And the queue's query count
with a view applied, at two sizes."""

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tickets.models import Customer, Kind, Status, Ticket
from workspace import services
from workspace.models import SavedView

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def english(username: str):
    client = signed_in(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def stored(owner) -> list[tuple[str, str, list[str], str]]:
    return list(SavedView.objects.filter(owner=owner).order_by("name").values_list("name", "query", "columns", "sort"))


def headers(html: str) -> list[str]:
    table = html.split('<table class="queue"', 1)[1].split("</thead>", 1)[0]
    return [cell.split(">", 1)[1].split("</th>", 1)[0] for cell in table.split("<th scope=\"col\"")[1:]]


def test_saving_the_queue_as_a_view_and_opening_it_shows_its_filters_columns_and_sort(make_ticket, member, user):
    complaint = make_ticket(kind=Kind.COMPLAINT)
    later_complaint = make_ticket(kind=Kind.COMPLAINT)
    make_ticket(kind=Kind.INQUIRY)
    client = english("agent1")
    page = client.get("/tickets/?tab=team&kind=complaint&cols=priority&cols=subject&ordering=-received_at")
    assert (page.context["filters_query"], page.context["columns"], page.context["sort"]) == (
        "tab=team&kind=complaint", ["priority", "subject"], "-received_at")

    response = client.post("/tickets/views/", {"name": "  我的  投诉 ", "query": page.context["filters_query"],
                                               "cols": ["priority", "subject"], "ordering": "-received_at"})

    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/?view={view.pk}"
    assert stored(user("agent1")) == [("我的 投诉", "kind=complaint&tab=team", ["subject", "priority"], "-received_at")]
    shown = client.get(f"/tickets/?view={view.pk}")
    assert shown.status_code == 200
    assert [t.pk for t in shown.context["page"]] == [later_complaint.pk, complaint.pk]
    html = shown.content.decode()
    assert headers(html)[1:] == ["Deadline", "Reference", "Subject", "Priority"]
    assert html.count("<td") == 2 * 5  # the box, the deadline, the reference and the two chosen columns
    assert f'<a class="saved-view" href="?view={view.pk}" aria-current="page">我的 投诉</a>' in html
    assert f'<a class="saved-view" href="?view={view.pk}">我的 投诉</a>' in client.get("/tickets/").content.decode()


def test_the_queue_without_chosen_columns_shows_them_all():
    html = english("agent1").get("/tickets/").content.decode()
    assert headers(html)[1:] == ["Deadline", "Reference", "Kind", "Subject", "Status", "Priority", "Assignee",
                                 "Received"]


def test_rename_and_delete_with_clear_refusals(user):
    owner = user("agent1")
    first = services.saved_view_create(owner=owner, name="紧急", query="tab=team&priority=urgent")
    services.saved_view_create(owner=owner, name="投诉", query="kind=complaint")
    client = english("agent1")

    taken = client.post(f"/tickets/views/{first.pk}/rename/", {"name": "投诉"})
    empty = client.post(f"/tickets/views/{first.pk}/rename/", {"name": "   "})
    long = client.post(f"/tickets/views/{first.pk}/rename/", {"name": "长" * 61})
    assert [(r.status_code, [str(m) for m in r.context["messages"]]) for r in (taken, empty, long)] == [
        (409, ["You already have a view named “投诉”."]), (400, ["Give the view a name."]),
        (400, ["A view's name has at most 60 characters."])]
    assert [name for name, *_rest in stored(owner)] == ["投诉", "紧急"]

    renamed = client.post(f"/tickets/views/{first.pk}/rename/", {"name": "加急工单"})
    assert (renamed.status_code, renamed["Location"]) == (302, "/tickets/views/")
    assert [name for name, *_rest in stored(owner)] == ["加急工单", "投诉"]
    listing = client.get("/tickets/views/").content.decode()
    assert f'<a href="/tickets/?view={first.pk}">加急工单</a>' in listing
    assert ('<span class="filter-term">Queue: Team queue</span> · <span class="filter-term">Priority: Urgent</span>'
            in listing)

    deleted = client.post(f"/tickets/views/{first.pk}/delete/")
    assert (deleted.status_code, deleted["Location"]) == (302, "/tickets/views/")
    assert [name for name, *_rest in stored(owner)] == ["投诉"]
    assert client.post(f"/tickets/views/{first.pk}/delete/").status_code == 404


def test_another_person_cannot_see_apply_rename_or_delete_a_view(user):
    view = services.saved_view_create(owner=user("agent1"), name="我的视图", query="kind=complaint",
                                      columns=["subject"], sort="priority")
    before = stored(user("agent1"))
    other = english("agent3")
    assert other.get(f"/tickets/?view={view.pk}").status_code == 404
    assert "我的视图" not in other.get("/tickets/").content.decode()
    assert "我的视图" not in other.get("/tickets/views/").content.decode()
    assert other.post(f"/tickets/views/{view.pk}/rename/", {"name": "偷来的"}).status_code == 404
    assert other.post(f"/tickets/views/{view.pk}/delete/").status_code == 404
    lead = english("lead1")  # above agent1: still not theirs
    assert lead.get(f"/tickets/?view={view.pk}").status_code == 404
    assert lead.post(f"/tickets/views/{view.pk}/delete/").status_code == 404
    assert stored(user("agent1")) == before
    assert english("agent1").get("/tickets/?view=abc").status_code == 404
    # The same name is anyone's to use for a view of their own.
    services.saved_view_create(owner=user("agent3"), name="我的视图")
    assert SavedView.objects.filter(name="我的视图").count() == 2


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"query": "tab=team&color=red"}, "These are no filters of the queue: color"),
    ({"query": "tab=elsewhere"}, "No such queue: elsewhere"),
    ({"query": "kind=poem"}, "Kind: Select a valid choice. poem is not one of the available choices."),
    ({"columns": ["subject", "salary"]}, "No such column: salary"),
    ({"sort": "name"}, "No such sort: name"),
    ({"name": ""}, "Give the view a name."),
])
def test_a_bad_view_is_refused_with_its_reason_and_nothing_is_saved(user, kwargs, error):
    with pytest.raises(services.SavedViewError) as refused:
        services.saved_view_create(owner=user("agent1"), **{"name": "视图", **kwargs})
    assert refused.value.message == error
    assert SavedView.objects.count() == 0


def test_a_bad_view_posted_from_the_page_is_a_400_that_names_the_reason(user):
    response = english("agent1").post("/tickets/views/", {"name": "视图", "query": "tab=team&color=red"})
    assert (response.status_code, [str(m) for m in response.context["messages"]]) == (
        400, ["These are no filters of the queue: color"])
    assert SavedView.objects.count() == 0


def test_a_person_keeps_at_most_twenty_views(user):
    owner = user("agent1")
    for n in range(services.MAX_VIEWS):
        services.saved_view_create(owner=owner, name=f"视图{n}")
    response = english("agent1").post("/tickets/views/", {"name": "再来一个"})
    assert (response.status_code, [str(m) for m in response.context["messages"]]) == (
        409, ["You can keep at most 20 views; delete one first."])
    assert SavedView.objects.filter(owner=owner).count() == 20


def grow(n: int, holder) -> None:
    customer, _ = Customer.objects.get_or_create(name="批量", phone="13900000000")
    now, first = timezone.now(), Ticket.objects.count()
    Ticket.objects.bulk_create([
        Ticket(reference=f"TS-V-{i:06d}", kind=Kind.COMPLAINT if i % 2 else Kind.INQUIRY, channel="phone",
               subject=f"批量{i}", customer=customer, assignee=holder, team=holder.position.unit, received_at=now,
               status=Status.ASSIGNED, sla_state="on_track", sla_due_at=now)
        for i in range(first, first + n)
    ], batch_size=500)


@pytest.mark.parametrize(("query", "columns", "sort"), [
    ("tab=team&kind=complaint", ["subject", "assignee"], "-received_at"),
    ("tab=mine", [], ""),
])
def test_the_queue_with_a_saved_view_takes_6_queries_at_10_and_at_1000_tickets(member, user, count_queries, query,
                                                                               columns, sort):
    view = services.saved_view_create(owner=user("agent1"), name="视图", query=query, columns=columns, sort=sort)
    services.saved_view_create(owner=user("agent1"), name="另一个")
    client = signed_in("agent1")
    grow(10, member("agent1"))
    client.get(f"/tickets/?view={view.pk}")  # the scope is then kept for this org chart (staff.access)
    small = count_queries(lambda: client.get(f"/tickets/?view={view.pk}"))
    grow(990, member("agent1"))
    response = client.get(f"/tickets/?view={view.pk}")
    assert response.context["page"].count == (500 if "complaint" in query else 1000)
    assert (small, count_queries(lambda: client.get(f"/tickets/?view={view.pk}"))) == (6, 6)


def test_my_views_page_takes_the_same_queries_with_1_and_with_15_views(user, count_queries):
    owner = user("agent1")
    client = signed_in("agent1")
    services.saved_view_create(owner=owner, name="视图0", query="tab=team&kind=complaint&priority=urgent")
    client.get("/tickets/views/")
    small = count_queries(lambda: client.get("/tickets/views/"))
    for n in range(1, 15):
        services.saved_view_create(owner=owner, name=f"视图{n}", query="status=new&status=assigned",
                                   columns=["subject"], sort="priority")
    response = client.get("/tickets/views/")
    assert len(response.context["views"]) == 15
    assert (small, count_queries(lambda: client.get("/tickets/views/"))) == (5, 5)
