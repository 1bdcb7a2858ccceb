"""Every form that writes refuses a post without the CSRF token, and writes nothing; the forms the
pages render carry the token."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.security.conftest import fingerprint
from tests.security.test_permission_matrix import ROLES, RULES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
# HTML forms that write: every non-API POST in the matrix, as a role allowed to make it. (The SMS
# gateway's receipts are no form: no role may post them, only a request signed with the gateway's
# secret, tests/messaging/test_replies.py.)
FORMS = [(name, rule) for name, rules in sorted(RULES.items()) for rule in rules
         if rule.method == "post" and not rule.api and rule.allowed]
PUBLIC_FORMS = ["/submit/", "/track/", "/s/{token}/", "/login/"]


def test_the_forms_are_all_covered():
    assert {name for name, _ in FORMS} >= {"reporting:scorecards-compute", "reporting:scorecard-adjust",
                                           "workspace:act", "workspace:callback-attempt",
                                           "reporting:dashboard-reassign",
                                           "surveys:follow-up-close", "logout", "set_language"}


@pytest.mark.parametrize(("name", "rule"), FORMS, ids=[name for name, _ in FORMS])
def test_a_post_without_the_token_is_refused(name, rule, objects):
    role = sorted(rule.allowed - {"anonymous"})[0]
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=ROLES[role], password=PASSWORD)
    before = fingerprint()
    data = {k: (v.format(**objects) if isinstance(v, str) else v) for k, v in rule.data.items()}
    response = client.post(rule.path.format(**objects), data)
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_public_forms_need_the_token_too(path, objects):
    before = fingerprint()
    response = Client(enforce_csrf_checks=True).post(path.format(**objects), {"rating": "5", "phone": "1"})
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("path", ["/tickets/{t1}/", "/quality/", "/org/scorecards/?month=2026-10", "/calls/",
                                  "/notifications/", "/tickets/new/"])
def test_the_pages_forms_carry_the_token(path, objects):
    client = Client()
    assert client.login(username="director", password=PASSWORD)
    html = client.get(path.format(**objects)).content.decode()
    forms = html.count('method="post"')
    assert forms > 0
    assert html.count('name="csrfmiddlewaretoken"') >= forms
