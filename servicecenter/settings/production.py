"""Production: base, hardened. Needs SECRET_KEY, DATABASE_URL and REDIS_URL from the environment."""

from .base import *  # noqa: F403
from .base import env, on_our_engine, with_replica

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
DATABASES = {"default": on_our_engine(env.db("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES = with_replica(DATABASES)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    # Attachments: files under MEDIA_ROOT, or with MEDIA_S3_BUCKET any S3-compatible store through
    # django-storages (pip install boto3; MEDIA_S3_ENDPOINT_URL for one that is not AWS; credentials
    # from the usual AWS_* variables). Private: downloads go through the app's access check.
    "default": ({"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env("MEDIA_S3_BUCKET"), "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False}}
                if env("MEDIA_S3_BUCKET", default="") else
                {"BACKEND": "django.core.files.storage.FileSystemStorage"}),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405

# Behind a reverse proxy the client address is in a header; name it so throttling counts clients,
# not the proxy (e.g. HTTP_X_REAL_IP). Unset: REMOTE_ADDR.
if env("RATELIMIT_IP_META_KEY", default=""):
    RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY")
