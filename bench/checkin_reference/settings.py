"""Settings of the reference check-in: ``REF_DATABASE_URL`` (PostgreSQL) or ``REF_SQLITE_PATH`` (SQLite, with
the same options as huodong: WAL, ``synchronous=NORMAL``, IMMEDIATE transactions); persistent connections."""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = os.environ.get("REF_SECRET_KEY", "reference-check-in-bench-only-" + "x" * 30)
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["checkin_reference"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "checkin_reference.urls"
WSGI_APPLICATION = "checkin_reference.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_url = (
    os.environ.get("REF_DATABASE_URL") or f"sqlite:///{os.environ.get('REF_SQLITE_PATH', '/tmp/ref.sqlite3')}"
)
DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
