"""A quality review starts with no score chosen: the reviewer gives one, or the review is refused."""

import re

import pytest

from surveys.models import QualityReview
from tests.conftest import signed_in
from tests.surveys.test_reviews import handled  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def test_no_score_is_preselected_and_none_given_saves_nothing(handled):  # noqa: F811
    client = signed_in("lead1")
    html = client.get("/quality/reviews/?month=2026-11").content.decode()
    scores = re.findall(r'<input type="number" name="score"[^>]*>', html)
    assert len(scores) == 5
    assert [("value=" in tag, "required" in tag) for tag in scores] == [(False, True)] * 5
    refused = client.post("/quality/reviews/?month=2026-11", {"ticket": handled[0].pk, "score": "",
                                                              "has_error": "no"}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["分数须为 0 到 100 的整数。"]
    assert QualityReview.objects.count() == 0
