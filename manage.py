#!/usr/bin/env python
import os
import sys


def main() -> None:
    # The developer's tool defaults to the embedded settings (the demo, make messages); the servers'
    # entry points (wsgi.py, asgi.py, celery.py) default to production.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
