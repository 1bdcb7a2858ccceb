"""Settings read from the environment.

With nothing set the project runs embedded: a SQLite file, Celery over a broker on files
(``fsatomic://``, kombu's filesystem transport made safe: ``servicecenter/fsbroker.py``; a real
worker and beat, no server) and console e-mail.
With ``DATABASE_URL`` and ``REDIS_URL`` set it runs on PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("SERVICECENTER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# The embedded default key is for a laptop demo only; production.py refuses to start without one.
SECRET_KEY = env("SECRET_KEY", default="embedded-demo-key-not-for-production-0123456789abcdef")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "django_htmx",
    "django_ratelimit",
    "axes",
    "csp",
    "servicecenter",
    "staff",
    "tickets",
    "sla",
    "notifications",
    "messaging",
    "calls",
    "surveys",
    "workspace",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "servicecenter.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a throttled public form answers 429
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

# Content Security Policy (django-csp): scripts, styles, fonts and images from this site only; no
# inline script or style (behaviour lives in static/js, looks in static/css), no plugins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Permissions-Policy (django-permissions-policy): the product uses no camera, microphone, location,
# payment or other powerful browser feature, so every one is off for this site and anything it frames.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

# Sign-in lockout (django-axes): five failures for one user name from one address lock it for 15
# minutes; a success resets the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "servicecenter.urls"
WSGI_APPLICATION = "servicecenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staff.context_processors.staff_member",
                "sla.context_processors.sla",
                "notifications.context_processors.bell",
            ],
        },
    },
]


def on_our_engine(config: dict) -> dict:
    """A database setting with PostgreSQL on Django's backend as ours extends it (``servicecenter/postgres``:
    date-times read by psycopg's compiled loader)."""
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "servicecenter.postgres"
    return config


