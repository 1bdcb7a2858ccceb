"""Test settings: base, with fast hashing and local caches. The database and broker come from
the environment (``make test`` starts a throwaway PostgreSQL and Redis and sets them)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003", "axes.W003"]
# Tests sign in with the test client, which authenticates without a request; the lockout test turns
# django-axes back on for itself.
AXES_ENABLED = False
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Survey messages stay in memory; a test that runs a real worker names the file backend instead.
SURVEYS_SMS_BACKEND = env("SURVEYS_SMS_BACKEND", default="surveys.backends.LocmemBackend")  # noqa: F405
SURVEYS_EMAIL_BACKEND = env("SURVEYS_EMAIL_BACKEND", default="surveys.backends.LocmemBackend")  # noqa: F405
MESSAGING_SMS_BACKEND = env("MESSAGING_SMS_BACKEND", default="messaging.backends.LocmemBackend")  # noqa: F405
MESSAGING_EMAIL_BACKEND = env("MESSAGING_EMAIL_BACKEND", default="messaging.backends.LocmemBackend")  # noqa: F405
