"""PPP settings: one module, every knob from the environment.

Development needs nothing set: `make run` uses a SQLite file in the project folder and
prints emails to the console. Production (DEBUG off) refuses to start without a
SECRET_KEY. docs/operations/settings.md lists every variable.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Under pytest the suite supplies its own safe defaults (plain static storage, no HTTPS).
TESTING = env_bool("PPP_TESTING", "pytest" in sys.modules)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (or set DEBUG=true for local development)."
        )

# Encryption at rest (ppp/crypto.py): Fernet keys, comma-separated, newest first; and the
# key of the keyed hash that finds equal encrypted values. Both kept apart from SECRET_KEY
# and from database backups. Development and tests use fixed keys that protect nothing.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_INDEX_KEY = env("FIELD_INDEX_KEY")
if not FIELD_ENCRYPTION_KEYS or not FIELD_INDEX_KEY:
    if DEBUG or TESTING:
        FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["cHBwLWRldmVsb3BtZW50LW9ubHkta2V5LTMyYnl0ZXM="]
        FIELD_INDEX_KEY = FIELD_INDEX_KEY or "ppp-development-only-index-key"
    else:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY are not set. Make a key with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
            "for FIELD_ENCRYPTION_KEYS and a long random string for FIELD_INDEX_KEY, and keep both "
            "apart from database backups."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def _served_on(argv: list[str]) -> str:
    """In development, the address `manage.py runserver [addr:]port` serves on (so links in
    emails and certificates' QR codes work there); `make run` sets SITE_URL from HOST and PORT."""
    if "runserver" in argv:
        rest = [arg for arg in argv[argv.index("runserver") + 1 :] if not arg.startswith("-")]
        if rest:
            address = rest[0]
            host, _, port = address.rpartition(":") if ":" in address else ("", "", address)
            if port.isdigit():
                host = {"": "127.0.0.1", "0.0.0.0": "localhost", "[::]": "localhost"}.get(host, host)  # noqa: S104
                return f"http://{host}:{port}"
    return "http://127.0.0.1:8000"


# The address people use to reach PPP, for links in emails and on certificates.
SITE_URL = env("SITE_URL", _served_on(sys.argv) if DEBUG else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL's trigram index operator classes and lookups (ppp/postgres.py); harmless on SQLite.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_ratelimit",
    "simple_history",
    "ppp",
    "ppp.accounts",
    "ppp.audit",
    "ppp.certificates",
    "ppp.notifications",
    "charter",
    "accreditation",
    "incidents",
    "training",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ppp.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ppp.middleware.RememberMembershipsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ppp.middleware.RequireOfficerMFAMiddleware",
    "ppp.middleware.NoStoreForSignedInMiddleware",
    "ppp.middleware.SecurityHeadersMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ppp.urls"
WSGI_APPLICATION = "ppp.wsgi.application"

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
                "ppp.context_processors.ppp",
                "ppp.context_processors.service",
            ],
        },
    },
    {
        # Plain-text email bodies: the same templates folder, no HTML escaping (ppp.mail.render_text).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: PostgreSQL in production and CI; a SQLite file for zero-setup development.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode server-side cursors (streamed CSV exports) must be off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
ON_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite file, shared by the web server's threads and the task runner: every
    # transaction takes the write lock when it starts (IMMEDIATE), so two writers queue for it
    # instead of one failing half-way with "database is locked"; a writer waits up to 20 s;
    # WAL lets pages be read while something is written.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests on SQLite use a file too, not Django's default in-memory database: that one is
    # shared between threads in SQLite's shared-cache mode, where a writer meeting another
    # fails at once with "database table is locked" (the busy timeout does not apply), so
    # the tests of many people sending at once (tests/surveys) failed under load. A file
    # behaves as the demo does: writers queue for the lock.
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_DATABASE", str(BASE_DIR / ".pytest-db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rate-limit counters, used two-factor codes and cached public pages, so it
# must be shared by every server process: the database by default (the table is made by
# `migrate`), Redis when REDIS_URL is set (several servers). A per-process cache would let
# each gunicorn worker keep its own count; PPP refuses to start with one unless DEBUG is on.
# Two aliases on the same store: `default`, which rides out a Redis outage (ppp.cache.RedisCache:
# a read is a miss, a write is dropped), and `ratelimit`, the rate limits' counters, which
# raises, so each limit fails the way it says (ppp/ratelimit.py). REDIS_TIMEOUT_MS bounds how
# long a request waits for a Redis that does not answer.
CACHE_BACKEND = env("CACHE_BACKEND", "redis" if env("REDIS_URL") else "database")
_DATABASE_CACHE = {
    "BACKEND": "ppp.cache.DatabaseCache",
    "LOCATION": "ppp_cache",
    "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 100_000)},
}
REDIS_TIMEOUT_MS = env_int("REDIS_TIMEOUT_MS", 500)
_REDIS_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT_MS / 1000, "socket_timeout": REDIS_TIMEOUT_MS / 1000}
CACHES = {
    "database": {"default": _DATABASE_CACHE, "ratelimit": _DATABASE_CACHE},
    "redis": {
        "default": {"BACKEND": "ppp.cache.RedisCache", "LOCATION": env("REDIS_URL"), "OPTIONS": _REDIS_OPTIONS},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "OPTIONS": _REDIS_OPTIONS,
        },
    },
    "locmem": {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    },
}.get(CACHE_BACKEND)
if CACHES is None:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be database, redis or locmem, not {CACHE_BACKEND!r}.")
if CACHE_BACKEND == "redis" and not env("REDIS_URL"):
    raise ImproperlyConfigured("CACHE_BACKEND=redis needs REDIS_URL, e.g. redis://127.0.0.1:6379/0.")
