"""Settings for every deployment: each difference comes from an environment variable.

The embedded default (no variables set) is SQLite in WAL mode under ``var/`` with keys generated
on first use into ``var/secrets/``; production sets ``QIAOLIAN_ENV=production`` and must provide
``SECRET_KEY``, ``DATABASE_URL``, ``QIAOLIAN_FIELD_KEYS`` and ``QIAOLIAN_BLIND_INDEX_KEY``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
VAR_DIR = Path(env.str("QIAOLIAN_VAR_DIR", default=str(BASE_DIR / "var")))
QIAOLIAN_ENV = env.str("QIAOLIAN_ENV", default="development")
IS_PRODUCTION = QIAOLIAN_ENV == "production"


def _local_secret(name: str, make=lambda: secrets.token_urlsafe(48)) -> str:
    """A secret kept in ``var/secrets/NAME``, made on first use (embedded default only)."""
    if IS_PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in the environment in production")
    path = VAR_DIR / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret("django-secret-key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys for personal data. QIAOLIAN_FIELD_KEYS is a comma-separated list of Fernet keys, newest
# first (older keys still decrypt, so keys can be rotated); the blind-index key makes the keyed
# hashes that let staff find a person by exact ID number or phone without decrypting anything.
QIAOLIAN_FIELD_KEYS = env.list("QIAOLIAN_FIELD_KEYS", default=[]) or [_local_secret("field-key", _fernet_key)]
QIAOLIAN_BLIND_INDEX_KEY = env.str("QIAOLIAN_BLIND_INDEX_KEY", default="") or _local_secret("blind-index-key")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    "ninja",  # its own Swagger page (static files, no inline script; else a CDN page CSP blocks)
    "qiaolian.core",
    "qiaolian.audit",
    "qiaolian.accounts",
    "qiaolian.orgs",
    "qiaolian.registry",
    "qiaolian.advocacy",
    "qiaolian.liaison",
    "qiaolian.activities",
    "qiaolian.enterprises",
    "qiaolian.casework",
    "qiaolian.aid",
    "qiaolian.contests",
    "qiaolian.portal",
    "qiaolian.reports",
    "qiaolian.search",
    "qiaolian.linkage",
    "qiaolian.privacy",
]

MIDDLEWARE = [
    "qiaolian.core.middleware.FaultMiddleware",  # database down → 503, disk full → 507
    "qiaolian.core.middleware.NulByteMiddleware",  # NUL in a query or JSON body → 400/422
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "qiaolian.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qiaolian.core.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qiaolian.accounts.middleware.IdleTimeoutMiddleware",
    "qiaolian.accounts.middleware.TwoFactorMiddleware",
    "qiaolian.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qiaolian.urls"
# Django's form renderer, with <select> drawn in Python (qiaolian/core/renderers.py).
FORM_RENDERER = "qiaolian.core.renderers.SiteFormRenderer"
WSGI_APPLICATION = "qiaolian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qiaolian.core.context_processors.navigation",
            ],
            "builtins": ["qiaolian.core.templatetags.ui"],
        },
    }
]

# Database: DATABASE_URL, or SQLite (WAL, immediate transactions so that writers queue instead of
# failing) under var/.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'qiaolian.sqlite3'}")}

# Caches. "figures" keeps computed report figures (qiaolian/reports/figures.py); it must be shared
# by every web and worker process: by default a database table (made by `qiaolian migrate`), in
# production possibly Redis (FIGURES_CACHE_URL=redis://127.0.0.1:6379/1).
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    "figures": env.cache_url("FIGURES_CACHE_URL", default="dbcache://qiaolian_figures"),
}
CACHES["figures"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50000)
QIAOLIAN_FIGURES_SECONDS = env.int("QIAOLIAN_FIGURES_SECONDS", default=15 * 60)
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
            ),
        }
    )
else:
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    _db.setdefault("CONN_HEALTH_CHECKS", True)
    _db["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
    # PostgreSQL's JIT compiles a query's expressions before running it: seconds of compiling for
    # the report queries over millions of rows that then run in a few (docs/performance.md).
    _db.setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=" + ("on" if env.bool("PG_JIT", default=False) else "off")
    )
# Memory PostgreSQL may use for the hash aggregate of one report query (a distinct count over
# millions of registrations spills to disk with the default 4 MB).
QIAOLIAN_REPORT_WORK_MEM = env.str("QIAOLIAN_REPORT_WORK_MEM", default="256MB")
# Connections that compute a document's figures side by side before it is written (PostgreSQL;
# 1: one after the other, as the text reads them). See qiaolian/reports/prefetch.py.
QIAOLIAN_REPORT_WORKERS = env.int("QIAOLIAN_REPORT_WORKERS", default=min(4, os.cpu_count() or 1))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "qiaolian.accounts.backends.PasswordBackend",  # password sign-in; permissions come from roles only
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Every account: Django's checks. Staff accounts also: 12 characters, 3 of 4 character classes,
# no keyboard runs, sequences or the site's own words (qiaolian/accounts/validators.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qiaolian.accounts.validators.StaffMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "qiaolian.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "qiaolian.accounts.validators.PredictablePatternValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failures (django-axes): per user name and address together. Wrong
# two-factor codes count too. The cool-off doubles with each lock-out of the user name within
# 24 hours (15 min, 30, 60, … at most QIAOLIAN_LOCKOUT_MAX_HOURS): qiaolian/accounts/lockout.py.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
QIAOLIAN_LOCKOUT_BASE_MINUTES = env.float("AXES_COOLOFF_HOURS", default=0.25) * 60
QIAOLIAN_LOCKOUT_MAX_HOURS = env.float("QIAOLIAN_LOCKOUT_MAX_HOURS", default=24)
AXES_COOLOFF_TIME = "qiaolian.accounts.lockout.cool_off"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# the staff page says when to try again; the portal shows its own page, in the page's language
AXES_LOCKOUT_CALLABLE = "qiaolian.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Two-factor authentication (django-otp, TOTP + recovery codes): open to every staff account,
# required for these roles (Role values; "admin" is short for district_admin). Empty: nobody.
QIAOLIAN_2FA_ENFORCED_ROLES = env.list("QIAOLIAN_2FA_ENFORCED_ROLES", default=["district_admin", "auditor"])
OTP_TOTP_ISSUER = env.str("QIAOLIAN_2FA_ISSUER", default="金山区侨联工作平台")
# Staff sessions end after this many minutes without a request (0: never).
QIAOLIAN_IDLE_MINUTES = env.int("QIAOLIAN_IDLE_MINUTES", default=30)
# Exporting or revealing personal data asks for the password again after this many minutes.
QIAOLIAN_REAUTH_MINUTES = env.int("QIAOLIAN_REAUTH_MINUTES", default=10)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
# No script reads the CSRF cookie: htmx sends the token from the page (hx-headers on <body>),
# forms and the portal's upload script from the csrfmiddlewaretoken field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the whole registrable domain (often a district government's, shared with
    # sites Qiaolian does not run) to HTTPS for good: the operator opts in, the check knows why.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): no inline script and no eval anywhere; behaviour lives
# in static files (qiaolian/static/js/qiaolian.js and friends), data for charts in
# <script type="application/json"> blocks (json_script), which are data, not script.
# style-src keeps 'unsafe-inline' because templates still use style="" attributes (widths of
# progress bars and chart boxes, the login logo) and Tabler/ECharts set element styles; CSS
# cannot run script, so this leaves script injection closed. img/media allow blob: and data:
# for the camera preview on the check-in page, upload previews and ECharts' exported images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Permissions-Policy (qiaolian/core/headers.py): the check-in desk scans QR codes with the
# camera (same origin only); no page uses microphone, location, payment or USB.
QIAOLIAN_PERMISSIONS_POLICY = env.str(
    "QIAOLIAN_PERMISSIONS_POLICY",
    default="camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
)

# Languages: Chinese is the source language of the staff interface.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
# The public portal is served under a language prefix (/zh-hans/, /zh-hant/, /en/); the staff
# site has none and keeps the language chosen with its switch (a cookie, 简体中文 by default).
PORTAL_LANGUAGES = ["zh-hans", "zh-hant", "en"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files: the local disk under MEDIA_ROOT, or with MEDIA_STORAGE=s3 a bucket of any
# S3-compatible store (AWS, MinIO, Ceph …). Either way the files are private: they are served only
# by the app's permission-checked views, which read them with storage.open (never a public URL;
# should anything ask for a URL it is signed and expires).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    _s3_endpoint = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": _s3_endpoint,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,  # none: boto3's own chain (roles)
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),  # a prefix inside the bucket
            # MinIO and most self-hosted stores want path-style addressing
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path" if _s3_endpoint else "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
            "file_overwrite": False,  # like the local disk: a second upload of a name gets a new name
        },
    }
elif MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "qiaolian.core.storage.FileSystemStorage"}  # no half-written file on a full disk
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
QIAOLIAN_IMPORT_MAX_BYTES = env.int("QIAOLIAN_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Processes that check the rows of a large import side by side (forked from the job; each
# checks a chunk of 1,000 rows at a time while the job inserts). 1: all in the job itself.
QIAOLIAN_IMPORT_WORKERS = env.int("QIAOLIAN_IMPORT_WORKERS", default=min(4, os.cpu_count() or 1))

# Background jobs: a database queue worked by `qiaolian worker` (started by `qiaolian serve`).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

COUNTRIES_FIRST = ["US", "CA", "AU", "JP", "SG", "MY", "ID", "TH", "GB", "FR", "DE", "NL", "NZ"]
COUNTRIES_FIRST_REPEAT = False

# Audit entries are kept at least this long (Cybersecurity Law Art. 21: six months).
QIAOLIAN_AUDIT_RETENTION_DAYS = env.int("QIAOLIAN_AUDIT_RETENTION_DAYS", default=365)
QIAOLIAN_DEMO_PASSWORD = env.str("QIAOLIAN_DEMO_PASSWORD", default="Jinshan@2017")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "qiaolian.core.logformat.JsonFormatter"},  # one JSON object a line
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env.str("LOG_FORMAT", default="plain")}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"qiaolian": {"level": env.str("LOG_LEVEL", default="INFO")}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Portal: verification codes go through a sender (console and e-mail here; SMS is an adapter a
# deployment adds, see qiaolian/portal/senders.py).
QIAOLIAN_CODE_SENDER = env.str("QIAOLIAN_CODE_SENDER", default="qiaolian.portal.senders.ConsoleSender")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@qiaolian.local")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# dotted path of a function send(phone_e164, text) that hands a text message to an SMS gateway
QIAOLIAN_SMS_GATEWAY = env.str("QIAOLIAN_SMS_GATEWAY", default="")
# where chunked uploads of large contest videos are assembled before they are checked and stored
QIAOLIAN_UPLOAD_DIR = env.str("QIAOLIAN_UPLOAD_DIR", default="") or str(VAR_DIR / "uploads")
SITE_TITLE = _("金山区侨联工作平台")
