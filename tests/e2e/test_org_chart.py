"""In a real browser: sign in, read the org chart in Chinese, switch to English, print a job description."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, SHAPE_A, load_shape

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/")


def test_director_reads_the_org_chart_in_both_languages(live_server, page, screenshot):
    load_shape(SHAPE_A)
    sign_in(page, live_server.url, "director")
    assert page.locator("h1").inner_text() == "工作台"
    page.click("text=组织架构")
    page.wait_for_url(f"{live_server.url}/org/")
    assert page.locator("tr[data-unit=cs-dept] th").inner_text().startswith("客服部")
    assert page.locator("tr[data-unit=admin-dept] th").inner_text().startswith("行政部")
    cs_cells = page.locator("tr[data-unit=cs-dept] td.num").all_inner_texts()
    assert cs_cells == ["11", "9", "2"]
    screenshot("org-chart-zh")

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page.locator("h1")).to_have_text("Org chart")
    assert page.locator("tr[data-unit=cs-dept] th").inner_text().startswith("Customer Service Dept")
    assert page.locator("tr[data-unit=admin-dept] th").inner_text().startswith("Administration Dept")
    screenshot("org-chart-en")

    page.click("text=Receptionist")
    expect(page.locator("h1")).to_have_text("Job description: Receptionist")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    screenshot("job-description-print")
