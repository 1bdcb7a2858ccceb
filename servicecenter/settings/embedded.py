"""The embedded settings, the default of manage.py and what scripts/demo.sh names for everything it
starts (wsgi.py, asgi.py and celery.py default to production): base settings, which with no
DATABASE_URL or REDIS_URL mean a SQLite file and Celery over the broker of files
(``servicecenter/fsbroker.py``), with DEBUG on for the demo."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = env.bool("DEBUG", default=True)
# DEBUG shows Django's technical 404 (its URL patterns) for a missing page: a person using the demo
# sees the product's own page instead (servicecenter/notfound.py).
MIDDLEWARE = [*MIDDLEWARE, "servicecenter.notfound.ProductNotFoundMiddleware"]
# E-mail in for the demo: a Maildir folder under var/ that beat polls every minute. Drop a message in
# with ``manage.py mail_in`` (or copy an .eml file into its new/ folder).
MESSAGING_MAILBOXES = env.json("MESSAGING_MAILBOXES", default=[
    {"name": "demo", "maildir": str(VAR_DIR / "mail" / "support"), "kind": "inquiry"}])  # noqa: F405