DATABASES = {"default": on_our_engine(env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'servicecenter.sqlite3'}"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before reuse, so a database restart costs one failed request at most.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database is shared by web, worker and beat: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# A read replica for the dashboards, figures and exports (servicecenter/replica.py): a streaming
# replica of ``default``; without DATABASE_REPLICA_URL every read goes to ``default``.
DATABASE_ROUTERS = ["servicecenter.replica.ReplicaRouter"]


def with_replica(databases: dict) -> dict:
    """``databases`` with the replica from DATABASE_REPLICA_URL, if set (its tests use ``default``)."""
    url = env("DATABASE_REPLICA_URL", default="")
    if url:
        databases["replica"] = on_our_engine(env.db_url_config(url))
        databases["replica"].update(CONN_MAX_AGE=databases["default"]["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True,
                                    TEST={"MIRROR": "default"})
    return databases


DATABASES = with_replica(DATABASES)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public forms are throttled with django-ratelimit. Django's own Redis cache increments atomically,
# which is what ratelimit needs, though the library only lists django-redis as "supported".
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Embedded mode serves the web from one process, so a per-process cache is the shared cache.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
RATELIMIT_VIEW = "tickets.views.throttled"
PUBLIC_SUBMIT_RATE = env("PUBLIC_SUBMIT_RATE", default="5/10m")
PUBLIC_TRACK_RATE = env("PUBLIC_TRACK_RATE", default="10/10m")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Languages and time: Simplified Chinese first, computed in the center's zone, stored in UTC.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="servicecenter@localhost")

# Celery: Redis when REDIS_URL is set, otherwise the embedded broker on files (no server needed):
# kombu's filesystem transport with messages written whole (temp file + rename), claimed by rename
# by one consumer, kept until acknowledged and given back when their worker dies; results written the
# same way. Why this and not kombu's plain ``filesystem://`` (a worker could read a message before it
# was written, and stopped on JSONDecodeError) or SQLAlchemy on SQLite: servicecenter/fsbroker.py.
# The aliases ``fsatomic`` are registered in servicecenter/celery.py.
CELERY_FS_DIR = Path(env("CELERY_FS_DIR", default=str(VAR_DIR / "celery")))
EMBEDDED_BROKER_URL = "fsatomic://"
EMBEDDED_RESULT_BACKEND = f"fsatomic+file://{CELERY_FS_DIR / 'results'}"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or EMBEDDED_BROKER_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or EMBEDDED_RESULT_BACKEND)
if CELERY_BROKER_URL.startswith(("fsatomic://", "filesystem://")):
    for sub in ("queue", "tmp", "processing", "failed", "processed", "results", "control"):
        (CELERY_FS_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "tmp_folder": str(CELERY_FS_DIR / "tmp"),
        "processing_folder": str(CELERY_FS_DIR / "processing"),
        "failed_folder": str(CELERY_FS_DIR / "failed"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_FS_DIR / "control"),
        # An idle worker looks for a message every 0.1 s (kombu's default, 1 s, is felt in the pages).
        "polling_interval": env.float("CELERY_FS_POLLING_SECONDS", default=0.1),
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# django-celery-beat copies this into its table at start; admins can then change the interval.
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "sla.sweep", "schedule": env.float("SLA_SWEEP_SECONDS", default=60.0)},
    "surveys-send": {"task": "surveys.send", "schedule": env.float("SURVEYS_SEND_SECONDS", default=60.0)},
    # Replies go out at once (queued on commit); this picks up the retries.
    "messaging-send": {"task": "messaging.send", "schedule": env.float("MESSAGING_SEND_SECONDS", default=60.0)},
    "messaging-poll": {"task": "messaging.poll", "schedule": env.float("MESSAGING_POLL_SECONDS", default=60.0)},
    # Dated org changes and job-description versions, applied on their day (the sweep applies due org
    # changes too, before every run).
    "staff-apply-due": {"task": "staff.apply_due", "schedule": env.float("STAFF_APPLY_DUE_SECONDS", default=300.0)},
    "calls-reap": {"task": "calls.reap_imports", "schedule": env.float("CALLS_REAP_SECONDS", default=60.0)},
    # One e-mail an hour to each recipient at the top of the chain instead of one per deadline notice.
    "notifications-digest": {"task": "notifications.digest", "schedule": crontab(minute=0)},
    # Last month's scorecards, early on the 1st (center time); supervisors adjust them afterwards.
    "scorecards-monthly": {"task": "reporting.scorecards", "schedule": crontab(minute=30, hour=1, day_of_month=1)},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Every task has a time limit: the soft one raises SoftTimeLimitExceeded in the task (its transaction
# rolls back and the next run does the work), the hard one kills the worker process. These are the
# defaults; a long task sets its own (the calls import, in its decorator; the monthly scorecards here).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
SCORECARDS_SOFT_TIME_LIMIT = env.int("SCORECARDS_SOFT_TIME_LIMIT", default=900)
SCORECARDS_TIME_LIMIT = env.int("SCORECARDS_TIME_LIMIT", default=1200)
CELERY_TASK_ANNOTATIONS = {
    "reporting.scorecards": {"soft_time_limit": SCORECARDS_SOFT_TIME_LIMIT, "time_limit": SCORECARDS_TIME_LIMIT},
}

# Calls imports: time limits per run, and the reaper (beat, "calls-reap") that queues again an import
# waiting or running with no progress for CALLS_IMPORT_STALE_SECONDS (its worker or its message was
# lost), and fails it once CALLS_IMPORT_MAX_ATTEMPTS runs have died.
CALLS_IMPORT_SOFT_TIME_LIMIT = env.int("CALLS_IMPORT_SOFT_TIME_LIMIT", default=900)
CALLS_IMPORT_TIME_LIMIT = env.int("CALLS_IMPORT_TIME_LIMIT", default=1200)
CALLS_IMPORT_STALE_SECONDS = env.int("CALLS_IMPORT_STALE_SECONDS", default=120)
CALLS_IMPORT_MAX_ATTEMPTS = env.int("CALLS_IMPORT_MAX_ATTEMPTS", default=3)
# Redis hands a task that was never acknowledged (acks late: its worker was killed) to another worker
# after the visibility timeout. It must outlast the longest task's hard time limit (the calls import),
# or a task still running would be handed out twice; the reaper, not this, brings a lost import back.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=max(
            CALLS_IMPORT_TIME_LIMIT, SCORECARDS_TIME_LIMIT, CELERY_TASK_TIME_LIMIT) + 300)
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "servicecenter.numbers.Pagination",  # ?page= a whole number, or 400
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "servicecenter.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servicecenter API",
    "DESCRIPTION": "Tickets, SLA, calls, surveys and the org chart of a customer-service center.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.models.Kind",
        "TicketStatusEnum": "tickets.models.Status",
        "CancelReasonEnum": "tickets.models.CancelReason",
        "TicketEventKindEnum": "tickets.models.EventKind",
        "WorkOrderStatusEnum": "tickets.models.WorkOrderStatus",
        "UnitKindEnum": "staff.models.Unit.Kind",
        "OrgChangeKindEnum": "staff.models.OrgChange.Kind",
        "OrgChangeStateEnum": "staff.models.OrgChange.State",
        "JobDescriptionVersionStateEnum": "staff.models.JobDescriptionVersion.State",
        "PolicyPriorityEnum": "tickets.models.Priority",
        "TicketPriorityEnum": ["urgent", "high", "normal", "low"],
        "SlaUnitEnum": "sla.models.Unit",
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = False

