"""A missing page is the product's own page in the reader's language, also in the embedded demo,
which runs with DEBUG on (where Django would show its technical 404 and URL patterns)."""

import importlib

import pytest
from django.test import Client

from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
MIDDLEWARE = "servicecenter.notfound.ProductNotFoundMiddleware"
MESSAGE = "此处没有这个页面。它可能已移动，或者您无权查看。"


@pytest.fixture
def demo(settings):
    """The embedded settings' DEBUG and middleware."""
    embedded = importlib.import_module("servicecenter.settings.embedded")
    settings.DEBUG = True
    settings.MIDDLEWARE = embedded.MIDDLEWARE
    return settings


def test_the_demo_settings_put_the_products_page_in_place():
    embedded = importlib.import_module("servicecenter.settings.embedded")
    assert embedded.MIDDLEWARE[-1] == MIDDLEWARE
    assert importlib.import_module("servicecenter.urls").handler404 == "servicecenter.notfound.page_not_found"


@pytest.mark.parametrize("path", ["/no-such-page/", "/tickets/999999/"])  # no route; a view's Http404
def test_in_the_demo_a_missing_page_is_the_products_404(demo, path):
    response = signed_in("agent1").get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<p id="error-message">{MESSAGE}</p>' in html
    assert "DEBUG" not in html
    assert "URLconf" not in html


def test_in_the_demo_the_apis_404_stays_json(demo):
    response = signed_in("agent1").get("/api/v1/tickets/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    missing = signed_in("agent1").get("/api/v1/no-such-thing/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_without_debug_the_handler_serves_the_same_page_in_english_too():
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert ('<p id="error-message">There is no such page here. It may have moved, or you may not be allowed to '
            'see it.</p>') in response.content.decode()


def test_a_missing_page_redirects_to_its_slash_first(demo):
    assert signed_in("agent1").get("/tickets").status_code == 301
