"""Settings for huodong, read from environment variables.

The embedded default is SQLite (WAL, persistent connections); set ``DATABASE_URL`` for PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HUODONG_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("HUODONG_DEBUG", False)
# A declared development mode (``make run`` sets it): only then may ``huodong serve`` start with the
# built-in key below. Its "django-insecure-" prefix also makes ``check --deploy`` flag it (security.W009).
HUODONG_DEV = _env_bool("HUODONG_DEV", False)
DEVELOPMENT_SECRET_KEY = "django-insecure-huodong-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("HUODONG_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [
    h for h in os.environ.get("HUODONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HUODONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "huodong.core",
    "huodong.events",
    "huodong.planning",
    "huodong.preparation",
    "huodong.outreach",
    "huodong.checkin",
    "huodong.onsite.rehearsal",
    "huodong.onsite.show",
    "huodong.onsite.interaction",
    "huodong.onsite.incidents",
    "huodong.onsite.live",
    "huodong.documents",
    "ninja",  # django-ninja's Swagger UI assets, served locally for /api/docs (no CDN)
    "huodong.api",
    "huodong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "huodong.core.middleware.ChineseFirstLocaleMiddleware",
    "huodong.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huodong.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "huodong.core.exceptions.DatabaseTroubleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "huodong.urls"
WSGI_APPLICATION = "huodong.wsgi.application"
ASGI_APPLICATION = "huodong.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huodong.core.context_processors.huodong",
                "huodong.planning.context_processors.inbox",
                "huodong.preparation.context_processors.my_tasks",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'huodong.sqlite3'}"
if not os.environ.get("DATABASE_URL"):
    # The embedded database lives in the data directory: create it on first use rather than fail to open.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Writers queue on a lock that hands over at once, not in SQLite's sleeping busy handler
    # (huodong/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "huodong.core.sqlite"
    # The tests' database stays in memory (one per test process): said outright, since pytest-django
    # recognises an SQLite database by the engine's name and would otherwise make a file name of the path.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "events:list"
LOGOUT_REDIRECT_URL = "core:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first: 简体中文 is the default, English is the switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["huodong.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# Front-end libraries from the npm registry (package.json, `make assets`), served locally under
# /static/vendor/<name>/: htmx; jsQR (the scanner page decodes QR codes from the camera and from photos) and
# @noble/ed25519 (it verifies ticket signatures offline). A missing folder is skipped.
_node_modules = Path(os.environ.get("HUODONG_NODE_MODULES", BASE_DIR.parent.parent / "node_modules"))
for _prefix, _folder in (
    ("vendor/htmx", _node_modules / "htmx.org" / "dist"),
    ("vendor/jsqr", _node_modules / "jsqr" / "dist"),
    ("vendor/noble-ed25519", _node_modules / "@noble" / "ed25519"),
    ("vendor/chartjs", _node_modules / "chart.js" / "dist"),  # the live dashboard's chart (onsite_live)
):
    if _folder.is_dir():
        STATICFILES_DIRS.append((_prefix, _folder))
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("HUODONG_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: attachments of a plan (floor plan, materials list) — size and kinds allowed.
HUODONG_MAX_UPLOAD_BYTES = int(os.environ.get("HUODONG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
# The request-body limit of the app (core.middleware.RequestSizeLimitMiddleware answers 413): every body,
# and a body that is not a file upload (JSON, form fields). Keep the proxy's limit at least as large.
HUODONG_MAX_REQUEST_BYTES = int(
    os.environ.get("HUODONG_MAX_REQUEST_BYTES", HUODONG_MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("HUODONG_MAX_FORM_BYTES", 5 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads go to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 20

TASKS = {
    "default": {
        "BACKEND": os.environ.get("HUODONG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Outreach (issue 9): where the links in messages point, and the channels. Every base URL is a setting so
# tests point it at a local server. See docs/deployment.md.
HUODONG_PUBLIC_URL = os.environ.get("HUODONG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
HUODONG_CALENDAR_DOMAIN = os.environ.get("HUODONG_CALENDAR_DOMAIN", "huodong.local")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# "smtp" sends through the server below; "file" writes .eml files under HUODONG_OUTBOX_DIR/email (the
# development default when no SMTP host is set, so `make run` delivers somewhere you can look).
HUODONG_EMAIL_BACKEND = os.environ.get("HUODONG_EMAIL_BACKEND") or (
    "file" if HUODONG_DEV and not os.environ.get("HUODONG_SMTP_HOST") else "smtp"
)
EMAIL_HOST = os.environ.get("HUODONG_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("HUODONG_SMTP_PORT", 1025))
EMAIL_HOST_USER = os.environ.get("HUODONG_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HUODONG_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("HUODONG_SMTP_STARTTLS", False)
EMAIL_USE_SSL = _env_bool("HUODONG_SMTP_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("HUODONG_SMTP_TIMEOUT", 20))
DEFAULT_FROM_EMAIL = os.environ.get("HUODONG_FROM_EMAIL", "huodong <events@huodong.local>")
# SMS and the WeChat official account: "console" writes to the log, "file" to a file under the data
# directory (the development default), "http" posts to the provider's base URL with the key (the production
# default: without a base URL every message is dead-lettered with "HUODONG_SMS_BASE_URL is not set", so an
# unconfigured provider shows on the 消息 tab instead of messages silently "sent" to a file).
HUODONG_SMS_BACKEND = os.environ.get("HUODONG_SMS_BACKEND") or ("file" if HUODONG_DEV else "http")
HUODONG_SMS_BASE_URL = os.environ.get("HUODONG_SMS_BASE_URL", "")
HUODONG_SMS_KEY = os.environ.get("HUODONG_SMS_KEY", "")
HUODONG_SMS_SIGN = os.environ.get("HUODONG_SMS_SIGN", "活动")
HUODONG_WECHAT_BACKEND = os.environ.get("HUODONG_WECHAT_BACKEND") or ("file" if HUODONG_DEV else "http")
HUODONG_WECHAT_BASE_URL = os.environ.get("HUODONG_WECHAT_BASE_URL", "")
HUODONG_WECHAT_KEY = os.environ.get("HUODONG_WECHAT_KEY", "")
HUODONG_WECHAT_TEMPLATE_ID = os.environ.get("HUODONG_WECHAT_TEMPLATE_ID", "")
HUODONG_OUTBOX_DIR = Path(os.environ.get("HUODONG_OUTBOX_DIR", DATA_DIR / "outbox"))
# Group robots (DESIGN.md, "Robot webhooks"): the providers' addresses.
HUODONG_WECOM_BASE_URL = os.environ.get("HUODONG_WECOM_BASE_URL", "https://qyapi.weixin.qq.com")
HUODONG_DINGTALK_BASE_URL = os.environ.get("HUODONG_DINGTALK_BASE_URL", "https://oapi.dingtalk.com")
HUODONG_FEISHU_BASE_URL = os.environ.get("HUODONG_FEISHU_BASE_URL", "https://open.feishu.cn")
# The worker: attempts before a message is dead-lettered, the first retry delay (doubling), per-channel
# rate limits (messages a second; robots also keep their own per-minute limits).
HUODONG_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("HUODONG_OUTBOX_MAX_ATTEMPTS", 5))
HUODONG_OUTBOX_RETRY_SECONDS = float(os.environ.get("HUODONG_OUTBOX_RETRY_SECONDS", 30))
HUODONG_OUTBOX_LEASE_SECONDS = int(os.environ.get("HUODONG_OUTBOX_LEASE_SECONDS", 120))
HUODONG_OUTBOX_RATES = {
    "email": float(os.environ.get("HUODONG_RATE_EMAIL", 50)),
    "sms": float(os.environ.get("HUODONG_RATE_SMS", 20)),
    "wechat": float(os.environ.get("HUODONG_RATE_WECHAT", 20)),
    "robot": float(os.environ.get("HUODONG_RATE_ROBOT", 5)),
}
# PIPL: guest data is kept this many days after the event ends, then anonymised (the worker sweeps hourly).
HUODONG_GUEST_RETENTION_DAYS = int(os.environ.get("HUODONG_GUEST_RETENTION_DAYS", 180))
# Public registration pages: submissions an address may make in the window before it must wait.
HUODONG_REGISTRATIONS_PER_ADDRESS = int(os.environ.get("HUODONG_REGISTRATIONS_PER_ADDRESS", 10))
HUODONG_REGISTRATION_WINDOW = dt.timedelta(
    minutes=int(os.environ.get("HUODONG_REGISTRATION_WINDOW_MINUTES", 10))
)

# Production behind HTTPS (docs/deployment.md lists the variables; ``check --deploy`` is clean with them).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("HUODONG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _env_bool("HUODONG_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("HUODONG_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HUODONG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("HUODONG_HSTS_PRELOAD", False)
if _env_bool("HUODONG_BEHIND_HTTPS_PROXY", False):
    # The proxy terminates TLS and says so; it must overwrite (never pass on) the client's header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): HUODONG_CSP=1 sends the policy
# below; any other value is sent as the policy itself. Everything is served by the app (no CDN).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_csp = os.environ.get("HUODONG_CSP", "").strip()
if _csp.lower() in {"", "0", "false", "no", "off"}:
    HUODONG_CSP = ""
elif _csp.lower() in {"1", "true", "yes", "on"}:
    HUODONG_CSP = DEFAULT_CSP
else:
    HUODONG_CSP = _csp
HUODONG_CSP_REPORT_ONLY = _env_bool("HUODONG_CSP_REPORT_ONLY", False)

# Signing in (core.services.login_authenticate): failed attempts per account and per address within the
# window before they must wait. Behind a reverse proxy, name the header that carries the client's address.
HUODONG_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("HUODONG_LOGIN_FAILURES_PER_ACCOUNT", 5))
HUODONG_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("HUODONG_LOGIN_FAILURES_PER_ADDRESS", 20))
HUODONG_LOGIN_WINDOW = dt.timedelta(minutes=int(os.environ.get("HUODONG_LOGIN_WINDOW_MINUTES", 15)))
HUODONG_CLIENT_IP_HEADER = os.environ.get("HUODONG_CLIENT_IP_HEADER", "")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HUODONG_LOG_LEVEL", "WARNING")},
}

HUODONG_ORGANISATION_DEFAULT_NAME = _("示例科技有限公司")
