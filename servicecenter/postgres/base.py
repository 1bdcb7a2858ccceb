"""Django's PostgreSQL backend, with date-times read by psycopg's compiled loader.

Django (5.2, psycopg 3) reads every ``timestamptz`` through a loader subclassed from psycopg's
pure-Python one, so that it can set the zone it expects; psycopg's compiled loaders cannot be
subclassed, so that subclass never uses them (Django ticket #36960). A list of 25 tickets reads
about 400 date-times, and parsing them in Python took about a tenth of the request. Here the
compiled loader parses and Django's zone is set the way Django's own loader sets it, so every value
is the same as Django's, only read faster (``tests/kernel/test_postgres_backend.py`` compares the two).
"""

from functools import lru_cache

import psycopg
from django.db.backends.postgresql import base
from psycopg.adapt import AdaptersMap, Loader
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ = types["timestamptz"].oid


@lru_cache
def _adapters(template: AdaptersMap, zone) -> AdaptersMap:
    """``template`` (Django's adapters for a connection) with the compiled date-time loader."""
    compiled = psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    if compiled is None or compiled.__module__.startswith("psycopg.types"):
        return template  # psycopg without its compiled part: Django's loader as it is

    class ZoneLoader(Loader):
        timezone = zone  # Django compares this with its own to decide whether a cursor needs another

        def __init__(self, oid: int, context=None) -> None:
            super().__init__(oid, context)
            self._load = compiled(oid, context).load

        def load(self, data):
            # As Django's loader does: the session's zone is Django's, so the value's zone is set, not converted.
            return self._load(data).replace(tzinfo=zone)

    adapters = AdaptersMap(template)
    adapters.register_loader(TIMESTAMPTZ, ZoneLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if "context" in params:
            params["context"] = _adapters(params["context"], self.timezone)
        return params