# The center itself.
SERVICECENTER_NAME = env("SERVICECENTER_NAME", default="")

# The runs that report what they did (the sweep, survey sends, call imports: one line each, with
# counts and ``duration_ms`` passed as ``extra``) log as key=value lines (servicecenter/logformat.py)
# through their own handler, so a Celery worker, which takes over the root logger, keeps the fields.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"keyvalue": {"()": "servicecenter.logformat.KeyValueFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "keyvalue": {"class": "logging.StreamHandler", "formatter": "keyvalue"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        name: {"handlers": ["keyvalue"], "level": LOG_LEVEL, "propagate": False}
        for name in ("sla.sweep", "calls.imports", "surveys.services")
    },
}

# Tickets: the kinds that get a callback (回访) when resolved, and how long before an unreachable
# customer is tried again.
TICKETS_CALLBACK_KINDS = env.list("TICKETS_CALLBACK_KINDS", default=["complaint", "repair", "report"])
TICKETS_CALLBACK_RETRY_HOURS = env.int("TICKETS_CALLBACK_RETRY_HOURS", default=2)
# A customer who writes to a resolved ticket within this many days reopens it; later (or once it is
# closed) their message opens a new ticket that follows the old one.
TICKETS_REOPEN_DAYS = env.int("TICKETS_REOPEN_DAYS", default=7)

# SLA: how many clocks one sweep takes per phase (warnings, breaches, next levels); when a phase
# fills its batch the sweep queues another run at once.
SLA_SWEEP_BATCH = env.int("SLA_SWEEP_BATCH", default=10_000)

# Surveys (满意度回访): which kinds are surveyed (reports are not: the reporter is protected), which
# wait for their callback to finish rather than the resolution, the delay, the quiet hours in center
# time when nothing is sent, how long before the same customer is asked again, and how long a link
# lives. Backends are dotted paths; an SMS gateway is one more class (``messaging.backends``).
SURVEYS_KINDS = env.list("SURVEYS_KINDS", default=["inquiry", "complaint", "repair", "application", "suggestion",
                                                    "praise"])
SURVEYS_AFTER_CALLBACK_KINDS = env.list("SURVEYS_AFTER_CALLBACK_KINDS", default=["complaint", "repair"])
SURVEYS_DELAY_MINUTES = env.int("SURVEYS_DELAY_MINUTES", default=30)
SURVEYS_QUIET_HOURS = env("SURVEYS_QUIET_HOURS", default="21:00-08:00")
SURVEYS_RESURVEY_DAYS = env.int("SURVEYS_RESURVEY_DAYS", default=30)
SURVEYS_TOKEN_DAYS = env.int("SURVEYS_TOKEN_DAYS", default=7)
SURVEYS_SEND_BATCH = env.int("SURVEYS_SEND_BATCH", default=500)
SURVEYS_MAX_ATTEMPTS = env.int("SURVEYS_MAX_ATTEMPTS", default=5)
SURVEYS_SMS_BACKEND = env("SURVEYS_SMS_BACKEND", default="surveys.backends.ConsoleSmsBackend")
SURVEYS_EMAIL_BACKEND = env("SURVEYS_EMAIL_BACKEND", default="surveys.backends.EmailBackend")
SURVEYS_OUTBOX_FILE = env("SURVEYS_OUTBOX_FILE", default=str(VAR_DIR / "survey-outbox.jsonl"))
SURVEYS_BASE_URL = env("SURVEYS_BASE_URL", default="http://localhost:8000")
SURVEYS_ANSWER_RATE = env("SURVEYS_ANSWER_RATE", default="30/10m")