if CACHE_BACKEND == "locmem" and not DEBUG:
    raise ImproperlyConfigured(
        "CACHE_BACKEND=locmem keeps a separate cache in every server process, so rate limits and "
        "two-factor codes would not hold. Use the database (the default) or Redis, or set DEBUG=true."
    )

# Rate limits (django-ratelimit) count on that shared store (the `ratelimit` alias), per
# client address as ppp.audit.services.client_ip reads it (TRUSTED_PROXY_COUNT), and answer
# with a 429 page. Each limit says which way it fails when the cache is down (ppp/ratelimit.py).
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "ppp.audit.services.client_ip"
RATELIMIT_VIEW = "ppp.views.too_many_requests"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# Background work (ppp/tasks.py, docs/operations/background-work.md):
# - "queue": Procrastinate's job queue in PostgreSQL, run by `manage.py run_worker`: jobs are
#   saved with the change that makes them, a job whose worker died is run again, failures are
#   retried with back-off. The default on PostgreSQL.
# - "thread": the SQLite demo: jobs run in a thread of the web process once the change
#   commits, and unfinished work is picked up again when it starts. The default on SQLite.
# - "immediate": jobs run in the request once the change commits (tests).
PPP_TASKS = env("PPP_TASKS", "immediate" if TESTING else ("queue" if ON_POSTGRESQL else "thread"))
if PPP_TASKS not in ("queue", "thread", "immediate"):
    raise ImproperlyConfigured(f"PPP_TASKS must be queue, thread or immediate, not {PPP_TASKS!r}.")
if PPP_TASKS == "queue" and not ON_POSTGRESQL:
    raise ImproperlyConfigured("PPP_TASKS=queue needs PostgreSQL (DATABASE_URL=postgres://...).")
if ON_POSTGRESQL:
    # Its tables and functions are made by `migrate` (PostgreSQL only).
    INSTALLED_APPS.insert(INSTALLED_APPS.index("ppp"), "procrastinate.contrib.django")
