"""Deal Desk settings: one module, read from the environment.

Every value has an embedded default so that `make run` needs no services:
SQLite, Celery tasks run in-process, mail to the console. Production sets
DATABASE_URL, REDIS_URL (or CELERY_BROKER_URL), EMAIL_URL and SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envrange(name: str, default: int, low: int, high: int) -> int:
    value = envint(name, default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def email_settings(url: str) -> dict[str, object]:
    """Turn EMAIL_URL into Django's EMAIL_* settings.

    console:// (or unset) prints mail; smtp://host:port and
    smtp+tls://user:pass@host:port (STARTTLS) or smtp+ssl:// send it.
    """
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+tls", "smtp+ssl", "submission"):
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with console://, smtp://, smtp+tls:// or smtp+ssl://, "
            f"not {parts.scheme}://"
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must name a host, e.g. smtp://localhost:25")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtp+ssl" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme in ("smtp+tls", "submission"),
        "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": 10,
    }


DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Set SECRET_KEY to a long random string, or DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "core",
    "stakeholders",
    "partnerships",
    "deals",
    "metrics",
    "agreements",  # the signed contract's life; imports the domain apps, none imports it
    "intake",  # request types and their forms; opens deals, none imports it
    "playbooks",  # clause playbooks; its gate check is registered with stakeholders.signoff
    # Above the domain apps: it reads them all, none of them imports it.
    "notifications",
    "search",  # reads every domain app, like notifications; nothing imports it
    "analytics",  # where time goes: intervals from the audit trail; reads every domain app
    "dossier",  # an auditor's export of one deal's record; reads every domain app
    "api",  # /api/v1/: reads and writes through every domain app; nothing imports it
    "webhooks",  # hears the audit trail, like notifications; nothing imports it
    "demo",  # seed_demo; at the top: imports every app, none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before any view runs (the CSRF check included): a NUL byte is a 400 either way.
    "config.security.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The reader's time zone for everything the page shows and the forms read.
    "core.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.security.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'dealdesk.sqlite3'}")
if DATABASE_URL.split(":", 1)[0] not in ("sqlite", "postgres", "postgresql", "pgsql"):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
# A request either writes all it meant to or nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The dashboard's INCLUDE indexes cover columns on PostgreSQL; SQLite builds the same
    # index without them, which is all it needs. Without this every command warns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not envbool("DB_JIT", False):
    # PostgreSQL's JIT compiles any plan its estimates call expensive; the dashboard's
    # visibility EXISTS inflates those estimates, and compiling then cost 15-40 ms per
    # aggregate over 10,000 deals that runs in 3-5 ms without it (bench/README.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "stakeholders.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # stakeholders.views.home: reviewers to their inbox
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # Refuses logins while an email address + IP pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, whose get_user also reads a person's reach (departments,
    # invitations), roles and unread notifications in its one query: config.auth.
    "config.auth.UserBackend",
    # For the sessions logged in through it before config.auth: they stay logged in.
    "stakeholders.backends.UserBackend",
    # For the sessions logged in through it before UserBackend: they stay logged in
    # (their reach is then asked per deal). It only repeats a log-in UserBackend
    # refused; remove it once those sessions have expired (SESSION_COOKIE_AGE).
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "config.security.lockout_username"
AXES_ENABLED = envbool("LOGIN_LOCKOUT_ENABLED", True)
AXES_VERBOSE = False
# Behind a reverse proxy REMOTE_ADDR is the proxy's: lock-outs then count the address
# the proxies put in X-Forwarded-For, or one person could lock a user out for everyone.
# Only set it when each proxy appends to the header (nginx: $proxy_add_x_forwarded_for);
# a proxy that passes the client's header through would let the client pick its address.
TRUSTED_PROXY_COUNT = envrange("TRUSTED_PROXY_COUNT", 0, 0, 5)
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Hashed, compressed files need `collectstatic`; production runs it at build.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files live outside the static root and are only served through views
# that check access.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

globals().update(email_settings(envstr("EMAIL_URL")))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL")
if not DEFAULT_FROM_EMAIL:
    # Mail from dealdesk@localhost is spam to every receiving server: production names
    # a real sender, only local development falls back.
    if not DEBUG:
        raise ImproperlyConfigured(
            "DEFAULT_FROM_EMAIL must be set when DEBUG is off, "
            'e.g. DEFAULT_FROM_EMAIL="Deal Desk <dealdesk@example.com>".'
        )
    DEFAULT_FROM_EMAIL = "Deal Desk <dealdesk@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Cache: Redis when there is one, shared by all web processes; else process memory.
# Two deployments sharing one Redis set different prefixes.
CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "dealdesk")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": envstr("CACHE_URL") or envstr("REDIS_URL"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if envstr("CACHE_URL") or envstr("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    )
}

# Celery: with no broker configured, tasks run in-process so that `make run`
# needs no Redis. With REDIS_URL (or CELERY_BROKER_URL) they go to workers.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL") or envstr("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(60, CELERY_TASK_TIME_LIMIT // 5)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# One queue name per deployment; tests give each run its own so no stale message reaches them.
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "celery")
# Redis hands an unacknowledged task to another worker after this many seconds.
# A redelivered task re-claims the notifications its first run claimed (same task
# id), which is only safe if the first run is dead by then: the time limit
# guarantees that, so the timeout must exceed it.
CELERY_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", 3600)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT "
        f"({CELERY_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT})"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for the tasks of dead workers every few seconds, not every ~100 (kombu's default).
    "unacked_restore_interval": min(10, CELERY_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
}

# Background work. Exactly one beat process runs this schedule. REMINDER_HOUR and
# DIGEST_HOUR are each person's local hour (stakeholders.User.time_zone): their
# planners run every quarter of an hour and take those whose clock shows it.
REMINDER_HOUR = envrange("REMINDER_HOUR", 8, 0, 23)
DIGEST_HOUR = envrange("DIGEST_HOUR", 7, 0, 23)
DIGEST_WEEKDAY = envrange("DIGEST_WEEKDAY", 0, 0, 6)  # 0 = Monday: the default digest day
ESCALATE_AFTER_DAYS = envint("ESCALATE_AFTER_DAYS", 3)
NOTIFICATION_BATCH_SIZE = envrange("NOTIFICATION_BATCH_SIZE", 100, 1, 1000)
# Seconds before the first retry of a failed send; doubles each time up to the cap.
NOTIFICATION_RETRY_BACKOFF = envint("NOTIFICATION_RETRY_BACKOFF", 30)
NOTIFICATION_RETRY_MAX = envint("NOTIFICATION_RETRY_MAX", 1800)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Each reviewer's morning, where they are: one reminder.
    "review-reminders": {
        "task": "notifications.tasks.send_review_reminders",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"local_hour": REMINDER_HOUR},
    },
    # Each morning in TIME_ZONE: escalations to sponsors.
    "escalations": {
        "task": "notifications.tasks.send_escalations",
        "schedule": crontab(minute="5-59/15"),
        "kwargs": {"local_hour": REMINDER_HOUR},
    },
    # Each person picks their digest day (DIGEST_WEEKDAY by default); it comes at
    # DIGEST_HOUR of that day where they are.
    "weekly-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"local_hour": DIGEST_HOUR},
    },
    # Webhook deliveries whose retry task was lost (a broker restart): sent again.
    "webhook-sweep": {
        "task": "webhooks.tasks.sweep_webhooks",
        "schedule": crontab(minute="*/5"),
    },
    # Agreements: terms that ended roll forward (or end), obligations' occurrences appear.
    "agreements-daily": {
        "task": "agreements.tasks.agreements_daily",
        "schedule": crontab(minute=30, hour=0),
    },
    # Reminders of notice deadlines, at each owner's and sponsor's local REMINDER_HOUR.
    "notice-reminders": {
        "task": "notifications.tasks.send_notice_reminders",
        "schedule": crontab(minute="10-59/15"),
        "kwargs": {"local_hour": REMINDER_HOUR},
    },
    # The dashboard's tallies gain rows with every change; fold them (deals.tally_sql).
    "compact-tallies": {
        "task": "deals.tasks.compact_tallies",
        "schedule": crontab(minute="*"),
    },
    # The review emails' decision links, a day past their 72 hours (stakeholders).
    "purge-email-decision-tokens": {
        "task": "stakeholders.tasks.purge_email_decision_tokens",
        "schedule": crontab(minute=17, hour=3),
    },
    # Notifications whose task was lost (broker flushed, claim expired) go out here.
    "unsent-notifications": {
        "task": "notifications.tasks.deliver_unsent_notifications",
        "schedule": crontab(minute="*/15"),
    },
}

# Requests: refuse oversized bodies before they reach a form (uploads have their own cap).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
CONTRACT_DOCUMENT_MAX_BYTES = envint("CONTRACT_DOCUMENT_MAX_MB", 20) * 1024 * 1024


def envdays(name: str, default: str) -> list[int]:
    """A comma-separated list of whole days (90,30,7), largest first."""
    try:
        days = sorted({int(item) for item in envlist(name, default)}, reverse=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be whole days separated by commas") from error
    if not days or any(not 0 < d <= 730 for d in days):
        raise ImproperlyConfigured(f"{name} must list days between 1 and 730")
    return days


# Reminders of an agreement's notice deadline: how many days before it, to the owner and
# the sponsor; while undecided this close to it, the sponsor is told it escalates.
NOTICE_REMINDER_DAYS = envdays("NOTICE_REMINDER_DAYS", "90,30,7")
NOTICE_ESCALATION_DAYS = envrange("NOTICE_ESCALATION_DAYS", 14, 1, 365)

# Content-Security-Policy: only our own scripts and styles, no inline code.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Business rules
STALL_DAYS = envint("STALL_DAYS", 21)

# The JSON API (api/): requests a minute per key, counted in the cache above.
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", 120)
# Webhooks (webhooks/): loopback receivers only in tests; a failing endpoint is disabled
# after this many failed attempts in a row; each attempt waits at most this long.
WEBHOOK_ALLOW_LOOPBACK = envbool("WEBHOOK_ALLOW_LOOPBACK", False)
WEBHOOK_DISABLE_AFTER_FAILURES = envint("WEBHOOK_DISABLE_AFTER_FAILURES", 20)
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10)
DEALS_PER_PAGE = envint("DEALS_PER_PAGE", 25)
# Totals are shown in this currency, converted at the rates an administrator keeps
# (core.ExchangeRate); one of core.models.Currency (checked by core's system check).
REPORTING_CURRENCY = envstr("REPORTING_CURRENCY", "EUR").strip().upper()
if not (len(REPORTING_CURRENCY) == 3 and REPORTING_CURRENCY.isalpha()):
    raise ImproperlyConfigured(
        f"REPORTING_CURRENCY must be a three-letter currency code, not {REPORTING_CURRENCY!r}"
    )

# Production hardening (DEBUG off). Behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER_ENABLED=1; SECURE_SSL_REDIRECT defaults on.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token goes in hx-headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    if envbool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Health checks from the load balancer come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every step of a render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
