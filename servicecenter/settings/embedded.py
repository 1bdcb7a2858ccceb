"""The embedded settings, the default of manage.py and what scripts/demo.sh names for everything it
starts (wsgi.py, asgi.py and celery.py default to production): base settings, which with no
DATABASE_URL or REDIS_URL mean a SQLite file and Celery over the broker of files
(``servicecenter/fsbroker.py``), with DEBUG on for the demo."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