# Tasks are found in each app's tasks.py; the platform's email task lives in ppp/mail.py.
PROCRASTINATE_IMPORT_PATHS = ["ppp.mail"]
# The worker (`manage.py run_worker`): how often it says it is alive, after how long without
# a word its jobs are run again by another (or by itself once restarted), and how many
# emails and certificate batches it works on at once (separately: slow mail cannot hold
# up certificates).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_STALLED_SECONDS = env_int("WORKER_STALLED_SECONDS", 30)
WORKER_MAIL_CONCURRENCY = env_int("WORKER_MAIL_CONCURRENCY", 4)
WORKER_CERTIFICATE_CONCURRENCY = env_int("WORKER_CERTIFICATE_CONCURRENCY", 2)
# How many times an email is tried before it shows as failed (about 1.5 hours in all).
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 6)

# Accounts and sign-in (django-allauth with its MFA; django-axes for lockouts)
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal"
# Where officers land when they sign in: their own caseload.
OFFICER_HOME = env("OFFICER_HOME", "accreditation:caseload")
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "ppp.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "ppp.accounts.forms.LoginForm",
    "reset_password": "ppp.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "ppp.accounts.forms.ResetPasswordKeyForm",
    "change_password": "ppp.accounts.forms.ChangePasswordForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts only come from invitations sent to that address
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "PPP: "
# A reset asked for an address with no account sends nothing (the page says the same either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# django-axes counts and locks failed sign-ins (wrong passwords and wrong two-factor codes:
# MFA_FORMS); allauth's own limiter keeps the rest.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_ADAPTER = "ppp.accounts.adapter.MFAAdapter"
# Wrong two-factor codes count towards the same lockout as wrong passwords (axes).
MFA_FORMS = {
    "authenticate": "ppp.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "ppp.accounts.forms.MFAReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PPP Leicester"
MFA_RECOVERY_CODE_COUNT = 10

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
# Lock the account being attacked, not the address: a whole school signs in from one
# public IP, and one pupil guessing must not lock every teacher out (hence axes.W006).
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006: see AXES_LOCKOUT_PARAMETERS. django_ratelimit.W001: it lists only memcached and
# django-redis as "supported"; Django's own Redis cache and PPP's database cache (atomic
# increments, ppp/cache.py) both give it the atomic add/incr it needs.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "django_ratelimit.W001"]
AXES_USERNAME_CALLABLE = "ppp.accounts.adapter.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Never keep a typed password or two-factor code in the failure log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)

SESSION_COOKIE_AGE = 8 * 60 * 60  # sessions end after 8 hours
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
EVIDENCE_MAX_UPLOAD_MB = env_int("EVIDENCE_MAX_UPLOAD_MB", 20)
# Office and OpenDocument files are ZIPs: refuse any that unpack to more than this, or by
# more than this ratio (zip bombs). See ppp/uploads.py.
UPLOAD_MAX_UNCOMPRESSED_MB = env_int("UPLOAD_MAX_UNCOMPRESSED_MB", 100)
UPLOAD_MAX_RATIO = env_int("UPLOAD_MAX_RATIO", 100)
# Virus scanning of every upload by ClamAV's clamd, when one of these is set: its Unix
# socket (e.g. /run/clamav/clamd.ctl), or its host and port (3310).
CLAMAV_SOCKET = env("CLAMAV_SOCKET")
CLAMAV_HOST = env("CLAMAV_HOST")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310)
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 30)
# Uploaded files are readable by the app's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# A school holding an award can start re-accrediting this many days before it expires.
REACCREDITATION_OPENS_DAYS = env_int("REACCREDITATION_OPENS_DAYS", 90)
# The council team's shared inbox: new applications and anything not yet assigned to an officer.
PPP_TEAM_EMAIL = env("PPP_TEAM_EMAIL", "ppp@leicester.gov.uk")

