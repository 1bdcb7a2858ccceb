"""Tickets cause work above them only through tickets/hooks.py, registered by the apps above."""

import ast
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from messaging.hooks import MessagingHooks
from sla.hooks import SlaHooks
from surveys.hooks import SurveyHooks
from tickets import hooks

ROOT = Path(__file__).resolve().parents[2]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


def test_the_ticket_services_import_neither_sla_nor_surveys():
    modules = sorted((ROOT / "tickets" / "services").glob("*.py"))
    assert [m.name for m in modules] == ["__init__.py", "actions.py", "base.py", "callbacks.py",
                                         "customer_messages.py", "customers.py", "intake.py", "work_orders.py"]
    for module in modules:
        assert imported_apps(module) & {"sla", "surveys", "messaging", "reporting", "workspace"} == set(), module.name


def test_the_apps_above_register_their_hooks_once_in_the_order_they_are_installed():
    assert [type(h) for h in hooks._registered] == [SlaHooks, MessagingHooks, SurveyHooks]
    hooks.register(SlaHooks())
    assert [type(h) for h in hooks._registered] == [MessagingHooks, SurveyHooks, SlaHooks]
    order = [SlaHooks, MessagingHooks, SurveyHooks]
    hooks._registered.sort(key=lambda h: order.index(type(h)))
    assert [type(h) for h in hooks._registered] == [SlaHooks, MessagingHooks, SurveyHooks]


@pytest.mark.django_db
def test_the_working_calendar_comes_from_the_sla_app_and_its_absence_is_an_error(sla_presets):
    thursday = datetime(2026, 9, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # Friday 2026-09-25 is the Mid-Autumn Festival; the next working day is Monday the 28th.
    assert hooks.working_deadline(thursday, 1).date().isoformat() == "2026-09-28"
    saved = list(hooks._registered)
    hooks._registered[:] = [h for h in saved if not isinstance(h, SlaHooks)]
    try:
        with pytest.raises(RuntimeError, match="working calendar"):
            hooks.working_deadline(thursday, 1)
    finally:
        hooks._registered[:] = saved


def test_the_sweeps_steps_reach_the_notifications_app_through_the_same_registry():
    from notifications.hooks import NotificationHooks
    from servicecenter.hooks import Registry
    from sla.hooks import EscalationHooks, escalations

    assert isinstance(escalations, Registry)
    assert isinstance(hooks.registry, Registry)
    assert escalations.points is EscalationHooks
    assert [type(h) for h in escalations.registered] == [NotificationHooks]
    with pytest.raises(AttributeError, match="EscalationHooks declares no hook point 'escalations_lost'"):
        escalations.each("escalations_lost")
