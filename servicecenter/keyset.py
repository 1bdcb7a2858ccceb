"""Keyset (cursor) pagination: a page of a long list costs what it shows, at any depth and any size.

A page number makes the database count every row in the list (``COUNT(*)`` over an agent's half of a
million tickets was 86 % of the ticket API's CPU) and skip every row before the page. Here a page
starts after the last row of the one before: its sort keys, carried in an opaque ``cursor``, become
a ``WHERE`` that an index on the same keys answers directly, so the first page and the thousandth
read the same rows. The count is exact up to :data:`COUNT_CAP` and reads at most that many rows
beyond; past it the list says "1,000+" (``count_exact`` false).

The queryset's ``order_by`` names the keys: fields or annotations, none of them NULL (a nullable
deadline is ordered through ``COALESCE``; see ``tickets.selectors.DUE_ORDER``), the id last.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_CAP = 1000
CURSOR_MAX = 400  # characters: a cursor of a few keys is far shorter
BAD_CURSOR = gettext_lazy("This cursor is not one this list gave: follow the list's own next and previous links.")


class BadCursor(ValueError):
    """A cursor that is not one of ours (or not for this ordering)."""


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool


@dataclass
class Page:
    rows: list[Any]
    next: str | None
    previous: str | None
    count: int
    count_exact: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next or self.previous)


def keys_of(qs: QuerySet) -> list[Key]:
    """The sort keys of ``qs``, from its explicit ``order_by`` (the id last)."""
    keys = []
    for item in qs.query.order_by:
        if isinstance(item, str):
            name = item.lstrip("-")
            keys.append(Key("id" if name == "pk" else name, item.startswith("-")))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            keys.append(Key(item.expression.name, item.descending))
        else:
            raise TypeError(f"keyset pagination needs fields or annotations to sort by, not {item!r}")
    if not keys or keys[-1].name != "id":
        raise TypeError("keyset pagination needs the id as the last sort key")
    return keys


def _field(qs: QuerySet, name: str):
    annotation = qs.query.annotations.get(name)
    return annotation.output_field if annotation is not None else qs.model._meta.get_field(name)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode(values: list[Any], forward: bool) -> str:
    raw = json.dumps({"k": [_plain(v) for v in values], "f": forward}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, qs: QuerySet, keys: list[Key]) -> tuple[list[Any], bool]:
    """The position and direction in ``cursor``, each value checked as its field would check it."""
    if len(cursor) > CURSOR_MAX:
        raise BadCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values, forward = data["k"], data["f"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise BadCursor from None
    if not isinstance(values, list) or len(values) != len(keys) or not isinstance(forward, bool):
        raise BadCursor
    checked = []
    for key, value in zip(keys, values, strict=True):
        if value is None or isinstance(value, bool | dict | list):
            raise BadCursor
        try:
            python = _field(qs, key.name).to_python(value)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise BadCursor from None
        if python is None or (isinstance(python, int) and not -(2**63) <= python < 2**63):
            raise BadCursor
        checked.append(python)
    return checked, forward


def _beyond(keys: list[Key], values: list[Any], forward: bool) -> Q:
    """Rows after (``forward``) or before the position: (k1 > v1) or (k1 = v1 and k2 > v2) or …, and
    the leading key's bound on its own, which an index on the keys answers as a range."""

    def step(key: Key) -> str:
        return "gt" if key.descending != forward else "lt"

    condition = Q()
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal & Q(**{f"{key.name}__{step(key)}": value})
        equal &= Q(**{key.name: value})
    first = keys[0]
    bound = Q(**{f"{first.name}__{step(first)}e": values[0]})
    return bound & condition


def _position(row: Any, keys: list[Key]) -> list[Any]:
    """The sort keys of a row: a model instance, or a dict from ``values()``."""
    if isinstance(row, dict):
        return [row[key.name] for key in keys]
    return [getattr(row, key.name) for key in keys]


