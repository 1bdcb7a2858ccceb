"""The staff app's hook points (ARCHITECTURE.md, "cause work in a higher app").

The org editor must say what a change does to work the staff app cannot see: tickets whose next
escalation would reach someone else, the open tickets in a unit's queue, and the figures a job
description's standards name. The apps that own that work answer here; with none registered the
answers are empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from servicecenter.hooks import Registry

if TYPE_CHECKING:
    from staff.graph import OrgGraph


class OrgHooks:
    def tickets_rerouted(self, *, before: OrgGraph, after: OrgGraph) -> int:
        """How many open tickets' next escalation step reaches a different person after the change."""
        return 0

    def open_tickets_in_unit(self, *, unit_ids: list[int]) -> int:
        """How many open tickets sit in these units' queues (a unit with work cannot be closed)."""
        return 0

    def figure_values(self, *, staff_ids: Iterable[int], figures: set[str], today: date) -> dict[int, dict[str, float]]:
        """Each person's current value (a share, 0–1) of each named figure (``staff.models.Figure``): this
        month so far, or last month early in a month."""
        return {}


org_hooks = Registry(OrgHooks)
tickets_rerouted = org_hooks.gather("tickets_rerouted")
open_tickets_in_unit = org_hooks.gather("open_tickets_in_unit")
figure_values = org_hooks.gather("figure_values")
