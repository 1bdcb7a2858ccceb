"""The embedded default used by manage.py: base settings with DEBUG on for the demo."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
