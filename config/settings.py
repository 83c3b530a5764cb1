"""Xinfang settings, read from the environment.

DEBUG is off unless asked for (`make run` turns it on for the demo). With DEBUG off, start-up
requires strong SECRET_KEY and PII_KEY values; the development keys below only suit a developer's
machine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from config.env import (
    env_bool,
    env_database,
    env_date,
    env_fernet_key,
    env_header,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINFANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET, strict=not DEBUG)
# Key for encrypting personal data at rest (Fernet, urlsafe base64 of 32 bytes) and for the keyed
# hashes used to match petitioners without decrypting.
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS1jaGFuZ2UtbWUtMDEyMzQ="
PII_KEY = env_fernet_key("PII_KEY", _DEV_PII_KEY, strict=not DEBUG)
# Key of the event log's hash chain (HMAC-SHA256). Like PII_KEY it lives outside the database, so
# someone who can write the database cannot recompute the chain over an edited event. Keys retired
# by a rotation stay listed so events written under them still verify (docs/operations.md).
_DEV_EVENT_CHAIN_KEY = "dev-only-event-chain-key-change-me-0123456789"
EVENT_CHAIN_KEY = env_secret("EVENT_CHAIN_KEY", _DEV_EVENT_CHAIN_KEY, strict=not DEBUG)
EVENT_CHAIN_RETIRED_KEYS = env_list("EVENT_CHAIN_RETIRED_KEYS", [])

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
    "ninja",  # its templates and static files: the API docs load Swagger UI from here, not a CDN
    # login throttling: lockouts per account and per address, with the attempts kept (named in Chinese)
    "xinfang.core.admin_names.AxesConfig",
    "django_tasks",
    # Before django-tasks-db: its `db_worker` command is replaced by xinfang.core's (core/worker.py).
    "xinfang.core",
    "xinfang.core.admin_names.TasksDbConfig",
    "xinfang.orgs",
    "xinfang.deadlines",
    "xinfang.cases",
    "xinfang.api",
    "xinfang.supervision",
    "xinfang.textintel",
    "xinfang.leadership",
    "xinfang.reception",
    "xinfang.statistics",
    "xinfang.notifications",
    "xinfang.assessment",
    "xinfang.bulletins",
    "xinfang.workbench",
    "xinfang.portal",
    "xinfang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xinfang.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinfang.core.dbrouting.RecentWriteMiddleware",  # reads after one's own write: the primary
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xinfang.api.middleware.ApiJsonErrorsMiddleware",  # /api/ errors in the API's JSON shape, even 404
    # Last: turns a lockout flagged during authentication into the login form with the message.
    "axes.middleware.AxesMiddleware",
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
    # read-then-write transaction cannot deadlock against the worker. A 64 MB page cache per
    # connection (SQLite's default is 2 MB): an import's index writes otherwise reread pages from disk.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A streaming replica for the heavy reads (statistics, exports, 类案预警: xinfang.core.dbrouting).
    _replica_url = env_str("DATABASE_REPLICA_URL", "")
    if _replica_url:
        DATABASES["replica"] = env_database("DATABASE_REPLICA_URL", _replica_url)
        # Tests run against the primary only; the replica alias then reads the same test database.
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _statement_timeout_ms = env_int("XINFANG_DB_STATEMENT_TIMEOUT_MS", 0, minimum=0)
    _pool_size = env_int("XINFANG_DB_POOL_SIZE", 0, minimum=0)
    for _db in DATABASES.values():
        _db.setdefault("OPTIONS", {})
        # The product's queries are short reads and writes; PostgreSQL's JIT compiler, which starts
        # on the larger plans (the bureau-wide lists), spent 20-40 ms compiling for a 60 ms query.
        # A statement running longer than the timeout is cancelled (0: no limit; docs/deployment.md).
        _flags = " -c jit=off" + (
            f" -c statement_timeout={_statement_timeout_ms}" if _statement_timeout_ms else ""
        )
        _db["OPTIONS"]["options"] = f"{_db['OPTIONS'].get('options', '')}{_flags}".strip()
        _db["OPTIONS"].setdefault("connect_timeout", 5)
        if _pool_size:
            # Django's psycopg 3 pool, one per process and alias, shared by its threads; with
            # CONN_HEALTH_CHECKS (on) a connection is checked as it is taken, so one the server
            # dropped is replaced, not handed out.
            _db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
            _db["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
        # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction.
        _db["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("XINFANG_DB_DISABLE_SERVER_SIDE_CURSORS", False)
DATABASE_ROUTERS = ["xinfang.core.dbrouting.PrimaryReplicaRouter"]
# The replica is used while it is at most this many seconds behind (checked this often per process);
# a browser's requests read the primary for this many seconds after its own write.
XINFANG_REPLICA_MAX_LAG_SECONDS = env_int("XINFANG_REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
XINFANG_REPLICA_CHECK_SECONDS = env_int("XINFANG_REPLICA_CHECK_SECONDS", 5, minimum=1)
XINFANG_REPLICA_STICKY_SECONDS = env_int("XINFANG_REPLICA_STICKY_SECONDS", 10, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
# The axes backend first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# The only language: LocaleMiddleware would otherwise follow the browser's Accept-Language and show
# Django's own messages (form errors, the back office) in English to a browser set to English.
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for the third-party models the back office shows (axes, django_tasks_db): locale/*.po.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# With DEBUG off WhiteNoise serves what `manage.py collectstatic` put here (hashed, compressed).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even while DEBUG serves from the apps
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
# HTTPS: browsers remember to use it (HSTS, on whenever cookies are HTTPS-only); behind a proxy that
# terminates TLS, SECURE_PROXY_SSL_HEADER names the header by which it says the request was HTTPS.
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
# Every page, asset and the API docs come from this installation (closed networks have no CDN);
# no inline script or style is allowed. data: images are Swagger UI's icons.
XINFANG_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Login throttling (django-axes): after this many failed passwords for one account, or from one
# client address, further attempts are refused for the cool-off period, even with the right password.
AXES_FAILURE_LIMIT = env_int("XINFANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("XINFANG_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the failures: it would wipe the address's count too, so one's own account
# could be used to go on guessing another's password from the same address.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept for audit, visible in the back office
AXES_LOCKOUT_CALLABLE = "xinfang.workbench.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xinfang.core.clientip.client_ip"
AXES_VERBOSE = False  # no banner on every command; failures are still logged, and kept in the database
# The citizen portal (/portal/): a signed-in citizen's session ends after this many seconds (phones
# are shared and lost); its rate limits are xinfang.portal.throttle.DEFAULT_LIMITS.
XINFANG_PORTAL_SESSION_SECONDS = env_int("XINFANG_PORTAL_SESSION_SECONDS", 2 * 3600, minimum=300)
# The client address comes from REMOTE_ADDR, or only from this header set by the trusted reverse proxy.
XINFANG_CLIENT_IP_HEADER = env_header("XINFANG_CLIENT_IP_HEADER", "")

# 集体访: a visit by this many people or more (DOMAIN §4; not fixed by a national text).
XINFANG_COLLECTIVE_THRESHOLD = env_int("XINFANG_COLLECTIVE_THRESHOLD", 5, minimum=2)
# 《信访工作条例》第二十条: a group visit elects at most five representatives (浙江: 3 for ≤ 10 people).
XINFANG_MAX_REPRESENTATIVES = env_int("XINFANG_MAX_REPRESENTATIVES", 5, minimum=1)
# The first day this installation holds records of: a received date before it is a typing slip.
# Set it earlier before importing older records (import_cases).
XINFANG_HISTORY_START = env_date("XINFANG_HISTORY_START", dt.date(2000, 1, 1))
XINFANG_MAX_ATTACHMENT_MB = env_int("XINFANG_MAX_ATTACHMENT_MB", 20, minimum=1)
# The deadline sweep warns this many days before a statutory period ends.
XINFANG_DUE_SOON_DAYS = env_int("XINFANG_DUE_SOON_DAYS", 3, minimum=0)
# Work reports (docs/statistics.md, "What a report counts"): choices no national text fixes.
# 录入及时: registered at most this many days after receipt (0: the same day).
XINFANG_ENTRY_DAYS = env_int("XINFANG_ENTRY_DAYS", 1, minimum=0)
# 一次性化解: a first-time matter closed and not repeated within this many days, nor appealed.
XINFANG_ONE_TIME_DAYS = env_int("XINFANG_ONE_TIME_DAYS", 90, minimum=0)
XINFANG_ONE_TIME_COUNT_REPEATS = env_bool("XINFANG_ONE_TIME_COUNT_REPEATS", True)
XINFANG_ONE_TIME_COUNT_APPEALS = env_bool("XINFANG_ONE_TIME_COUNT_APPEALS", True)
# PostgreSQL: the memory each grouping of a report may hash in (SET LOCAL work_mem): below it the
# planner sorts the rows instead, several times slower on a large archive (bench/statistics).
XINFANG_REPORT_WORK_MEM_MB = env_int("XINFANG_REPORT_WORK_MEM_MB", 64, minimum=4)
# A report file written for the statistics page is kept this many days, then removed with its job.
XINFANG_REPORT_JOB_KEEP_DAYS = env_int("XINFANG_REPORT_JOB_KEEP_DAYS", 7, minimum=1)
# Whether a matter whose rating window passed unrated counts as rated 满意 (DOMAIN §3, unsettled).
XINFANG_UNRATED_DEEMED_SATISFIED = env_bool("XINFANG_UNRATED_DEEMED_SATISFIED", False)
# Where the content classifier trained by `textintel_train` lives, and how far back 类案预警 looks.
XINFANG_TEXTINTEL_MODEL_DIR = env_str("XINFANG_TEXTINTEL_MODEL_DIR", str(VAR_DIR / "models" / "classifier"))
XINFANG_TEXTINTEL_ALERT_DAYS = env_int("XINFANG_TEXTINTEL_ALERT_DAYS", 30, minimum=1)
# How often a process checks whether an admin edited the calendar or the deadline rules.
XINFANG_DEADLINE_RECHECK_SECONDS = env_int("XINFANG_DEADLINE_RECHECK_SECONDS", 30, minimum=0)
# Append-only log of the event chain's heads (anchor_events); keep copies away from the database.
XINFANG_ANCHOR_DIR = env_str("XINFANG_ANCHOR_DIR", str(VAR_DIR / "anchors"))
DATA_UPLOAD_MAX_MEMORY_SIZE = (XINFANG_MAX_ATTACHMENT_MB + 1) * 1024 * 1024

# E-mail of the in-app notices (docs/workbench.md, "消息提醒"), sent by the worker. Without
# EMAIL_HOST nothing leaves the machine: the console backend prints each message to the worker's log.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST", "")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 465, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False) and not EMAIL_USE_SSL
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "信访事项办理系统 <noreply@localhost>")
# Text messages to citizens (xinfang.core.sms; docs/operations.md, "短信网关"). Without a gateway
# nothing leaves the machine: the console backend writes each message to the log.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "xinfang.core.sms.HttpGatewayBackend"
    if env_str("SMS_GATEWAY_URL", "")
    else "xinfang.core.sms.ConsoleBackend",
)
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10, minimum=1)
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms" / "outbox.jsonl"))
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "信访事项办理系统")
# Petitioners are told of each step that concerns them by SMS and e-mail (xinfang.notifications,
# docs/workbench.md "群众短信通知"); off: nothing is queued for them.
XINFANG_PETITIONER_SMS = env_bool("XINFANG_PETITIONER_SMS", True)
# The reminder to rate goes out when this many days or fewer are left of the rating window.
XINFANG_RATING_REMINDER_DAYS = env_int("XINFANG_RATING_REMINDER_DAYS", 2, minimum=0)
# The address users reach the workbench at, for the links in e-mails ("" leaves the link out).
XINFANG_SITE_URL = env_str("XINFANG_SITE_URL", "")

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
