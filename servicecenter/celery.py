import os

from celery import Celery
from celery.app.backends import BACKEND_ALIASES
from kombu.transport import TRANSPORT_ALIASES

# Production unless told otherwise: a server started without DJANGO_SETTINGS_MODULE must not run
# with DEBUG on. The demo (scripts/demo.sh) and the tests name their settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.production")

# The embedded broker and result store (no server): kombu's filesystem transport with whole-message
# writes and claims that come back when a worker dies. Why, and how: servicecenter/fsbroker.py.
# Registered here, before any connection is made, because every process imports this module first
# (servicecenter/__init__.py: web, worker, beat, management commands and tests).
TRANSPORT_ALIASES.setdefault("fsatomic", "servicecenter.fsbroker:Transport")
BACKEND_ALIASES.setdefault("fsatomic", "servicecenter.fsbroker:ResultBackend")

app = Celery("servicecenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
