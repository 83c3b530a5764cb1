"""Xinfang settings, read from the environment with safe development defaults.

Production must set SECRET_KEY and PII_KEY and turn DEBUG off; the defaults below only suit a
developer's machine, and start-up refuses them when DEBUG is off.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINFANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
# Key for encrypting personal data at rest (Fernet, urlsafe base64 of 32 bytes) and for the keyed
# hashes used to match petitioners without decrypting.
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS1jaGFuZ2UtbWUtMDEyMzQ="
PII_KEY = env_str("PII_KEY", _DEV_PII_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (the development key is public).")
if not DEBUG and PII_KEY == _DEV_PII_KEY:
    raise ImproperlyConfigured("PII_KEY must be set when DEBUG is off (the development key is public).")
# Key of the event log's hash chain (HMAC-SHA256). Like PII_KEY it lives outside the database, so
# someone who can write the database cannot recompute the chain over an edited event. Keys retired
# by a rotation stay listed so events written under them still verify (docs/operations.md).
_DEV_EVENT_CHAIN_KEY = "dev-only-event-chain-key-change-me-0123456789"
EVENT_CHAIN_KEY = env_str("EVENT_CHAIN_KEY", _DEV_EVENT_CHAIN_KEY)
EVENT_CHAIN_RETIRED_KEYS = env_list("EVENT_CHAIN_RETIRED_KEYS", [])
if not DEBUG and (EVENT_CHAIN_KEY == _DEV_EVENT_CHAIN_KEY or len(EVENT_CHAIN_KEY) < 32):
    raise ImproperlyConfigured(
        "EVENT_CHAIN_KEY must be set when DEBUG is off: at least 32 characters, not the development key."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "xinfang.core",
    "xinfang.orgs",
    "xinfang.deadlines",
    "xinfang.cases",
    "xinfang.api",
    "xinfang.supervision",
    "xinfang.textintel",
    "xinfang.workbench",
    "xinfang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if str(DATABASES["default"]["NAME"]) != ":memory:":
        Path(str(DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    # One writer at a time: wait for the lock instead of failing, and take it at BEGIN so a
    # read-then-write transaction cannot deadlock against the worker.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "workbench:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese is the user's language; times are stored in UTC and shown in Beijing time.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even while DEBUG serves from the apps
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)

# 集体访: a visit by this many people or more (DOMAIN §4; not fixed by a national text).
XINFANG_COLLECTIVE_THRESHOLD = env_int("XINFANG_COLLECTIVE_THRESHOLD", 5, minimum=2)
# 《信访工作条例》第二十条: a group visit elects at most five representatives (浙江: 3 for ≤ 10 people).
XINFANG_MAX_REPRESENTATIVES = env_int("XINFANG_MAX_REPRESENTATIVES", 5, minimum=1)
XINFANG_MAX_ATTACHMENT_MB = env_int("XINFANG_MAX_ATTACHMENT_MB", 20, minimum=1)
# The deadline sweep warns this many days before a statutory period ends.
XINFANG_DUE_SOON_DAYS = env_int("XINFANG_DUE_SOON_DAYS", 3, minimum=0)
# Where the content classifier trained by `textintel_train` lives, and how far back 类案预警 looks.
XINFANG_TEXTINTEL_MODEL_DIR = env_str("XINFANG_TEXTINTEL_MODEL_DIR", str(VAR_DIR / "models" / "classifier"))
XINFANG_TEXTINTEL_ALERT_DAYS = env_int("XINFANG_TEXTINTEL_ALERT_DAYS", 30, minimum=1)
# How often a process checks whether an admin edited the calendar or the deadline rules.
XINFANG_DEADLINE_RECHECK_SECONDS = env_int("XINFANG_DEADLINE_RECHECK_SECONDS", 30, minimum=0)
# Append-only log of the event chain's heads (anchor_events); keep copies away from the database.
XINFANG_ANCHOR_DIR = env_str("XINFANG_ANCHOR_DIR", str(VAR_DIR / "anchors"))
DATA_UPLOAD_MAX_MEMORY_SIZE = (XINFANG_MAX_ATTACHMENT_MB + 1) * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
