"""HTML pages of the tickets app: the public intake (``public``) and the agents' workspace (``workspace``)."""

from tickets.views.public import public_submit, public_track, throttled

__all__ = ["public_submit", "public_track", "throttled"]