# Who runs PPP and how the public reaches them: the home, charter, accessibility and
# privacy pages and the certificates print these (ppp.context_processors.service).
COUNCIL_NAME = env("COUNCIL_NAME", "Leicester City Council")
CONTACT_TEAM = env("CONTACT_TEAM", "Positive and Peaceful Places team")
CONTACT_EMAIL = env("CONTACT_EMAIL", PPP_TEAM_EMAIL)
CONTACT_PHONE = env("CONTACT_PHONE", "0116 454 1000")
CONTACT_HOURS = env("CONTACT_HOURS", "Monday to Friday, 9am to 5pm, except bank holidays")
CONTACT_ADDRESS = env("CONTACT_ADDRESS", "Leicester City Council, City Hall, 115 Charles Street, Leicester, LE1 1FZ")
# The council's data protection officer, named in the privacy notice.
DATA_PROTECTION_EMAIL = env("DATA_PROTECTION_EMAIL", "dpo@leicester.gov.uk")
# The person whose name and role are printed in the signature block of every certificate.
# Set the real person's name in production, e.g. CERTIFICATE_SIGNATORY_NAME="Jo Smith".
CERTIFICATE_SIGNATORY_NAME = env("CERTIFICATE_SIGNATORY_NAME", "Strategic Director")
CERTIFICATE_SIGNATORY_ROLE = env("CERTIFICATE_SIGNATORY_ROLE", "Social Care and Education, Leicester City Council")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# Static and uploaded files
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
# In development and tests whitenoise serves straight from the finders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded evidence: no URL at all; files are served only by permission-checked views.
    "private": {"BACKEND": "ppp.storage.PrivateFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence and other private uploads go to S3-compatible object storage (django-storages)
# when S3_BUCKET is set: what several app servers need, since each has its own disk.
# Files stay private (no public URL; served through permission-checked views). Without
# S3_BUCKET: MEDIA_ROOT/private on this server's disk.
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "ppp.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": env("S3_PREFIX", "private"),
            # Blank: Amazon S3 itself; set for another provider or MinIO, e.g. https://s3.example.net
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or None,
            # Blank: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,  # the bucket's own (private) policy
            "file_overwrite": False,
            "object_parameters": (
                {"ServerSideEncryption": env("S3_SERVER_SIDE_ENCRYPTION")} if env("S3_SERVER_SIDE_ENCRYPTION") else {}
            ),
        },
    }

# Public pages many people read and that change rarely (certificate checks; the award
# holders and the charter register) are kept this many seconds in the shared cache
# (ppp/pagecache.py); a change forgets them at once. 0 turns it off (as under pytest).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 0 if TESTING else 60)

# Email: printed to the console in development, SMTP in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds to wait for the mail relay at each step; a relay that never answers fails the
# attempt (retried later) instead of holding a worker (only the mail queue waits on it).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Positive and Peaceful Places <ppp@leicester.gov.uk>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("PPP administrators", a) for a in env_list("ADMINS")]

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds styles text, email and password inputs; these need the GOV.UK class too.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input",
    "timeinput": "govuk-input",
    "urlinput": "govuk-input",
    "dateinput": "govuk-input",
    "datetimeinput": "govuk-input",
    "searchinput": "govuk-input",
    "fileinput": "govuk-file-upload",
}

# Security headers. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED.
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
# The CSRF cookie ends with the browser session, like the session cookie: a pupil's report
# from a family device leaves no year-long cookie behind (issue 19 §5).
CSRF_COOKIE_AGE = None
CSRF_FAILURE_VIEW = "ppp.views.csrf_failure"
# Sent on every response (ppp.middleware.SecurityHeadersMiddleware): PPP uses none of these.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG and not TESTING)
# How many proxies (nginx, load balancer) stand in front of gunicorn and append to
# X-Forwarded-For: the client's address for audit and rate limits is read from there.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the QR code allauth draws when an authenticator app is set up
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No pupils' reporting-link token in any log (ppp/logs.py): on the handler, and on the
    # loggers that write a request's path, before Django's own handlers (mail_admins) see it.
    "filters": {"redact_secrets": {"()": "ppp.logs.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_secrets"]},
        "django.security": {"filters": ["redact_secrets"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
    },
}

