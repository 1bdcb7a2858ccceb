"""The chain of command as recursive CTEs over ``Position.reports_to``.

Written by hand rather than with django-tree-queries (which serves the unit tree): the chain must
join each level's holders (primary and concurrent posts) and skip vacant posts in the same
statement, so that the whole chain, or a whole subtree, is one query whatever its depth. Plain
``WITH RECURSIVE`` runs on both PostgreSQL and SQLite. ``MAX_DEPTH`` guards against a loop that
slipped past validation.
"""

from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

from staff.models import in_reader_language

MAX_DEPTH = 64

# Holders of a position: active staff in it as primary post or as a concurrent post (兼任).
_HOLDERS = """
    SELECT s.id AS staff_id, s.position_id AS position_id
      FROM staff_staffmember s
     WHERE s.is_active AND s.position_id IS NOT NULL
    UNION ALL
    SELECT c.staff_id, c.position_id
      FROM staff_concurrentpost c JOIN staff_staffmember s ON s.id = c.staff_id
     WHERE s.is_active
"""

_CHAIN_SQL = f"""
WITH RECURSIVE up(position_id, depth) AS (
    SELECT p.reports_to_id, 1 FROM staff_position p WHERE p.id = %s
    UNION ALL
    SELECT p.reports_to_id, up.depth + 1
      FROM staff_position p JOIN up ON p.id = up.position_id
     WHERE up.depth < {MAX_DEPTH}
),
holders AS ({_HOLDERS})
SELECT s.id, s.name, s.employee_no, up.depth, p.id, p.title, p.title_en, p.role
  FROM up
  JOIN staff_position p ON p.id = up.position_id
  JOIN holders h ON h.position_id = up.position_id
  JOIN staff_staffmember s ON s.id = h.staff_id
 WHERE s.id <> %s AND NOT s.on_leave
 ORDER BY up.depth, s.id
"""

_ANCESTORS_SQL = f"""
WITH RECURSIVE up(position_id, depth) AS (
    SELECT p.reports_to_id, 1 FROM staff_position p WHERE p.id = %s
    UNION ALL
    SELECT p.reports_to_id, up.depth + 1
      FROM staff_position p JOIN up ON p.id = up.position_id
     WHERE up.depth < {MAX_DEPTH}
)
SELECT position_id FROM up WHERE position_id IS NOT NULL
"""

# Every staff member in the subtree below the posts a person holds (primary and concurrent).
_SUBTREE_SQL = f"""
WITH RECURSIVE down(position_id, depth) AS (
    SELECT p.id, 1 FROM staff_position p
     WHERE p.reports_to_id IN (
        SELECT position_id FROM staff_staffmember WHERE id = %s AND position_id IS NOT NULL
        UNION SELECT position_id FROM staff_concurrentpost WHERE staff_id = %s)
    UNION ALL
    SELECT p.id, down.depth + 1
      FROM staff_position p JOIN down ON p.reports_to_id = down.position_id
     WHERE down.depth < {MAX_DEPTH}
),
holders AS ({_HOLDERS})
SELECT h.staff_id FROM holders h WHERE h.position_id IN (SELECT position_id FROM down) AND h.staff_id <> %s
"""

_SUBTREE_POSITIONS_SQL = f"""
WITH RECURSIVE down(position_id, depth) AS (
    SELECT p.id, 1 FROM staff_position p WHERE p.id = %s
    UNION ALL
    SELECT p.id, down.depth + 1
      FROM staff_position p JOIN down ON p.reports_to_id = down.position_id
     WHERE down.depth < {MAX_DEPTH}
)
SELECT position_id FROM down
"""


class ChainLink:
    """One person on the way up: who, which post they hold there, and how many levels up."""

    __slots__ = ("depth", "employee_no", "name", "position_id", "position_title", "position_title_en", "role",
                 "staff_id")
    staff_id: int
    name: str
    employee_no: str
    depth: int
    position_id: int
    position_title: str
    position_title_en: str
    role: str

    def __init__(self, row: tuple[Any, ...]) -> None:
        (self.staff_id, self.name, self.employee_no, self.depth, self.position_id,
         self.position_title, self.position_title_en, self.role) = row

    @property
    def display_title(self) -> str:
        """The post's title in the reader's language (the English one where it has one)."""
        return in_reader_language(self.position_title, self.position_title_en)

    def __repr__(self) -> str:
        return f"<ChainLink {self.depth}: {self.name} ({self.position_title})>"


