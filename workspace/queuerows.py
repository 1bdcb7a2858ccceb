"""The queue's table rows, built in Python.

The queue is the page agents refresh all day (every 30 s, by htmx). Through the template engine its
50 rows, each with an included badge and a dozen translated labels, were three quarters of the
page's server time (``bench/profile_list.py``); built here, every word is translated once per page
and every value escaped with ``html.escape`` (the same five characters as Django's ``escape``). The
markup is the template's, row for row (``tests/workspace/test_queue_rows.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sla.templatetags.sla_states import local_moment, sla_badge
from tickets.models import Kind, Priority, Status

_PK = 999_999_999  # a placeholder id in a reversed URL, replaced by each row's


def _url(name: str, *args: Any) -> tuple[str, str]:
    """A URL pattern's text before and after the ticket's id."""
    before, _sep, after = reverse(name, args=[_PK, *args]).partition(str(_PK))
    return escape(before), escape(after)


class _Words:
    """What every row needs, translated and reversed once per page."""

    def __init__(self) -> None:
        self.labels = {key: escape(label, quote=True) for key, label in (
            ("deadline", _("Deadline")), ("reference", _("Reference")), ("kind", _("Kind")),
            ("subject", _("Subject")), ("status", _("Status")), ("priority", _("Priority")),
            ("assignee", _("Assignee")), ("received", _("Received")))}
        self.kinds = {k.value: escape(str(k.label)) for k in Kind}
        self.statuses = {s.value: escape(str(s.label)) for s in Status}
        self.priorities = {p.value: escape(str(p.label)) for p in Priority}
        self.detail = _url("workspace:detail")
        self.claim = _url("workspace:act", "claim")

    def select(self, reference: str) -> str:
        return escape(_("Select %(reference)s") % {"reference": reference}, quote=True)


def _row(words: _Words, ticket: Any, page: Any, columns: set[str]) -> str:
    pk = ticket.pk
    label = words.labels
    detail = f"{words.detail[0]}{pk}{words.detail[1]}"
    claim = ""
    if not ticket.assignee_id and ticket.status == "new":
        claim = f' data-claim="{words.claim[0]}{pk}{words.claim[1]}"'
    reference = escape(ticket.reference)
    cells = [
        f'<td class="select"><input type="checkbox" name="ticket" value="{pk}:{ticket.version}" form="bulk-form" '
        f'data-select-row aria-label="{words.select(ticket.reference)}"></td>',
        f'<td class="deadline" data-label="{label["deadline"]}">{sla_badge(ticket, page)}</td>',
        f'<td class="reference" data-label="{label["reference"]}"><a href="{detail}">{reference}</a></td>',
    ]
    if "kind" in columns:
        cells.append(f'<td data-label="{label["kind"]}">{words.kinds.get(ticket.kind, escape(ticket.kind))}</td>')
    if "subject" in columns:
        cells.append(f'<td class="subject" data-label="{label["subject"]}">{escape(ticket.subject)}</td>')
    if "status" in columns:
        status = words.statuses.get(ticket.status, escape(ticket.status))
        cells.append(f'<td data-label="{label["status"]}">{status}</td>')
    if "priority" in columns:
        priority = words.priorities.get(ticket.priority, escape(str(ticket.priority)))
        cells.append(f'<td class="prio-{ticket.priority}" data-label="{label["priority"]}">{priority}</td>')
    if "assignee" in columns:
        name = escape(ticket.assignee.name) if ticket.assignee_id and ticket.assignee.name else "—"
        cells.append(f'<td data-label="{label["assignee"]}">{name}</td>')
    if "received" in columns:
        cells.append(f'<td data-label="{label["received"]}"><time datetime="{local_moment(ticket.received_at, "c")}">'
                     f'{local_moment(ticket.received_at, "SHORT_DATETIME_FORMAT", named=True)}</time></td>')
    return f'<tr data-ticket="{pk}" data-href="{detail}"{claim}>{"".join(cells)}</tr>'


def queue_rows(page: Any, columns: Iterable[str]) -> SafeString:
    """The ``<tbody>`` rows of a queue page (the "nothing here" row when it is empty)."""
    shown = set(columns)
    rows = list(page)
    if not rows:
        nothing = escape(_("Nothing here."))
        return mark_safe(f'<tr><td colspan="{len(shown) + 3}" class="muted">{nothing}</td></tr>')  # noqa: S308
    words = _Words()
    return mark_safe("\n".join(_row(words, ticket, page, shown) for ticket in rows))  # noqa: S308 - escaped above
