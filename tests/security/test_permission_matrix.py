"""Every URL × every role: who may, who may not, and no 500 for anyone.

The URL conf is walked, so a new endpoint without a rule in ``RULES`` fails this suite. Each rule
names a request (method, path from the fixtures' objects, body) and the roles allowed. An allowed
role gets an answer that is not 401/403/404 (it may still be 400 or 409: the matrix is about
access, the other tests about behaviour); a refused role gets 302 to the sign-in page, 403 or 404,
and a refused write changes nothing.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")

ROLES = {
    "anonymous": None, "agent": "agent1", "other_agent": "agent4", "team_lead": "lead1",
    "supervisor": "supervisor1", "director": "director", "admin": "admin",
}
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = SIGNED_IN  # every signed-in user of shape A holds a post or is a superuser
LEADERS = frozenset({"team_lead", "supervisor", "director", "admin"})
SEES_T1 = frozenset({"agent", "team_lead", "director", "admin"})  # agent1's ticket in tech-region-1
LEADS_AGENT1 = frozenset({"team_lead", "director", "admin"})
ORG_ADMINS = frozenset({"admin"})
JD_EDITORS = frozenset({"team_lead", "director", "admin"})  # above tech-staff-1: lead1, the director; org admins
DENIED = {302, 403, 404, 405}


@dataclass
class Rule:
    allowed: frozenset
    path: str  # formatted with the objects below
    method: str = "get"
    data: dict = field(default_factory=dict)
    api: bool = False
    login_redirect: bool = False  # a redirect to the sign-in page is the answer itself (signing out)


def R(allowed, path, method="get", data=None, login_redirect=False):
    return Rule(allowed=allowed, path=path, method=method, data=data or {}, api=path.startswith("/api/"),
                login_redirect=login_redirect)


RULES: dict[str, list[Rule]] = {
    "home": [R(SIGNED_IN, "/")],
    "healthz": [R(EVERYONE, "/healthz")],
    "login": [R(EVERYONE, "/login/")],
    "logout": [R(EVERYONE, "/logout/", "post", login_redirect=True)],
    "set_language": [R(EVERYONE, "/i18n/setlang/", "post", {"language": "en"})],
    "staff:org-chart": [R(SIGNED_IN, "/org/")],
    "staff:job-description": [R(SIGNED_IN, "/org/positions/{position}/")],
    "staff:change": [R(ORG_ADMINS, "/org/change/unit_move/"), R(ORG_ADMINS, "/org/change/unit_move/", "post", {})],
    "staff:changes": [R(ORG_ADMINS, "/org/changes/")],
    "staff:row-menu": [R(ORG_ADMINS, "/org/menu/position/{position_id}/")],
    "staff:change-cancel": [R(ORG_ADMINS, "/org/changes/{org_change}/cancel/", "post")],
    "staff:history": [R(LEADERS, "/org/history/position/{position}/")],
    "staff:jd-new": [R(JD_EDITORS, "/org/positions/{position}/versions/new/", "post")],
    "staff:jd-version": [R(SIGNED_IN, "/org/positions/{position}/versions/1/")],
    "staff:jd-edit": [R(JD_EDITORS, "/org/positions/{position}/versions/2/edit/")],  # v2 is a draft
    "staff:jd-docx": [R(SIGNED_IN, "/org/positions/{position}/versions/1/docx/")],
    "staff:jd-action": [R(JD_EDITORS, "/org/positions/{position}/versions/2/submit/", "post")],
    "staff:jd-compare": [R(SIGNED_IN, "/org/positions/{position}/compare/?a=1&b=1")],
    "reporting:scorecards": [R(SIGNED_IN, "/org/scorecards/?month=2026-10")],
    "reporting:scorecards-compute": [R(LEADERS, "/org/scorecards/compute/", "post", {"month": "2026-10"})],
    "reporting:scorecards-export": [R(SIGNED_IN, "/org/scorecards/export.xlsx?month=2026-10")],
    "reporting:scorecard-adjust": [R(LEADS_AGENT1, "/org/scorecards/{scorecard}/adjust/", "post",
                                 {"adjustment": "1", "reason": "matrix"})],
    "tickets:public-submit": [R(EVERYONE, "/submit/")],
    "tickets:public-track": [R(EVERYONE, "/track/")],
    "workspace:queue": [R(STAFF, "/tickets/")],
    "workspace:bulk": [R(STAFF, "/tickets/bulk/", "post", {"action": "priority", "priority": "1", "ticket": "{t1}"})],
    "workspace:views": [R(STAFF, "/tickets/views/"), R(STAFF, "/tickets/views/", "post", {"name": "matrix"})],
    # A saved view is its owner's only (tests/workspace/test_queue_views.py); no role here owns view 0.
    # A saved view is its owner's alone (agent1's here): to everyone else it does not exist.
    "workspace:view-rename": [R(frozenset({"agent"}), "/tickets/views/{saved_view}/rename/", "post",
                                {"name": "matrix"})],
    "workspace:view-delete": [R(frozenset({"agent"}), "/tickets/views/{saved_view}/delete/", "post")],
    "workspace:new": [R(STAFF, "/tickets/new/")],
    "workspace:customer-lookup": [R(STAFF, "/tickets/lookup/customers/?phone=138")],
    "workspace:route-preview": [R(STAFF, "/tickets/lookup/route/?kind=inquiry&channel=phone")],
    "workspace:detail": [R(SEES_T1, "/tickets/{t1}/")],
    "workspace:act": [R(SEES_T1, "/tickets/{t1}/do/note/", "post", {"body": "matrix"})],
    "workspace:presence": [R(SEES_T1, "/tickets/{t1}/presence/", "post", {"state": "viewing"})],
    "workspace:work-orders": [R(STAFF, "/work-orders/")],
    "workspace:work-order-step": [R(SEES_T1, "/work-orders/{work_order}/arrive/", "post", {"at": "bad"})],
    "workspace:callbacks": [R(STAFF, "/callbacks/")],
    "workspace:callback-attempt": [R(SEES_T1, "/callbacks/{callback}/attempt/", "post", {"outcome": "unreachable"})],
    "notifications:list": [R(SIGNED_IN, "/notifications/")],
    "notifications:read": [R(frozenset({"team_lead"}), "/notifications/read/", "post",
                             {"notification": "{notification}"})],
    "notifications:open": [R(frozenset({"team_lead"}), "/notifications/{notification}/open/", "post")],
    "reporting:dashboard": [R(LEADERS, "/dashboard/")],
    "reporting:dashboard-export": [R(LEADERS, "/dashboard/export.csv")],
    "reporting:dashboard-reassign": [R(LEADERS, "/dashboard/reassign/", "post", {"tickets": [], "assignee": ""})],
    "calls:index": [R(LEADERS, "/calls/")],
    "calls:import": [R(LEADERS, "/calls/imports/{call_import}/")],
    "surveys:survey": [R(EVERYONE, "/s/{token}/")],
    # Signed by the SMS gateway: a request without the signature is refused whoever sends it.
    "messaging:track": [R(EVERYONE, "/t/{track_token}/")],
    "messaging:attachment": [R(SEES_T1, "/attachments/{attachment}/")],
    "workspace:canned-replies": [R(LEADERS, "/canned-replies/"),
                                 R(LEADERS, "/canned-replies/", "post", {"title": "问候2", "body": "您好",
                                                                         "language": "zh-hans", "sort_order": "0"})],
    "workspace:canned-reply": [R(LEADERS, "/canned-replies/{canned_reply}/"),
                               R(LEADERS, "/canned-replies/{canned_reply}/", "post",
                                 {"title": "问候", "body": "您好！", "language": "zh-hans", "sort_order": "0"})],
    "messaging:sms-receipt": [R(frozenset(), "/hooks/sms/receipt/", "post", {"id": "x", "status": "delivered"})],
    "surveys:quality": [R(LEADERS, "/quality/")],
    "surveys:follow-up-close": [R(LEADS_AGENT1, "/quality/follow-ups/{follow_up}/close/", "post",
                                  {"outcome": "matrix"})],
    "surveys:reviews": [R(LEADERS, "/quality/reviews/")],
    "calendar-add": [R(STAFF, "/api/v1/sla/calendar/add/?start=2026-11-20T10:00:00%2B08:00&working_days=3")],
    "sla-metrics": [R(STAFF, "/api/v1/sla/metrics/")],
    "calls-staffing": [R(STAFF, "/api/v1/calls/staffing/?calls=100&interval_minutes=30&aht_seconds=180")],
    "calls-service-level": [R(LEADERS, "/api/v1/calls/service-level/")],
    "survey-metrics": [R(STAFF, "/api/v1/surveys/metrics/")],
    "unit-list": [R(STAFF, "/api/v1/org/units/"), R(ORG_ADMINS, "/api/v1/org/units/", "post", {})],
    "unit-detail": [R(STAFF, "/api/v1/org/units/{unit}/"), R(ORG_ADMINS, "/api/v1/org/units/{unit}/", "patch", {})],
    "position-list": [R(STAFF, "/api/v1/org/positions/"), R(ORG_ADMINS, "/api/v1/org/positions/", "post", {})],
    "position-detail": [R(STAFF, "/api/v1/org/positions/{position_id}/"),
                        R(ORG_ADMINS, "/api/v1/org/positions/{position_id}/", "patch", {})],
    "staff-list": [R(STAFF, "/api/v1/org/staff/"), R(ORG_ADMINS, "/api/v1/org/staff/", "post", {})],
    "staff-detail": [R(STAFF, "/api/v1/org/staff/{agent1}/"),
                     R(ORG_ADMINS, "/api/v1/org/staff/{agent1}/", "patch", {})],
    "staff-chain": [R(STAFF, "/api/v1/org/staff/{agent1}/chain/")],
    "org-change-list": [R(LEADERS, "/api/v1/org/changes/"), R(ORG_ADMINS, "/api/v1/org/changes/", "post", {})],
    "org-change-detail": [R(LEADERS, "/api/v1/org/changes/{org_change}/")],
    "org-change-preview": [R(LEADERS, "/api/v1/org/changes/preview/", "post", {})],
    "org-change-cancel": [R(ORG_ADMINS, "/api/v1/org/changes/{org_change}/cancel/", "post")],
    "job-description-list": [R(SIGNED_IN, "/api/v1/org/job-descriptions/")],
    "job-description-detail": [R(SIGNED_IN, "/api/v1/org/job-descriptions/{jd}/")],
    "job-description-versions": [R(SIGNED_IN, "/api/v1/org/job-descriptions/{jd}/versions/"),
                                 R(JD_EDITORS, "/api/v1/org/job-descriptions/{jd}/versions/", "post", {})],
    "job-description-version": [R(SIGNED_IN, "/api/v1/org/job-descriptions/{jd}/versions/1/"),
                                R(JD_EDITORS, "/api/v1/org/job-descriptions/{jd}/versions/1/", "patch", {})],
    "job-description-step": [R(JD_EDITORS, "/api/v1/org/job-descriptions/{jd}/versions/1/submit/", "post", {})],
    "job-description-compare": [R(SIGNED_IN, "/api/v1/org/job-descriptions/{jd}/compare/?a=1&b=1")],
    "ticket-list": [R(STAFF, "/api/v1/tickets/"), R(STAFF, "/api/v1/tickets/", "post", {})],
    "ticket-next": [R(STAFF, "/api/v1/tickets/next/", "post")],
    "ticket-detail": [R(SEES_T1, "/api/v1/tickets/{t1}/"), R(SEES_T1, "/api/v1/tickets/{t1}/", "patch", {})],
    "ticket-events": [R(SEES_T1, "/api/v1/tickets/{t1}/events/")],
    **{f"ticket-{action}": [R(SEES_T1, f"/api/v1/tickets/{{t1}}/{action}/", "post", {})]
       for action in ("assign", "cancel", "claim", "close", "dispatch", "note", "pause", "reopen", "reply",
                      "resolve", "resume", "start", "transfer")},
    # Reclassifying (the way to or from a report) is for leaders above the holder, not the holder.
    "ticket-reclassify": [R(LEADS_AGENT1, "/api/v1/tickets/{t1}/reclassify/", "post", {})],
    "customer-list": [R(STAFF, "/api/v1/customers/?phone=138")],
    # Customer records are looked up across the center (whoever takes the next call finds them), but
    # edited only by those with a ticket of theirs in scope; their tickets are filtered by the caller's
    # scope, and reporters stay hidden.
    "customer-detail": [R(STAFF, "/api/v1/customers/{customer}/"),
                        R(SEES_T1, "/api/v1/customers/{customer}/", "patch", {"name": "matrix"})],
    "customer-tickets": [R(STAFF, "/api/v1/customers/{customer}/tickets/")],
    "work-order-list": [R(STAFF, "/api/v1/work-orders/")],
    "work-order-detail": [R(SEES_T1, "/api/v1/work-orders/{work_order}/")],
    "work-order-arrive": [R(SEES_T1, "/api/v1/work-orders/{work_order}/arrive/", "post", {"at": "bad"})],
    "work-order-restore": [R(SEES_T1, "/api/v1/work-orders/{work_order}/restore/", "post", {"at": "bad"})],
    "callback-list": [R(STAFF, "/api/v1/callbacks/")],
    "callback-detail": [R(SEES_T1, "/api/v1/callbacks/{callback}/")],
    "callback-attempt": [R(SEES_T1, "/api/v1/callbacks/{callback}/attempt/", "post", {"outcome": "bad"})],
    "calendar-day-list": [R(STAFF, "/api/v1/sla/calendar/days/?year=2026")],
    "calendar-day-detail": [R(STAFF, "/api/v1/sla/calendar/days/2026-10-01/"),
                            R(ORG_ADMINS, "/api/v1/sla/calendar/days/2026-10-01/", "put", {})],
    "policy-list": [R(STAFF, "/api/v1/sla/policies/")],
    "policy-detail": [R(STAFF, "/api/v1/sla/policies/{policy}/")],
    "notification-list": [R(SIGNED_IN, "/api/v1/notifications/")],
    "notification-read-all": [R(SIGNED_IN, "/api/v1/notifications/read-all/", "post")],
    "notification-read": [R(frozenset({"team_lead"}), "/api/v1/notifications/{notification}/read/", "post")],
    "call-import-list": [R(LEADERS, "/api/v1/calls/imports/"),
                         R(LEADERS, "/api/v1/calls/imports/", "post", {})],
    "call-import-detail": [R(LEADERS, "/api/v1/calls/imports/{call_import}/")],
    "follow-up-list": [R(STAFF, "/api/v1/surveys/follow-ups/")],
    "follow-up-detail": [R(LEADS_AGENT1, "/api/v1/surveys/follow-ups/{follow_up}/")],
    "follow-up-close": [R(LEADS_AGENT1, "/api/v1/surveys/follow-ups/{follow_up}/close/", "post", {})],
    "quality-review-list": [R(STAFF, "/api/v1/surveys/reviews/"),
                            R(LEADERS, "/api/v1/surveys/reviews/", "post", {"ticket": "{t1}", "has_error": False,
                                                                             "score": 101})],
    "quality-review-sample": [R(STAFF, "/api/v1/surveys/reviews/sample/")],
    "quality-review-detail": [R(LEADS_AGENT1, "/api/v1/surveys/reviews/{review}/")],
    "scorecard-list": [R(STAFF, "/api/v1/scorecards/?month=2026-10")],
    "scorecard-compute": [R(LEADERS, "/api/v1/scorecards/compute/", "post", {"month": "bad"})],
    "scorecard-detail": [R(SEES_T1, "/api/v1/scorecards/{scorecard}/")],
    "scorecard-adjust": [R(LEADS_AGENT1, "/api/v1/scorecards/{scorecard}/adjust/", "post", {"adjustment": "99"})],
    "api-root": [R(SIGNED_IN, "/api/v1/")],
    "schema": [R(EVERYONE, "/api/schema/")],
    "swagger-ui": [R(EVERYONE, "/api/docs/")],
    "admin": [R(ORG_ADMINS, "/admin/"), R(ORG_ADMINS, "/admin/tickets/routingrule/"),
              R(ORG_ADMINS, "/admin/surveys/surveytemplate/"), R(ORG_ADMINS, "/admin/staff/scoreweight/")],
}


def url_names() -> set[str]:
    """Every named URL the project serves; the admin site counts as one (it guards itself)."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(":".join(filter(None, [namespace, pattern.name or str(pattern.pattern)])))

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_a_rule():
    missing = sorted(url_names() - set(RULES))
    assert missing == [], f"endpoints without a rule in the permission matrix: {missing}"
    assert sorted(set(RULES) - url_names()) == []


