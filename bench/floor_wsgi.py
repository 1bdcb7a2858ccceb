"""The product's WSGI application with the bench's floors added (``floor_urls``)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.production")

import django
from django.conf import settings

django.setup()
settings.ROOT_URLCONF = "floor_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