# The Anti-Bullying Charter: a pledge is reviewed every CHARTER_REVIEW_MONTHS months and
# lapses when its review is overdue by more than CHARTER_LAPSE_AFTER_DAYS days.
CHARTER_REVIEW_MONTHS = env_int("CHARTER_REVIEW_MONTHS", 12)
CHARTER_LAPSE_AFTER_DAYS = env_int("CHARTER_LAPSE_AFTER_DAYS", 60)
# The annual review opens this many days before it is due (and reminders start then).
CHARTER_REVIEW_WINDOW_DAYS = env_int("CHARTER_REVIEW_WINDOW_DAYS", 60)
# Public sign-ups allowed per address per hour.
CHARTER_SIGN_UPS_PER_HOUR = env_int("CHARTER_SIGN_UPS_PER_HOUR", 5)

# The award is a traded service. Leicester's defaults, which the council changes here: the
# standard package's price in whole pounds (a bespoke package is priced by agreement), when
# the invoice is paid, and the notice period after which withdrawing is still charged.
AWARD_STANDARD_PRICE = env_int("AWARD_STANDARD_PRICE", 695)
AWARD_PAYMENT_DAYS = env_int("AWARD_PAYMENT_DAYS", 30)
AWARD_FREE_WITHDRAWAL_DAYS = env_int("AWARD_FREE_WITHDRAWAL_DAYS", 14)

# SEND Support training: a confirmed place cancelled less than TRAINING_NOTICE_DAYS days
# before the session is charged; a session below its minimum numbers
# TRAINING_MINIMUM_CHECK_DAYS days before is flagged to the officers to confirm or cancel;
# an attendee's evaluation link works for TRAINING_EVALUATION_OPEN_DAYS days.
TRAINING_NOTICE_DAYS = env_int("TRAINING_NOTICE_DAYS", 14)
TRAINING_MINIMUM_CHECK_DAYS = env_int("TRAINING_MINIMUM_CHECK_DAYS", 10)
TRAINING_EVALUATION_OPEN_DAYS = env_int("TRAINING_EVALUATION_OPEN_DAYS", 30)

# Bullying incidents. A closed record is anonymised INCIDENT_RETENTION_YEARS years after it
# closes (`manage.py apply_retention`): free text and pupil references go, the counts stay.
INCIDENT_RETENTION_YEARS = env_int("INCIDENT_RETENTION_YEARS", 6)
# The council's figures show a row (a kind of setting, an area) only when at least this many
# settings stand behind it, and the page only when this many have recorded incidents.
INCIDENT_FIGURES_MIN_SETTINGS = env_int("INCIDENT_FIGURES_MIN_SETTINGS", 3)
# Days after a term ends before its council figures are published (late records), docs/figures.md.
INCIDENT_FIGURES_DELAY_DAYS = env_int("INCIDENT_FIGURES_DELAY_DAYS", 14)
# Pupils' reports through a school's link: per address per hour, and per school per day.
INCIDENT_PUPIL_REPORTS_PER_HOUR = env_int("INCIDENT_PUPIL_REPORTS_PER_HOUR", 10)
INCIDENT_PUPIL_REPORTS_PER_SCHOOL_PER_DAY = env_int("INCIDENT_PUPIL_REPORTS_PER_SCHOOL_PER_DAY", 60)
# Pupil voice surveys: free text is removed this many days after its round closes
# (`manage.py apply_survey_retention`; the counts stay); answers accepted per device (browser
# session) per hour, and per round per day.
SURVEY_COMMENT_RETENTION_DAYS = env_int("SURVEY_COMMENT_RETENTION_DAYS", 365)
SURVEY_ANSWERS_PER_DEVICE_PER_HOUR = env_int("SURVEY_ANSWERS_PER_DEVICE_PER_HOUR", 60)
SURVEY_ANSWERS_PER_ROUND_PER_DAY = env_int("SURVEY_ANSWERS_PER_ROUND_PER_DAY", 2000)
# The incidents' covering index (PostgreSQL) has INCLUDE columns, which SQLite ignores:
# development on SQLite simply does without them (models.W040).
SILENCED_SYSTEM_CHECKS += ["models.W040"]
