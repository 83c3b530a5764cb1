"""Minimal settings to serve django-helpdesk 2.6.1 for the side-by-side benchmark.

Only what its tickets, REST API, staff pages and reports need: PostgreSQL from ``HELPDESK_DATABASE_URL``
(``postgres://user@host:port/name``), DEBUG off, loopback only, no e-mail sent, no teams (pinax). Run by the helpdesk virtual environment (``bench/.helpdesk-venv``), never by Xinfang's.
"""

import os
from urllib.parse import urlsplit

_url = urlsplit(os.environ["HELPDESK_DATABASE_URL"])

SECRET_KEY = os.environ.get("HELPDESK_SECRET_KEY", "bench-only-" + "k" * 50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "helpdesk_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": _url.username or "postgres",
        "PASSWORD": _url.password or "",
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": str(_url.port or 5432),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"
# Token authentication for the API, as Xinfang's intake uses a token: HTTP basic would spend each
# request in the password hasher and measure that instead of the ticket intake.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
}
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_KB_ENABLED = True  # 2.6.1 fails to load its URLs without the knowledge base
HELPDESK_KANBAN_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
LOGIN_REDIRECT_URL = "/help/context/"  # a static page: signing in costs no report
