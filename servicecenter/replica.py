"""Reads that may come from a read replica (issue 18, "past one machine").

With ``DATABASE_REPLICA_URL`` set, the dashboards, the figures and the exports read from that
database (a PostgreSQL streaming replica); everything else, and every write, stays on ``default``.
A view opts in with :func:`reads_from_replica`, placed under the access decorators, so that the
session, the user and their scope are read from the primary first: a session made a moment ago
may not have reached the replica yet. Without a replica configured the router answers nothing and
Django uses ``default``.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.db import connections

REPLICA = "replica"
# Who is asking and what they may see is always read from the primary, even inside a replica read: a
# session or an org change a moment old may not have reached the replica.
PRIMARY_ONLY = frozenset({"auth", "sessions", "staff", "axes"})
_reading = ContextVar("replica_reads", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(view: F) -> F:
    """For a read-only view (or a DRF handler method) whose figures may be a moment behind."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads inside :func:`replica_reads` go to the replica; writes and
    migrations only ever to ``default``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if model._meta.app_label in PRIMARY_ONLY:
            return None
        return REPLICA if _reading.get() and replica_configured() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
