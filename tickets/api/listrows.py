"""The ticket API's list, read as plain rows (issue 18).

A page of 25 tickets as model instances is about 150 objects: the tickets, their customers, teams and
holders, and two clocks each through ``prefetch_related``. Building them was a third of the list's
time. Here the page is one ``values()`` query with each ticket's clocks as a JSON array (on PostgreSQL;
a second query elsewhere), and each row is written from the same field objects
:class:`tickets.api.serializers.TicketSerializer` declares: a column is
represented by its own field, a moment as :mod:`servicecenter.fastread` writes it, and the fields
that are not columns (the customer, the names, the actions, the clocks) by the functions below, each
named after its field. A serializer field without a way to read it here is an error when the list is
first read, not a silent gap. ``tests/tickets/test_fastread.py`` compares the two, key for key.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import serializers

from servicecenter.fastread import COLUMN, MOMENT, PK, how_read, moment_value
from staff.models import in_reader_language
from tickets import workflow
from tickets.models import Kind, Ticket, own_clocks

CUSTOMER = "customer__"
NAMED = ["team__name", "team__name_en", "assignee__name", "reporter_visible"]
CLOCKS = "sla_clocks_json"  # a row's clocks, read with it (PostgreSQL)


class ListRows:
    """How to write a row of ``serializer`` (a ``TicketSerializer``) from plain values."""

    def __init__(self, serializer: serializers.Serializer) -> None:
        self.columns: list[tuple[str, serializers.Field, int, str]] = []
        self.others: list[tuple[str, Callable[[dict, dict], Any]]] = []
        for field in serializer._readable_fields:
            how, attname = how_read(field, Ticket)
            if how in (COLUMN, MOMENT, PK):
                self.columns.append((field.field_name, field, how, attname))
            else:
                self.others.append((field.field_name, getattr(self, f"_{field.field_name}")))
        customer = serializer.fields["customer"]
        self.customer_fields = [(f.field_name, f, f.source) for f in customer._readable_fields]
        clock = serializer.fields["sla"].child
        self.clock_fields = [(f.field_name, f, f.source) for f in clock._readable_fields]
        self.order = list(serializer.fields)

    def values(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (a ticket list) as the plain rows :meth:`write` reads; on PostgreSQL each with its
        clocks, as a JSON array read in the same statement."""
        names = {attname for _name, _field, _how, attname in self.columns}
        names |= {"kind", "status", "customer_id", "team_id", "assignee_id"}
        names |= {CUSTOMER + source for _name, _field, source in self.customer_fields}
        names |= {*NAMED, *queryset.query.annotation_select}
        rows = queryset.values(*sorted(names))
        if connections[queryset.db].vendor == "postgresql":
            rows = rows.annotate(**{CLOCKS: RawSQL(self._clocks_sql(), [])})  # noqa: S611 - constant SQL
        return rows

    def _clocks_sql(self) -> str:
        """The ticket's own clocks, due first, each an array of the stored fields (``own_clocks``)."""
        table = Ticket._meta.get_field("clocks").related_model._meta.db_table
        fields = ", ".join(f"c.{source}" for source in self._stored())
        return (f"SELECT coalesce(json_agg(json_build_array({fields}) ORDER BY c.due_at, c.id), '[]') "  # noqa: S608
                f"FROM {table} c WHERE c.ticket_id = {Ticket._meta.db_table}.id AND c.callback_id IS NULL "
                "AND c.state <> 'cancelled'")

    def _stored(self) -> list[str]:
        return [source for _name, _field, source in self.clock_fields if source != "met_late"]

    def write(self, rows: list[dict]) -> list[dict]:
        """The representation of ``rows`` (a page of :meth:`values`), with their clocks (read with the
        rows, or one query)."""
        if not rows:
            return []
        clocks = self._clocks_read(rows) if CLOCKS in rows[0] else self._clocks([row["id"] for row in rows])
        zone = timezone.get_current_timezone()
        extra = {"clocks": clocks}
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for name, field, how, attname in self.columns:
                value = row[attname]
                if how == MOMENT:
                    item[name] = moment_value(field, value, zone)
                elif how == PK:
                    item[name] = value
                else:
                    item[name] = None if value is None else field.to_representation(value)
            for name, read in self.others:
                item[name] = read(row, extra)
            out.append({name: item[name] for name in self.order})
        return out

    def _clocks(self, ticket_ids: list[int]) -> dict[int, list[dict]]:
        model = Ticket._meta.get_field("clocks").related_model
        by_ticket: dict[int, list[dict]] = {pk: [] for pk in ticket_ids}
        rows = own_clocks(model._default_manager.filter(ticket_id__in=ticket_ids)).values("ticket_id", *self._stored())
        zone = timezone.get_current_timezone()
        for row in rows:
            by_ticket[row["ticket_id"]].append(self._clock(row, zone))
        return by_ticket

    def _clocks_read(self, rows: list[dict]) -> dict[int, list[dict]]:
        """The clocks read with the rows: JSON arrays, their moments ISO 8601 text."""
        stored, zone = self._stored(), timezone.get_current_timezone()
        moments = {source for _name, field, source in self.clock_fields if type(field) is serializers.DateTimeField}
        by_ticket = {}
        for row in rows:
            clocks = []
            for values in row[CLOCKS]:
                clock = dict(zip(stored, values, strict=True))
                for source in moments:
                    if clock.get(source) is not None:
                        clock[source] = datetime.fromisoformat(clock[source])
                clocks.append(self._clock(clock, zone))
            by_ticket[row["id"]] = clocks
        return by_ticket

    def _clock(self, row: dict, zone: Any) -> dict:
        row["met_late"] = row["state"] == "met" and row["breached_at"] is not None  # (Clock.met_late)
        clock = {}
        for name, field, source in self.clock_fields:
            value = row[source]
            if type(field) is serializers.DateTimeField:
                clock[name] = moment_value(field, value, zone)
            else:
                clock[name] = None if value is None else field.to_representation(value)
        return clock

    # The fields that are not columns, as TicketSerializer writes them.

    def _customer(self, row: dict, extra: dict) -> dict | None:
        if not row["reporter_visible"] or row["customer_id"] is None:
            return None
        return {name: (None if row[CUSTOMER + source] is None else field.to_representation(row[CUSTOMER + source]))
                for name, field, source in self.customer_fields}

    @staticmethod
    def _confidential(row: dict, extra: dict) -> bool:
        return row["kind"] == Kind.REPORT  # (Ticket.is_confidential)

    @staticmethod
    def _team_name(row: dict, extra: dict) -> str:
        return "" if row["team_id"] is None else in_reader_language(row["team__name"], row["team__name_en"])

    @staticmethod
    def _assignee_name(row: dict, extra: dict) -> str:
        return row["assignee__name"] if row["assignee_id"] is not None else ""

    @staticmethod
    def _allowed_actions(row: dict, extra: dict) -> list[str]:
        return workflow.allowed_for(kind=row["kind"], status=row["status"], held=row["assignee_id"] is not None)

    @staticmethod
    def _sla(row: dict, extra: dict) -> list[dict]:
        return extra["clocks"][row["id"]]


_KEPT: dict[type, ListRows] = {}


def list_rows(serializer: serializers.Serializer) -> ListRows:
    """The reader for this serializer class, worked out once."""
    reader = _KEPT.get(type(serializer))
    if reader is None:
        reader = _KEPT[type(serializer)] = ListRows(serializer)
    return reader
