"""HTML pages of the tickets app: the public intake and tracking. The agents' pages are the workspace app."""

from tickets.views.public import public_submit, public_track, throttled

__all__ = ["public_submit", "public_track", "throttled"]
