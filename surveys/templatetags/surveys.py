from django import template
from django.utils.translation import gettext as _

from tickets.models import Kind

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share in [0, 1] as a percentage with one decimal; a dash when there is nothing to count."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def group_label(group_by: str) -> str:
    return {"team": _("Team"), "agent": _("Agent"), "kind": _("Kind"), "month": _("Month")}.get(group_by, group_by)


@register.filter
def group_name(row: dict, group_by: str) -> str:
    name = row.get("group_name")
    if group_by == "kind" and name:
        return str(Kind(name).label) if name in Kind.values else name
    return name or "—"


@register.filter
def kpi(kpis: dict, code: str) -> dict:
    return kpis.get(code) or {}
