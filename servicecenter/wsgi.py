import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a server started without DJANGO_SETTINGS_MODULE must not run
# with DEBUG on. The demo (scripts/demo.sh) and the tests name their settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.production")
application = get_wsgi_application()