def client_for(role: str) -> Client:
    client = Client(raise_request_exception=False)
    username = ROLES[role]
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client


def run(rule: Rule, role: str, objects: dict):
    path = rule.path.format(**objects)
    data = {k: (v.format(**objects) if isinstance(v, str) else v) for k, v in rule.data.items()}
    client = client_for(role)
    if rule.api or rule.method in ("put", "patch"):
        return getattr(client, rule.method)(path, data, content_type="application/json")
    return getattr(client, rule.method)(path, data)


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_permission_matrix(name, objects):
    failures = []
    for rule in RULES[name]:
        for role in ROLES:
            before = fingerprint() if rule.method != "get" else None
            response = run(rule, role, objects)
            code = response.status_code
            label = f"{rule.method.upper()} {rule.path} as {role}: {code}"
            if code >= 500:
                failures.append(f"{label} (server error)")
            elif role in rule.allowed:
                to_login = code == 302 and "/login/" in response.get("Location", "") and not rule.login_redirect
                if code in (401, 403, 404) or to_login:
                    failures.append(f"{label}, expected access")
            else:
                if code not in DENIED or (code == 302 and "/login/" not in response.get("Location", "")):
                    failures.append(f"{label}, expected a refusal")
                elif before is not None and fingerprint() != before:
                    failures.append(f"{label}: refused but something changed")
    assert failures == []
