"""The org chart in memory: four queries, then every chain of command is a dict walk.

The escalation sweep reads it once per run (``sla.sweep.OrgLadder``), and an org change is tried on a
copy of it before it is confirmed, so the impact preview and the sweep walk the same chain by the same
rule: one person per level, nearest first, vacant posts and people on leave passed over, ending at the
director. (``staff.chain`` walks it in SQL for one person at a time.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from staff.chain import MAX_DEPTH
from staff.models import ConcurrentPost, Position, StaffMember, Unit
from staff.roles import LEADING_ROLES


@dataclass
class Post:
    reports_to: int | None
    unit_id: int
    role: str
    headcount: int
    in_establishment: bool
    closed: bool = False


@dataclass
class Person:
    position_id: int | None
    user_id: int
    name: str
    on_leave: bool = False


class OrgGraph:
    """Units, posts, active people and their concurrent posts; :meth:`copy` to try a change on."""

    def __init__(self) -> None:
        self.posts: dict[int, Post] = {}
        self.unit_parent: dict[int, int | None] = {}
        self.closed_units: set[int] = set()
        self.people: dict[int, Person] = {}
        self.concurrent: dict[int, set[int]] = defaultdict(set)  # staff id → positions held concurrently
        self._reset_caches()

    @classmethod
    def load(cls) -> OrgGraph:
        graph = cls()
        for pk, parent, closed in Unit.objects.values_list("pk", "parent_id", "closed_at"):
            graph.unit_parent[pk] = parent
            if closed is not None:
                graph.closed_units.add(pk)
        for pk, reports_to, unit_id, role, headcount, in_establishment, closed in Position.objects.values_list(
                "pk", "reports_to_id", "unit_id", "role", "headcount", "in_establishment", "closed_at"):
            graph.posts[pk] = Post(reports_to, unit_id, role, headcount, in_establishment, closed is not None)
        for pk, position_id, user_id, name, on_leave in StaffMember.objects.filter(is_active=True).values_list(
                "pk", "position_id", "user_id", "name", "on_leave"):
            graph.people[pk] = Person(position_id, user_id, name, on_leave)
        for staff_id, position_id in ConcurrentPost.objects.filter(staff__is_active=True).values_list(
                "staff_id", "position_id"):
            graph.concurrent[staff_id].add(position_id)
        return graph

    def copy(self) -> OrgGraph:
        """A copy to change: its own posts, people and concurrent posts (a change edits those in place)."""
        twin = OrgGraph()
        twin.posts = {pk: Post(p.reports_to, p.unit_id, p.role, p.headcount, p.in_establishment, p.closed)
                      for pk, p in self.posts.items()}
        twin.unit_parent = dict(self.unit_parent)
        twin.closed_units = set(self.closed_units)
        twin.people = {pk: Person(p.position_id, p.user_id, p.name, p.on_leave) for pk, p in self.people.items()}
        twin.concurrent = defaultdict(set, {pk: set(posts) for pk, posts in self.concurrent.items()})
        return twin

    def _reset_caches(self) -> None:
        self._holders: dict[int, list[int]] | None = None
        self._chains: dict[int, list[int]] = {}
        self._leads: dict[int, int | None] = {}
        self._unit_posts: dict[int, list[int]] | None = None

    def changed(self) -> None:
        """Call after editing the graph by hand, so chains are walked again."""
        self._reset_caches()

    # --- reads -------------------------------------------------------------------------------------

    def holders(self, position_id: int) -> list[int]:
        """Everyone holding a post, primary or concurrent, on leave or not, lowest id first."""
        if self._holders is None:
            holders: dict[int, list[int]] = defaultdict(list)
            for staff_id, person in self.people.items():
                if person.position_id is not None:
                    holders[person.position_id].append(staff_id)
            for staff_id, positions in self.concurrent.items():
                if staff_id in self.people:
                    for post_id in positions:
                        holders[post_id].append(staff_id)
            for ids in holders.values():
                ids.sort()
            self._holders = dict(holders)
        return self._holders.get(position_id, [])

    def present(self, position_id: int) -> list[int]:
        """Holders who are at work (not on leave): who escalations reach."""
        return [s for s in self.holders(position_id) if not self.people[s].on_leave]

    def chain(self, staff_id: int) -> list[int]:
        """Everyone above a person, nearest first, one per level, vacant posts and leave passed over."""
        if staff_id in self._chains:
            return self._chains[staff_id]
        person = self.people.get(staff_id)
        chain: list[int] = []
        seen = {staff_id}
        post = self.posts.get(person.position_id) if person and person.position_id else None
        position = post.reports_to if post else None
        depth = 0
        while position is not None and depth < MAX_DEPTH:
            holder = next((s for s in self.present(position) if s not in seen), None)
            if holder is not None:
                chain.append(holder)
                seen.add(holder)
            above = self.posts.get(position)
            position = above.reports_to if above else None
            depth += 1
        self._chains[staff_id] = chain
        return chain

    def superior(self, staff_id: int) -> int | None:
        """The first of :meth:`chain`, walking only as far as it (the impact asks this of everyone)."""
        if staff_id in self._chains:
            chain = self._chains[staff_id]
            return chain[0] if chain else None
        person = self.people.get(staff_id)
        post = self.posts.get(person.position_id) if person and person.position_id else None
        position = post.reports_to if post else None
        depth = 0
        while position is not None and depth < MAX_DEPTH:
            for holder in self.holders(position):
                if holder != staff_id and not self.people[holder].on_leave:
                    return holder
            above = self.posts.get(position)
            position = above.reports_to if above else None
            depth += 1
        return None

    def lead_of(self, unit_id: int | None) -> int | None:
        """A unit's lead: the holder of its leading post, else the nearest person above its posts."""
        if unit_id is None:
            return None
        if unit_id not in self._leads:
            if self._unit_posts is None:
                by_unit: dict[int, list[int]] = defaultdict(list)
                for pk in sorted(self.posts):
                    if not self.posts[pk].closed:
                        by_unit[self.posts[pk].unit_id].append(pk)
                self._unit_posts = dict(by_unit)
            posts = self._unit_posts.get(unit_id, [])
            lead = next((self.present(p)[0] for p in posts
                         if self.posts[p].role in LEADING_ROLES and self.present(p)), None)
            for p in posts if lead is None else []:
                above = self.posts[p].reports_to
                while above is not None and not self.present(above):
                    above = self.posts[above].reports_to if above in self.posts else None
                if above is not None:
                    lead = self.present(above)[0]
                    break
            self._leads[unit_id] = lead
        return self._leads[unit_id]

    def filled(self, position_id: int) -> int:
        return len(self.holders(position_id))

    def unit_ancestors(self, unit_id: int) -> list[int]:
        """The unit and every unit above it."""
        path, seen = [], set()
        current: int | None = unit_id
        while current is not None and current not in seen:
            path.append(current)
            seen.add(current)
            current = self.unit_parent.get(current)
        return path
