"""Bad numbers on every page and endpoint that reads one: ``inf``, ``-inf``, ``nan``, ``1e309``, ``-1``,
``99999999999999999999``, ``1.5`` for a whole number, ``abc``, a superscript digit, empty, and dates
that are not dates or are beyond what the figures can add a day to.

Each endpoint that reads a number, an id, a date or a month from a query string or a form is listed
below with the parameter, what kind of value it takes, and what an empty value means. Signed in as a
role allowed there (the permission matrix's), every bad value must get:

- from the API, 400 with a reason under the parameter's name (or ``detail``);
- from a page, the page with the reason among its messages (or beside the field) and status 400,
  or, for a form that posts and returns to its page, that page with the reason;
- from a download or a look-up fragment, 400 with the reason as text;

never a 500, and a refused write writes nothing.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]

# What makes a value bad for each kind of parameter (a value that is valid for the kind is left out).
COMMON = ["inf", "-inf", "nan", "1e309", "99999999999999999999", "abc", "²", "0x10", "1" * 5000]
BAD = {
    "whole": [*COMMON, "-1", "1.5"],  # a count or an id, from 0 or 1
    "real": [*COMMON, "-1"],  # a quantity ≥ 0 with an upper bound; 1.5 is a fine number of seconds
    "share": [*COMMON, "-1", "1.5"],  # a share between 0 and 1
    "points": COMMON,  # a signed adjustment: -1 and 1.5 are fine
    "date": [*COMMON, "-1", "1.5", "2026-02-30", "9999-12-31", "0001-01-01"],
    "datetime": [*COMMON, "-1", "1.5", "2026-02-30"],  # a filter: a far-off moment is a fine bound
    "moment": [*COMMON, "-1", "1.5", "2026-02-30", "9999-12-31T23:59:59", "0001-01-01"],  # a moment to reckon from
    "month": [*COMMON, "-1", "1.5", "2026-13", "9999-12", "2026-1"],
}
API, PAGE, FORM, TEXT = "api", "page", "form", "text"


@dataclass
class Case:
    name: str
    answer: str  # API: 400 + reason; PAGE: 400 + message; FORM: posted, back on the page with the reason; TEXT
    path: str
    param: str
    kind: str
    data: dict = field(default_factory=dict)
    method: str = "get"
    role: str = "lead1"
    empty_is_default: bool = True  # an empty value means "not given" (the default), not a bad value

    @property
    def writes(self) -> bool:
        return self.method != "get"


def C(name, answer, path, param, kind, data=None, **kw):
    return Case(name=name, answer=answer, path=path, param=param, kind=kind, data=data or {}, **kw)


STAFFING = "/api/v1/calls/staffing/"
PLANNER = {"calls": "100"}
STAFFING_BASE = {"calls": "100", "aht_seconds": "180"}

CASES = [
    # --- the API, reads -------------------------------------------------------------------------------
    C("staffing calls", API, STAFFING, "calls", "real", {"aht_seconds": "180"}, empty_is_default=False),
    C("staffing aht", API, STAFFING, "aht_seconds", "real", {"calls": "100"}, empty_is_default=False),
    C("staffing interval", API, STAFFING, "interval_minutes", "whole", STAFFING_BASE),
    C("staffing target", API, STAFFING, "target", "share", STAFFING_BASE),
    C("staffing threshold", API, STAFFING, "threshold_seconds", "real", STAFFING_BASE),
    C("staffing shrinkage", API, STAFFING, "shrinkage", "share", STAFFING_BASE),
    C("staffing patience", API, STAFFING, "patience_seconds", "real", STAFFING_BASE),
    C("service level threshold", API, "/api/v1/calls/service-level/", "threshold", "whole"),
    C("service level short abandon", API, "/api/v1/calls/service-level/", "short_abandon", "whole"),
    C("service level from", API, "/api/v1/calls/service-level/", "from", "date"),
    C("service level to", API, "/api/v1/calls/service-level/", "to", "date"),
    C("calendar year", API, "/api/v1/sla/calendar/days/", "year", "whole"),
    C("calendar add working days", API, "/api/v1/sla/calendar/add/", "working_days", "whole",
      {"start": "2026-11-20"}, empty_is_default=False),
    C("calendar add minutes", API, "/api/v1/sla/calendar/add/", "minutes", "whole", {"start": "2026-11-20"},
      empty_is_default=False),
    C("calendar add business minutes", API, "/api/v1/sla/calendar/add/", "business_minutes", "whole",
      {"start": "2026-11-20"}, empty_is_default=False),
    C("calendar add start", API, "/api/v1/sla/calendar/add/", "start", "moment", {"working_days": "3"},
      empty_is_default=False),
    C("sla metrics from", API, "/api/v1/sla/metrics/", "from", "date"),
    C("sla metrics to", API, "/api/v1/sla/metrics/", "to", "date"),
    C("survey metrics from", API, "/api/v1/surveys/metrics/", "from", "date"),
    C("survey metrics to", API, "/api/v1/surveys/metrics/", "to", "date"),
    C("review sample size", API, "/api/v1/surveys/reviews/sample/", "size", "whole"),
    C("review sample month", API, "/api/v1/surveys/reviews/sample/", "month", "month"),
    C("scorecards month", API, "/api/v1/scorecards/", "month", "month"),
    C("scorecards team", API, "/api/v1/scorecards/", "team", "whole", {"month": "2026-10"}),
    C("tickets team", API, "/api/v1/tickets/", "team", "whole"),
    C("tickets customer", API, "/api/v1/tickets/", "customer", "whole"),
    C("tickets assignee", API, "/api/v1/tickets/", "assignee", "whole"),
    C("tickets received after", API, "/api/v1/tickets/", "received_after", "datetime"),
    C("tickets due before", API, "/api/v1/tickets/", "due_before", "datetime"),
    C("tickets page", API, "/api/v1/tickets/", "page", "whole"),
    C("callbacks ticket", API, "/api/v1/callbacks/", "ticket", "whole"),
    C("callbacks assignee", API, "/api/v1/callbacks/", "assignee", "whole"),
    C("callbacks page", API, "/api/v1/callbacks/", "page", "whole"),
    C("work orders ticket", API, "/api/v1/work-orders/", "ticket", "whole"),
    C("work orders field team", API, "/api/v1/work-orders/", "field_team", "whole"),
    C("staff unit", API, "/api/v1/org/staff/", "unit", "whole"),
    C("staff position", API, "/api/v1/org/staff/", "position", "whole"),
    C("positions unit", API, "/api/v1/org/positions/", "unit", "whole"),
    C("positions reports to", API, "/api/v1/org/positions/", "reports_to", "whole"),
    C("units parent", API, "/api/v1/org/units/", "parent", "whole"),
    C("customers page", API, "/api/v1/customers/", "page", "whole", {"phone": "138"}),
    C("notifications page", API, "/api/v1/notifications/", "page", "whole"),
    C("policies page", API, "/api/v1/sla/policies/", "page", "whole"),
    C("call imports page", API, "/api/v1/calls/imports/", "page", "whole"),
    C("follow-ups page", API, "/api/v1/surveys/follow-ups/", "page", "whole"),
    C("reviews page", API, "/api/v1/surveys/reviews/", "page", "whole"),
    C("scorecards page", API, "/api/v1/scorecards/", "page", "whole", {"month": "2026-10"}),
    # --- the API, writes ------------------------------------------------------------------------------
    C("adjust a score", API, "/api/v1/scorecards/{scorecard}/adjust/", "adjustment", "points", {"reason": "r"},
      method="post", empty_is_default=False),
    C("compute scorecards", API, "/api/v1/scorecards/compute/", "month", "month", method="post",
      empty_is_default=False),
    C("review a ticket: score", API, "/api/v1/surveys/reviews/", "score", "whole",
      {"ticket": "{t1}", "has_error": False}, method="post", empty_is_default=False),
    C("review a ticket: ticket", API, "/api/v1/surveys/reviews/", "ticket", "whole",
      {"score": "80", "has_error": False}, method="post", empty_is_default=False),
    C("note with a version", API, "/api/v1/tickets/{t1}/note/", "version", "whole", {"body": "b"},
      method="post", empty_is_default=False),
    C("edit with a version", API, "/api/v1/tickets/{t1}/", "version", "whole", {"subject": "s"},
      method="patch", empty_is_default=False),
    C("edit the priority", API, "/api/v1/tickets/{t1}/", "priority", "whole", {"version": "1"},
      method="patch", empty_is_default=False),
    C("assign", API, "/api/v1/tickets/{t1}/assign/", "assignee", "whole", method="post", empty_is_default=False),
    C("transfer", API, "/api/v1/tickets/{t1}/transfer/", "team", "whole", {"reason": "r"}, method="post",
      empty_is_default=False),
    C("dispatch", API, "/api/v1/tickets/{t1}/dispatch/", "field_team", "whole", {"instructions": "i"},
      method="post", empty_is_default=False),
    C("cancel as a duplicate", API, "/api/v1/tickets/{t1}/cancel/", "duplicate_of", "whole",
      {"reason": "duplicate"}, method="post", empty_is_default=False),
    C("intake priority", API, "/api/v1/tickets/", "priority", "whole",
      {"kind": "inquiry", "channel": "phone", "subject": "s", "customer": {"name": "n", "phone": "13800000000"}},
      method="post", empty_is_default=False),
    C("intake received at", API, "/api/v1/tickets/", "received_at", "moment",
      {"kind": "inquiry", "channel": "phone", "subject": "s", "customer": {"name": "n", "phone": "13800000000"}},
      method="post", empty_is_default=False),
    C("work order arrival", API, "/api/v1/work-orders/{work_order}/arrive/", "at", "moment", method="post",
      empty_is_default=False),
    C("position headcount", API, "/api/v1/org/positions/", "headcount", "whole",
      {"code": "bad-numbers", "title": "t", "unit": "{unit}", "role": "agent"}, method="post", role="admin",
      empty_is_default=False),
    # --- pages ----------------------------------------------------------------------------------------
    C("planner calls", PAGE, "/calls/", "calls", "real", empty_is_default=False),
    C("planner interval", PAGE, "/calls/", "interval_minutes", "whole", PLANNER),
    C("planner AHT", PAGE, "/calls/", "aht_seconds", "real", PLANNER),
    C("planner target", PAGE, "/calls/", "target", "share", PLANNER),
    C("planner threshold", PAGE, "/calls/", "target_seconds", "real", PLANNER),
    C("planner shrinkage", PAGE, "/calls/", "shrinkage", "share", PLANNER),
    C("planner patience", PAGE, "/calls/", "patience_seconds", "real", PLANNER),
    C("calls threshold", PAGE, "/calls/", "threshold", "whole"),
    C("calls from", PAGE, "/calls/", "from", "date"),
    C("calls to", PAGE, "/calls/", "to", "date"),
    C("dashboard from", PAGE, "/dashboard/", "from", "date"),
    C("dashboard to", PAGE, "/dashboard/", "to", "date"),
    C("dashboard export from", TEXT, "/dashboard/export.csv", "from", "date"),
    C("scorecards page month", PAGE, "/org/scorecards/", "month", "month"),
    C("scorecards page team", PAGE, "/org/scorecards/", "team", "whole"),
    C("scorecards export month", TEXT, "/org/scorecards/export.xlsx", "month", "month"),
    C("scorecards export team", TEXT, "/org/scorecards/export.xlsx", "team", "whole"),
    C("quality from", PAGE, "/quality/", "from", "date"),
    C("quality to", PAGE, "/quality/", "to", "date"),
    C("reviews month", PAGE, "/quality/reviews/", "month", "month"),
    C("queue team", PAGE, "/tickets/", "team", "whole"),
    C("queue customer", PAGE, "/tickets/", "customer", "whole"),
    C("queue assignee", PAGE, "/tickets/", "assignee", "whole"),
    C("queue received after", PAGE, "/tickets/", "received_after", "datetime"),
    C("route preview priority", TEXT, "/tickets/lookup/route/", "priority", "whole",
      {"kind": "inquiry", "channel": "phone"}),
    # --- forms that post ------------------------------------------------------------------------------
    C("reassign: assignee", FORM, "/dashboard/reassign/", "assignee", "whole", {"tickets": "{t1}"},
      method="post", empty_is_default=False),
    C("reassign: tickets", FORM, "/dashboard/reassign/", "tickets", "whole", {"assignee": "{agent1}"},
      method="post", empty_is_default=False),
    C("adjust a score on the page", FORM, "/org/scorecards/{scorecard}/adjust/", "adjustment", "points",
      {"reason": "r"}, method="post", empty_is_default=False),
    C("compute scorecards on the page", FORM, "/org/scorecards/compute/", "month", "month", method="post",
      empty_is_default=False),
    C("review form: score", FORM, "/quality/reviews/", "score", "whole", {"ticket": "{t1}", "has_error": "no"},
      method="post", empty_is_default=False),
    C("review form: ticket", FORM, "/quality/reviews/", "ticket", "whole", {"score": "80", "has_error": "no"},
      method="post", empty_is_default=False),
    C("ticket page: note version", FORM, "/tickets/{t1}/do/note/", "version", "whole", {"body": "b"},
      method="post"),
    C("ticket page: assign", FORM, "/tickets/{t1}/do/assign/", "assignee", "whole", method="post",
      empty_is_default=False),
    C("ticket page: transfer", FORM, "/tickets/{t1}/do/transfer/", "team", "whole", {"reason": "r"},
      method="post", empty_is_default=False),
    C("ticket page: dispatch", FORM, "/tickets/{t1}/do/dispatch/", "field_team", "whole", {"instructions": "i"},
      method="post", empty_is_default=False),
    C("log a call: priority", FORM, "/tickets/new/", "priority", "whole",
      {"name": "n", "phone": "13800000000", "customer_class": "residential", "kind": "inquiry",
       "channel": "phone", "subject": "s"}, method="post", empty_is_default=False),
    C("log a call: received at", FORM, "/tickets/new/", "received_at", "moment",
      {"name": "n", "phone": "13800000000", "customer_class": "residential", "kind": "inquiry",
       "channel": "phone", "subject": "s", "priority": "3"}, method="post"),
    C("survey rating", FORM, "/s/{token}/", "rating", "whole", method="post", role="", empty_is_default=False),
]


def client_for(username: str) -> Client:
    client = Client(raise_request_exception=False)
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client


def fill(value, objects):
    if isinstance(value, str):
        return value.format(**objects)
    if isinstance(value, dict):
        return {k: fill(v, objects) for k, v in value.items()}
    return value


def send(client: Client, case: Case, value: str, objects: dict):
    path = case.path.format(**objects)
    data = {**fill(case.data, objects), case.param: value}
    if case.answer == API and case.writes:
        return getattr(client, case.method)(path, data, content_type="application/json")
    return getattr(client, case.method)(path, data, follow=case.answer == FORM)


def judge(case: Case, response, value: str, before, after) -> str | None:
    """What is wrong with the answer to a bad value, or None."""
    code = response.status_code
    if code >= 500:
        return f"{code} (server error)"
    if case.writes and before != after:
        return f"{code}, and something was written"
    if case.answer == API:
        if code != 400:
            return f"{code}, expected 400"
        body = response.json()
        if not (case.param in body or "detail" in body or "non_field_errors" in body):
            return f"400 without a reason for {case.param}: {body}"
        return None
    content = response.content.decode()
    if case.answer == TEXT:
        return None if code == 400 and content.strip() else f"{code}, expected 400 with the reason"
    if case.answer == PAGE and code != 400:
        return f"{code}, expected the page with status 400"
    if 'class="error' not in content and "errorlist" not in content:
        return f"{code} without an error message on the page"
    return None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_numbers_are_refused_with_a_reason(case, objects):
    client = client_for(case.role)
    failures = []
    for value in BAD[case.kind] + ([] if case.empty_is_default else [""]):
        before = fingerprint() if case.writes else None
        response = send(client, case, value, objects)
        after = fingerprint() if case.writes else None
        problem = judge(case, response, value, before, after)
        if problem:
            failures.append(f"{case.param}={value[:20]!r}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", [c for c in CASES if c.empty_is_default and not c.writes],
                         ids=[c.name for c in CASES if c.empty_is_default and not c.writes])
def test_an_empty_value_is_the_default(case, objects):
    response = send(client_for(case.role), case, "", objects)
    assert response.status_code == 200, response.content[:300]


def test_the_planner_answers_a_good_query_and_says_why_for_a_bad_one(objects):
    client = client_for("lead1")
    good = client.get("/calls/", {"calls": "3000", "aht_seconds": "180", "target": "0.8", "target_seconds": "300",
                                  "patience_seconds": "120"})
    assert good.status_code == 200
    assert good.context["staffing"]["best"].agents == 301
    assert [round(a.service_level, 4) for _c, a in good.context["staffing"]["rows"]][:3] == [0.9763, 0.9779, 0.9794]
    erlang_c_only = client.get("/calls/", {"calls": "100", "patience_seconds": ""})
    assert erlang_c_only.status_code == 200
    assert all(a is None for _c, a in erlang_c_only.context["staffing"]["rows"])
    too_many = client.get("/calls/", {"calls": "1000000", "aht_seconds": "36000"})
    assert too_many.status_code == 400
    assert "best" not in too_many.context["staffing"]
    assert "20,000" in too_many.content.decode()
    bad = client.get("/calls/", {"calls": "inf"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "best" not in bad.context["staffing"]
    messages = [str(m) for m in bad.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("Calls: ")