def chain_of_command(position_id: int | None, *, exclude_staff_id: int = 0) -> list[ChainLink]:
    """The people above a position, nearest first, one per level; vacant levels and people on leave are skipped.

    A level with several holders is represented by the one with the lowest id; a person who holds
    several posts along the chain appears once, at the lowest of them. One query.
    """
    if position_id is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [position_id, exclude_staff_id])
        rows = cursor.fetchall()
    links: list[ChainLink] = []
    seen_depths: set[int] = set()
    seen_staff: set[int] = set()
    for row in rows:
        link = ChainLink(row)
        if link.depth in seen_depths or link.staff_id in seen_staff:
            continue
        seen_depths.add(link.depth)
        seen_staff.add(link.staff_id)
        links.append(link)
    return links


def position_ancestor_ids(position_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_ANCESTORS_SQL, [position_id])
        return [row[0] for row in cursor.fetchall()]


def subordinate_ids_sql(staff_id: int) -> RawSQL:
    """A subquery of the ids of everyone below a person; compose it into any queryset."""
    return RawSQL(_SUBTREE_SQL, [staff_id, staff_id, staff_id])  # noqa: S611 - constant SQL, bound parameters



# A person's whole scope in one statement (``staff.access.scope_for``): the roles of the posts they
# hold, everyone below them, and the units of the posts held by them or by anyone below them. One row
# per fact: ("role", NULL, role), ("staff", id, NULL), ("unit", id, NULL); and the org chart's stamp
# it was read at ("stamp", number, NULL).
_SCOPE_SQL = f"""
WITH RECURSIVE mine(position_id) AS (
    SELECT position_id FROM staff_staffmember WHERE id = %s AND position_id IS NOT NULL
    UNION SELECT position_id FROM staff_concurrentpost WHERE staff_id = %s
),
down(position_id, depth) AS (
    SELECT p.id, 1 FROM staff_position p WHERE p.reports_to_id IN (SELECT position_id FROM mine)
    UNION ALL
    SELECT p.id, down.depth + 1
      FROM staff_position p JOIN down ON p.reports_to_id = down.position_id
     WHERE down.depth < {MAX_DEPTH}
),
holders AS ({_HOLDERS}),
below AS (SELECT DISTINCT h.staff_id FROM holders h WHERE h.position_id IN (SELECT position_id FROM down)
                                                     AND h.staff_id <> %s)
SELECT 'role', NULL, p.role FROM staff_position p WHERE p.id IN (SELECT position_id FROM mine)
UNION ALL
SELECT 'stamp', stamp, NULL FROM staff_orgstamp WHERE id = 1
UNION ALL
SELECT 'staff', staff_id, NULL FROM below
UNION ALL
SELECT DISTINCT 'unit', p.unit_id, NULL FROM staff_position p
 WHERE p.id IN (SELECT position_id FROM mine)
    OR p.id IN (SELECT s.position_id FROM staff_staffmember s WHERE s.id IN (SELECT staff_id FROM below))
    OR p.id IN (SELECT c.position_id FROM staff_concurrentpost c WHERE c.staff_id IN (SELECT staff_id FROM below))
"""


def scope_facts(staff_id: int) -> tuple[set[str], set[int], set[int], int | None]:
    """One query: the roles of the posts this person holds, the ids of everyone below them, the
    units where they or anyone below them holds a post, and the org chart's stamp they were read at."""
    roles: set[str] = set()
    below: set[int] = set()
    units: set[int] = set()
    stamp = None
    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_SQL, [staff_id, staff_id, staff_id])
        for kind, number, word in cursor.fetchall():
            if kind == "role":
                roles.add(word)
            elif kind == "staff":
                below.add(number)
            elif kind == "stamp":
                stamp = number
            else:
                units.add(number)
    return roles, below, units, stamp
