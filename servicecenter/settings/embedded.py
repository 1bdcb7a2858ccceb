"""The embedded default of manage.py, wsgi.py, asgi.py and celery.py: base settings, which with no
DATABASE_URL or REDIS_URL mean a SQLite file and Celery over the broker of files
(``servicecenter/fsbroker.py``), with DEBUG on for the demo."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