def _capped(qs: QuerySet, cap: int) -> QuerySet:
    return qs.order_by().values("pk")[: cap + 1]


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``qs`` has, reading at most ``cap`` + 1 of them; exact when under the cap."""
    return _told(_capped(qs, cap).count(), cap)


def _told(n: int, cap: int) -> tuple[int, bool]:
    return (n, True) if n <= cap else (cap, False)


# The column a page's rows carry the list's capped count in (read along with the page: one statement).
COUNTED = "keyset_capped_count"


def paginate(qs: QuerySet, cursor: str | None, size: int, *, count: bool = True,
             shape: Callable[[QuerySet], QuerySet] | None = None) -> Page:
    """One page of ``qs`` from ``cursor`` (the first page when None). Raises :class:`BadCursor`.
    ``shape`` turns the page's query into the one read (``values()`` of what a page shows, say); the
    count is of ``qs`` itself, which joins nothing a count does not need. It is read in the page's own
    statement, as a subquery: a page with no row (past the end) counts apart."""
    keys = keys_of(qs)
    shaped = shape or (lambda page: page)
    read = shaped
    if count and not qs.query.is_empty():
        sql, params = _capped(qs, COUNT_CAP).query.sql_with_params()
        along = RawSQL(f"SELECT count(*) FROM ({sql}) AS capped", params)  # noqa: S608, S611 - Django's own SQL

        def read(page: QuerySet) -> QuerySet:
            return shaped(page).annotate(**{COUNTED: along})

    def counted(rows: list) -> tuple[int, bool]:
        if not count:
            return 0, False
        if rows:
            first = rows[0]
            return _told(first[COUNTED] if isinstance(first, dict) else getattr(first, COUNTED), COUNT_CAP)
        return (0, True) if not cursor else capped_count(qs)

    if not cursor:
        rows = list(read(qs)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        following = encode(_position(rows[-1], keys), True) if more else None
        return Page(rows, following, None, *counted(rows))
    values, forward = decode(cursor, qs, keys)
    if forward:
        rows = list(read(qs.filter(_beyond(keys, values, True)))[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        following = encode(_position(rows[-1], keys), True) if more else None
        previous = encode(_position(rows[0], keys) if rows else values, False)
        return Page(rows, following, previous, *counted(rows))
    rows = list(read(qs.reverse().filter(_beyond(keys, values, False)))[: size + 1])
    more = len(rows) > size
    rows = rows[:size][::-1]
    previous = encode(_position(rows[0], keys), False) if more else None
    following = encode(_position(rows[-1], keys) if rows else values, True)
    return Page(rows, following, previous, *counted(rows))


class KeysetPagination(BasePagination):
    """DRF: ``?cursor=`` from the list's own ``next`` and ``previous``; ``count`` exact up to
    :data:`COUNT_CAP`, then the cap with ``count_exact`` false. ``?page=`` is refused with the reason."""

    page_size = 25
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request: Request, view=None):
        if request.query_params.get("page") not in (None, ""):
            raise ValidationError({"page": [_("This list pages by cursor: follow its next and previous links.")]})
        self.request = request
        try:
            self.page = paginate(queryset, request.query_params.get(self.cursor_query_param), self.page_size,
                                 shape=getattr(view, "page_rows", None))
        except BadCursor:
            raise ValidationError({self.cursor_query_param: [str(BAD_CURSOR)]}) from None
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data) -> Response:
        return Response({
            "count": self.page.count, "count_exact": self.page.count_exact,
            "next": self._link(self.page.next), "previous": self._link(self.page.previous), "results": data,
        })

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123,
                          "description": f"Exact up to {COUNT_CAP}; past it {COUNT_CAP} with count_exact false."},
                "count_exact": {"type": "boolean", "description": "False when the list has more than count rows."},
                "next": {**link, "description": "The next page's URL (an opaque cursor), or null at the end."},
                "previous": {**link, "description": "The previous page's URL, or null on the first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [{
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Where the page starts: the cursor in a list's own next or previous link.",
            "schema": {"type": "string"},
        }]
