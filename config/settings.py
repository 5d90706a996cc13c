"""Waypoint settings: one file, driven by the environment.

Every value has an embedded default that runs on a laptop (SQLite, kombu's
filesystem broker, console email). Production sets the environment; nothing
exists only in production. See README.md for the variables.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.site_url import site_url_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WAYPOINT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# The development key is public on purpose; mentoring.checks refuses it when
# DEBUG is off.
DEVELOPMENT_SECRET_KEY = "waypoint-development-only-secret-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Links in emails and calendar feeds: SITE_URL, else where the Procfile's web
# process listens (WEB_BIND), so `WEB_BIND=127.0.0.1:8010 make run` links to 8010.
SITE_URL = site_url_from_env(os.environ)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # intcomma and friends: figures grouped in the reader's locale ("1,250").
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    # Two-factor sign-in: TOTP apps and one-time backup codes (mentoring.twofactor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mentoring.apps.MentoringConfig",
    "programs.apps.ProgramsConfig",
    # Listed by AppConfig: its label is "peer_sessions" so that it does not
    # clash with django.contrib.sessions.
    "sessions.apps.PeerSessionsConfig",
    "goals.apps.GoalsConfig",
    "resources.apps.ResourcesConfig",
    "conversations.apps.ConversationsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy headers on
    # every page, error pages included.
    "csp.middleware.CSPMiddleware",
    "mentoring.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages and personal downloads: Cache-Control no-store.
    "mentoring.middleware.NoStoreMiddleware",
    # request.user.is_verified(): the session passed the second step.
    "django_otp.middleware.OTPMiddleware",
    "mentoring.middleware.UserTimezoneMiddleware",
    # The signed-in person's saved language wins over the cookie and Accept-Language.
    "mentoring.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff and shared-device sessions end after STAFF_SESSION_IDLE_HOURS idle.
    "mentoring.middleware.IdleTimeoutMiddleware",
    # Coordinators and staff reach nothing but the second step (or its setup) until verified.
    "mentoring.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "mentoring.context_processors.navigation",
                "conversations.context_processors.unread_messages",
            ],
            "builtins": ["mentoring.templatetags.waypoint_dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'waypoint.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves web, worker and beat at once: take the write
    # lock when a transaction starts (no lock upgrades that fail under load),
    # wait for it instead of failing, and let readers work during a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Page queries are short: PostgreSQL's JIT spent longer compiling the
    # dashboard's grouped queries than running them (bench_pages, 10,000 mentees).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mentoring.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mentoring:home"
LOGOUT_REDIRECT_URL = "mentoring:landing"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))

# Reverse proxies in front of the app that append the client's address to
# X-Forwarded-For (0: none, the header is ignored). The client address for
# sign-in throttling and the application rate limit is the N-th entry from the
# right (mentoring/client_address.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Sign-in throttling (mentoring/throttling.py): AXES_FAILURE_LIMIT failures for
# one account from one address lock that pair; AXES_ADDRESS_FAILURE_LIMIT
# failures from one address over all accounts lock the address. Accounts are
# counted under their canonical (lower-case) email, addresses through the
# trusted proxies.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "mentoring.throttling.SignInThrottleHandler"
AXES_USERNAME_CALLABLE = "mentoring.throttling.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "mentoring.client_address.client_network"
AXES_RESET_ON_SUCCESS = True
# The login form posts the email in a field named "username" (Django's form);
# axes would otherwise look for "email" and lock by address alone.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Axes would otherwise log usernames (emails) on every failure.
AXES_VERBOSE = False

# Two-factor sign-in (mentoring.twofactor). django-otp doubles the wait after
# each wrong code on a device (factor × 2^(failures-1) seconds); the session
# cap signs the person out after that many wrong codes in a row.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Waypoint")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_SESSION_ATTEMPTS = int(os.environ.get("TWO_FACTOR_SESSION_ATTEMPTS", "5"))

LANGUAGE_CODE = "en"
# Languages a person can choose (issue 19). Translations live in locale/<code>/LC_MESSAGES/django.po;
# the compiled .mo files are committed so a fresh machine needs no gettext to run the app.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish dates, times and numbers as US programs' Spanish speakers read them (config/formats/es/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"  # stored times are UTC; each user's zone is activated per request
USE_I18N = True
USE_TZ = True
DEFAULT_USER_TIME_ZONE = os.environ.get("DEFAULT_USER_TIME_ZONE", "America/New_York")
# The accessibility statement (/accessibility/): where to report a barrier. Empty: a signed-in
# person is shown their programs' coordinators; a visitor, the program that sent them.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "").strip()
# The date the statement was last reviewed (ISO), shown on the page.
ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "2026-11-30").strip()

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the app folders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default so that `make run` shows what would be sent.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
# Sender names stay content-neutral: never mention recovery or treatment.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Waypoint <no-reply@waypoint.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages: console in development, a provider's backend in production.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "mentoring.notifications.sms.ConsoleSMSBackend")
# Replies to texts (STOP, START, YES) are posted by the provider to /sms/inbound/
# with this shared secret; empty turns the endpoint off (404).
SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET", "")
# Phone numbers typed without a country code are read in this region (ISO 3166
# two letters) unless the person's program sets its own.
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "US").upper()

# Celery. The embedded default is kombu's filesystem transport, so that a
# laptop needs no Redis; production must use Redis (mentoring.checks).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # How often an idle worker looks at the queue folder (kombu's default
        # is 1 s). Shorter: a warm shutdown (Ctrl-C on `make run`) ends within
        # about 2 s, well before honcho's 5 s SIGKILL.
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 60 * 60}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The filesystem transport needs its folders before anyone publishes.
    for _folder in ("queue", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat writes its schedule file there whatever the broker: a fresh machine has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)
# One beat process reads this static schedule (README: run exactly one beat).
# Dispatch and sweep every 30 s: a claim whose queue was lost returns within
# the 45 s lease plus one tick (mentoring/notifications/outbox.py).
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "mentoring.tasks.heartbeat", "schedule": 60.0},
    "dispatch-reminders": {"task": "mentoring.tasks.dispatch_reminders", "schedule": 30.0},
    "sweep-reminders": {"task": "mentoring.tasks.sweep_reminders", "schedule": 30.0},
    # The read audit's retention (mentoring.audit.access_events_prune), once a day.
    "prune-audit": {"task": "mentoring.tasks.prune_audit", "schedule": crontab(hour=3, minute=17)},
    # The coordinator home's figures and the needs-attention signals (mentoring.insights.snapshots).
    "refresh-snapshots": {"task": "mentoring.tasks.refresh_snapshots", "schedule": 60.0},
    # Each program's message retention (conversations.services.messages_prune), once a day.
    "prune-messages": {"task": "conversations.tasks.prune_messages", "schedule": crontab(hour=3, minute=41)},
    # The reports' rollups (mentoring.insights.rollups): missing zones, the last two whole months.
    "refresh-rollups": {"task": "mentoring.tasks.refresh_rollups", "schedule": 60.0},
}

# Stored figures and attention signals older than this are recomputed by the
# page that reads them (beat refreshes them every minute; this bounds their age
# when beat is not running). Open safety alerts are always read live.
FIGURES_MAX_AGE_SECONDS = int(os.environ.get("FIGURES_MAX_AGE_SECONDS", "300"))
# The public program page's outcome figures: a figure based on fewer people
# than this is not shown (whole number; never below 5, default 10).
_min_group = os.environ.get("PUBLIC_OUTCOMES_MIN_GROUP", "").strip()
PUBLIC_OUTCOMES_MIN_GROUP = max(int(_min_group), 5) if _min_group.isdigit() else 10

# The read audit (mentoring.audit): rows older than this many days are deleted
# daily. Default six years, the HIPAA documentation retention period
# (45 CFR 164.316(b)(2)). A value that is not a whole number >= 1 is refused by
# a system check (waypoint.E010) rather than guessed at.
_retention = os.environ.get("AUDIT_RETENTION_DAYS", "").strip()
AUDIT_RETENTION_DAYS = int(_retention) if _retention.isdigit() else (2190 if not _retention else None)

# Security headers. HTTPS settings follow DEBUG unless set explicitly, so that
# `check --deploy` is clean with a production environment.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language switch's cookie (django_language): HTTPS-only like the others; no script reads it.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sign-in lifetime (mentoring.session_policy): a browser-session cookie unless
# the person ticks "Keep me signed in" (then SESSION_COOKIE_AGE, 14 days);
# coordinators, staff and shared devices are signed out after this many idle hours.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
STAFF_SESSION_IDLE_HOURS = float(os.environ.get("STAFF_SESSION_IDLE_HOURS", "4"))
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from our own origin, no
# inline scripts or styles, no eval, no external hosts (Bootstrap and htmx are
# vendored). Bootstrap's CSS draws its checkboxes and select arrows with data:
# SVG images, hence img-src data:. README: "Browser and session hardening".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Browser features the app never uses, off for every page (mentoring.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # LOG_FORMAT=json: one JSON object per line for a log collector.
        "json": {"()": "mentoring.log_privacy.JsonFormatter"},
    },
    # Paths in log lines name their route instead of the token they carry
    # (invitation, password reset, calendar, unsubscribe links).
    "filters": {"secret_paths": {"()": "mentoring.log_privacy.SecretPathFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT", "").strip().lower() == "json" else "plain",
            "filters": ["secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes logs the attempted username; keep it to warnings (no personal data).
        "axes": {"level": "WARNING"},
        # Django's loggers print request paths ("Not Found: /invite/...",
        # runserver's request lines): through the filtered handler only, not
        # Django's default handlers.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
