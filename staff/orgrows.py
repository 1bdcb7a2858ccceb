"""The org chart's table body, built in Python.

A center of 2,000 posts is 2,000 rows with their holders; through the template engine (or even
``format_html`` per piece) that costs about a second of server time, as plain string building with
escaping a fraction of it (``make bench-org``). Every value is escaped with ``html.escape`` (the same five
characters as Django's ``escape``) and every word goes through gettext.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staff.models import Position
from staff.selectors import UnitNode


class _Page:
    """What every row needs: the words, translated once, and the links' prefixes."""

    def __init__(self, *, menu: str, positions: str) -> None:
        self.menu = escape(menu)  # empty: not an org admin, no edit links
        self.positions = escape(positions)
        self.edit = escape(_("Edit"))
        self.outside = escape(_("outside establishment"))
        self.concurrent = escape(_("concurrent"))
        self.on_leave = escape(_("on leave"))
        self.over = escape(_("over headcount"))

    def edit_link(self, subject: str, pk: int, name: str) -> str:
        """The Edit link of a unit's or a post's row: its menu opens below the row."""
        url = f"{self.menu}{subject}/{pk}/"
        return (f' <a class="row-edit no-print" href="{url}" hx-get="{url}?fragment=1" hx-target="closest tr" '
                f'hx-swap="afterend">{self.edit}<span class="sr-only"> {name}</span></a>')

    def person_link(self, pk: int, name: str, concurrent_post: int | None) -> str:
        """The ⋯ beside a holder's name; for a concurrent post it names the post (so it can be ended)."""
        url = f"{self.menu}staff/{pk}/"
        query = f"?position={concurrent_post}" if concurrent_post else ""
        fragment = f"{query}&amp;fragment=1" if query else "?fragment=1"
        label = escape(_("Change %(name)s") % {"name": name})
        return (f' <a class="row-edit no-print" href="{url}{query}" hx-get="{url}{fragment}" hx-target="closest tr" '
                f'hx-swap="afterend" aria-label="{label}">⋯</a>')


def _holder(page: _Page, pk: int, name: str, *, on_leave: bool, concurrent_post: int | None) -> str:
    html = escape(name)
    if concurrent_post:
        html += f' <span class="tag">{page.concurrent}</span>'
    if on_leave:
        html += f' <span class="tag leave">{page.on_leave}</span>'
    if page.menu:
        html += page.person_link(pk, name, concurrent_post)
    return f'<span class="holder">{html}</span>'


def _position_row(page: _Page, depth: int, position: Position) -> str:
    code, title = escape(position.code), escape(position.display_name)
    first = f'<span class="indent"></span><a href="{page.positions}{code}/">{title}</a>'
    if not position.in_establishment:
        first += f' <span class="tag">{page.outside}</span>'
    if position.headcount_note:
        first += f' <span class="muted">{escape(position.headcount_note)}</span>'
    if page.menu:
        first += page.edit_link("position", position.pk, title)
    holders = [_holder(page, h.pk, h.name, on_leave=h.on_leave, concurrent_post=None)
               for h in position.active_holders]  # type: ignore[attr-defined]
    holders += [_holder(page, a.staff_id, a.staff.name, on_leave=a.staff.on_leave, concurrent_post=position.pk)
                for a in position.active_concurrent]  # type: ignore[attr-defined]
    second = "、".join(holders)
    vacant, over = position.vacant, position.over
    if vacant:
        words = ngettext("%(n)s vacancy", "%(n)s vacancies", vacant) % {"n": vacant}
        second += f' <span class="vacancy">{escape(words)}</span>'
    if over:
        second += f' <span class="warning">{page.over}</span>'
    classes = "position" + (" has-vacancy" if vacant else "") + (" over" if over else "")
    return (f'<tr class="{classes}" data-position="{code}" id="post-{code}"><td class="depth-{depth}">{first}</td>'
            f'<td>{second}</td><td class="num">{position.headcount}</td><td class="num">{position.filled}</td>'
            f'<td class="num">{vacant}</td></tr>')


def _unit_row(page: _Page, node: UnitNode) -> str:
    unit = node.unit
    code, name = escape(unit.code), escape(unit.display_name)
    head = f'{name} <span class="tag">{escape(str(unit.get_kind_display()))}</span>'
    if page.menu:
        head += page.edit_link("unit", unit.pk, name)
    planned = str(node.planned)
    if node.outside_planned:
        planned += f' <span class="muted">+{node.outside_planned} {page.outside}</span>'
    return (f'<tr class="unit depth-{node.depth}" data-unit="{code}" id="unit-{code}"><th scope="row" '
            f'class="depth-{node.depth}">{head}</th><td></td><td class="num">{planned}</td>'
            f'<td class="num">{node.filled}</td><td class="num">{node.vacant}</td></tr>')


def _rows(nodes: Iterable[UnitNode], page: _Page) -> Iterator[str]:
    for node in nodes:
        yield _unit_row(page, node)
        for position in node.positions:
            yield _position_row(page, node.depth, position)


def org_rows(nodes: Iterable[UnitNode], *, menu: str, positions: str) -> SafeString:
    """The table body; ``menu`` is the edit menus' URL prefix for an org admin, empty for everyone else."""
    return mark_safe("\n".join(_rows(nodes, _Page(menu=menu, positions=positions))))  # noqa: S308 - escaped