# Messages to customers (messaging): replies by SMS or e-mail, each sent once, retried with backoff
# (1, 2, 4 … minutes) and failed after MESSAGING_MAX_ATTEMPTS. Backends are dotted paths
# (``messaging.backends``): console SMS, Django e-mail, a generic HTTP SMS gateway, a JSON-lines file.
MESSAGING_SMS_BACKEND = env("MESSAGING_SMS_BACKEND", default="messaging.backends.ConsoleSmsBackend")
MESSAGING_EMAIL_BACKEND = env("MESSAGING_EMAIL_BACKEND", default="messaging.backends.EmailBackend")
MESSAGING_OUTBOX_FILE = env("MESSAGING_OUTBOX_FILE", default=str(VAR_DIR / "message-outbox.jsonl"))
MESSAGING_SEND_BATCH = env.int("MESSAGING_SEND_BATCH", default=500)
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=6)
# The address customers follow their tickets at (the /track/ page), and the domain of our Message-IDs.
MESSAGING_BASE_URL = env("MESSAGING_BASE_URL", default=SURVEYS_BASE_URL)
# How long the tracking link in an acknowledgement works.
MESSAGING_TRACK_DAYS = env.int("MESSAGING_TRACK_DAYS", default=180)
MESSAGING_MAIL_DOMAIN = env("MESSAGING_MAIL_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
# The generic HTTP SMS gateway (messaging.backends.HttpSmsBackend) and the secret its delivery receipts
# are signed with (HMAC-SHA256 of the body, hex, in the X-Signature header of POST /hooks/sms/receipt/).
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY", default="")
SMS_GATEWAY_TEMPLATE = env("SMS_GATEWAY_TEMPLATE", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
SMS_RECEIPT_SECRET = env("SMS_RECEIPT_SECRET", default="")
# E-mail in (messaging.mailboxes): the mailboxes polled, as a JSON list (see that module), how many
# messages one poll takes from each, and how far back a message is threaded by its subject alone.
MESSAGING_MAILBOXES = env.json("MESSAGING_MAILBOXES", default=[])
MESSAGING_POLL_BATCH = env.int("MESSAGING_POLL_BATCH", default=200)
MESSAGING_IMAP_TIMEOUT = env.float("MESSAGING_IMAP_TIMEOUT", default=30.0)
MESSAGING_THREAD_DAYS = env.int("MESSAGING_THREAD_DAYS", default=7)
# Attachments (messaging.attachments): the types taken (judged by the file's name), the largest file,
# and an optional virus-scan function ("module.function", called with name= and data=, returning why
# a file is refused or ""). Files are kept in Django's default storage: MEDIA_ROOT here; production
# can name an S3-compatible store (settings/production.py). They are never served from MEDIA_URL:
# every download goes through the ticket's access check.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MESSAGING_ATTACHMENT_TYPES = env.list("MESSAGING_ATTACHMENT_TYPES", default=[
    "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "audio/mpeg", "audio/x-wav", "audio/wav", "video/mp4", "application/zip"])
MESSAGING_ATTACHMENT_MAX_MB = env.int("MESSAGING_ATTACHMENT_MAX_MB", default=10)
MESSAGING_ATTACHMENT_MAX_FILES = env.int("MESSAGING_ATTACHMENT_MAX_FILES", default=10)
MESSAGING_ATTACHMENT_SCANNER = env("MESSAGING_ATTACHMENT_SCANNER", default="")

# Scorecards: how far a supervisor may move an agent's monthly score, either way.
SCORECARD_MAX_ADJUSTMENT = env.int("SCORECARD_MAX_ADJUSTMENT", default=10)

# Select widgets written in Python, the same markup as Django's templates (servicecenter/formrender.py).
FORM_RENDERER = "servicecenter.formrender.FormRenderer"
