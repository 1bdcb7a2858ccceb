"""The one mechanism by which a lower app causes work in a higher one (ARCHITECTURE.md).

A lower app declares its hook points as the methods of one class, each doing nothing, and a
:class:`Registry` of it. A higher app subclasses that class, overriding what it handles, and
registers one instance in its ``AppConfig.ready()``. The lower app calls ``registry.each(point)``'s
dispatcher explicitly, inside its own transaction, so an error in a hook rolls the whole change back.
Not a Django signal: the points are typed methods declared in one file per lower app, and nothing
runs that the caller did not name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

H = TypeVar("H")


class Registry(Generic[H]):
    def __init__(self, points: type[H]) -> None:
        self.points = points
        self.registered: list[H] = []

    def register(self, hooks: H) -> None:
        """Called once per app from ``AppConfig.ready()``; registering the same kind again replaces it."""
        self.registered[:] = [h for h in self.registered if type(h) is not type(hooks)] + [hooks]

    def each(self, point: str) -> Callable[..., None]:
        """A function that calls hook point ``point`` of every registered app, in the order they registered."""
        if not callable(getattr(self.points, point, None)):
            raise AttributeError(f"{self.points.__name__} declares no hook point {point!r}")

        def call(**kwargs: Any) -> None:
            for hooks in self.registered:
                getattr(hooks, point)(**kwargs)

        call.__name__ = call.__qualname__ = point
        return call

    def gather(self, point: str) -> Callable[..., list[Any]]:
        """Like :meth:`each`, for a point that answers a question: a function returning every app's answer."""
        if not callable(getattr(self.points, point, None)):
            raise AttributeError(f"{self.points.__name__} declares no hook point {point!r}")

        def ask(**kwargs: Any) -> list[Any]:
            return [getattr(hooks, point)(**kwargs) for hooks in self.registered]

        ask.__name__ = ask.__qualname__ = point
        return ask
