"""Every Celery task of ours has a soft and a hard time limit: a global default in the settings, and
its own where the task is long (the calls import in its decorator, the monthly scorecards through
``CELERY_TASK_ANNOTATIONS``). The broker's visibility timeout outlasts the longest hard limit."""

import pytest
from django.conf import settings

from servicecenter import celery_app

OURS = ("servicecenter.", "staff.", "tickets.", "sla.", "calls.", "notifications.", "messaging.", "surveys.",
        "reporting.")


def our_tasks() -> dict:
    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    return {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}


def limits(task) -> tuple[float, float]:
    """The limits the worker applies: the task's own, else the global default."""
    return (task.soft_time_limit or celery_app.conf.task_soft_time_limit,
            task.time_limit or celery_app.conf.task_time_limit)


def test_the_global_limits_are_set():
    assert (celery_app.conf.task_soft_time_limit, celery_app.conf.task_time_limit) == (240, 300)


def test_every_task_of_ours_is_registered_under_our_names():
    names = set(our_tasks())
    assert names >= {"servicecenter.health_check", "servicecenter.probe", "sla.sweep", "notifications.email",
                     "calls.import", "calls.reap_imports", "reporting.scorecards", "surveys.send"}
    assert all(name.startswith(OURS) for name in names), sorted(names)


def test_every_task_of_ours_has_a_soft_limit_below_its_hard_limit():
    for name, task in our_tasks().items():
        soft, hard = limits(task)
        assert soft, name
        assert hard, name
        assert 0 < soft < hard, name


@pytest.mark.parametrize(("name", "expected"), [
    ("calls.import", (settings.CALLS_IMPORT_SOFT_TIME_LIMIT, settings.CALLS_IMPORT_TIME_LIMIT)),
    ("reporting.scorecards", (settings.SCORECARDS_SOFT_TIME_LIMIT, settings.SCORECARDS_TIME_LIMIT)),
    ("calls.reap_imports", (50, 60)),
    ("sla.sweep", (240, 300)),
    ("surveys.send", (240, 300)),
])
def test_long_tasks_have_their_own_limits(name, expected):
    assert limits(our_tasks()[name]) == expected


def test_the_redis_visibility_timeout_outlasts_every_hard_limit(monkeypatch):
    import importlib

    import servicecenter.settings.base as base

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)
    try:
        reloaded = importlib.reload(base)
        timeout = reloaded.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    finally:
        monkeypatch.undo()
        importlib.reload(base)
    assert timeout > max(limits(task)[1] for task in our_tasks().values())
