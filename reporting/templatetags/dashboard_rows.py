"""The dashboard's at-risk list, its rows built in Python.

The list shows 50 tickets; through the template engine their rows (a badge, a link, a checkbox each)
were a third of the dashboard's rendering. Built here, the link is reversed once for the page and each
value escaped with ``html.escape`` (the same five characters as Django's ``escape``); the markup is what
the template wrote (``tests/workspace/test_dashboard.py`` checks a row's).
"""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sla.templatetags.sla_states import sla_badge

register = template.Library()
_PK = 999_999_999  # a placeholder id in the reversed link, replaced by each row's


@register.simple_tag
def alarm_rows(tickets: Iterable[Any]) -> SafeString:
    """``{% alarm_rows board.at_risk %}``: the list's rows, or the row that says there is none."""
    before, _sep, after = (escape(part) for part in reverse("workspace:detail", args=[_PK]).partition(str(_PK)))
    rows = []
    for ticket in tickets:
        pk, reference = ticket.pk, escape(ticket.reference)
        holder = ticket.assignee.name if ticket.assignee_id else ""
        rows.append(
            f'<tr data-ticket="{pk}"><td><input type="checkbox" name="tickets" value="{pk}" '
            f'aria-label="{reference}"></td>\n    <td>{sla_badge(ticket)}</td><td class="reference">'
            f'<a href="{before}{pk}{after}">{reference}</a></td><td>{escape(ticket.subject)}</td>'
            f'<td>{escape(holder) or "—"}</td></tr>\n  ')
    if not rows:
        rows.append(f'<tr><td colspan="5" class="muted">{escape(_("Nothing at risk."))}</td></tr>')
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
