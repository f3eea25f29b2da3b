"""Settings for cchc, read from the environment (see ``.env.example``).

``cchc.settings`` is the default for development, demos and tests;
``cchc.settings_production`` hardens it for deployment.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import cache_from_url, env_bool, env_int, env_list, env_str, storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CCHC_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-cchc-development-only-key-change-me")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "csp",
    # Before django_tasks_db: its ``db_worker`` command is replaced by one that recovers the jobs of dead workers.
    "cchc.maintenance",
    "django_tasks",
    "django_tasks_db",
    "cchc.lib",
    "cchc.audit",
    "cchc.organisations",
    "cchc.accounts",
    "cchc.indicators",
    "cchc.frameworks",
    "cchc.assessments",
    "cchc.directives",
    "cchc.imports",
    "cchc.procedures",
    "cchc.surveys",
    "cchc.inspections",
    "cchc.initiatives",
    "cchc.dashboards",
    "cchc.reports",
    "cchc.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A sent public survey form that is accepted is answered here, past only the CSRF check and the text hygiene;
    # anything else goes on through the rest (cchc/surveys/views/early.py).
    "cchc.surveys.views.early.PublicSubmitMiddleware",
    "cchc.lib.middleware.ContentSecurityPolicyMiddleware",
    # Above every middleware that may answer early, so those answers are covered too; reads request.user on the way out.
    "cchc.lib.middleware.PrivateCacheMiddleware",
    # Decides, per request, whether the read-heavy pages may read from the read replica (cchc.lib.replica).
    "cchc.lib.replica.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.lib.middleware.SessionRefreshMiddleware",
    "cchc.lib.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "cchc.lib.middleware.NFCMiddleware",
    "cchc.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A file storage that fails outside any form: the Vietnamese "storage unavailable" page, not the error page.
    "cchc.lib.storage.StorageErrorMiddleware",
    "cchc.lib.middleware.MethodNotAllowedPageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cchc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.accounts.context_processors.navigation",
            ],
        },
    },
    # The few fragments drawn with Jinja2 because they are drawn many times per page (``cchc/lib/jinja.py``): only
    # ``<app>/jinja2/`` directories, so every other template stays a Django template.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "cchc.lib.jinja.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cchc.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # The overdue-dossier index covers extra columns on PostgreSQL; SQLite keeps it as a plain index, which is fine.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# A PostgreSQL streaming replica for the read-heavy pages (dashboards, results, report figures, the public page), e.g.
# DATABASE_REPLICA_URL=postgres://cchc:password@10.0.0.2:5432/cchc; empty, everything reads from DATABASE_URL.
# Only what runs inside cchc.lib.replica.use_replica reads from it, and only while it is at most
# DATABASE_REPLICA_MAX_LAG_SECONDS behind (checked every DATABASE_REPLICA_CHECK_SECONDS per process); whoever sent
# a form reads from the primary for DATABASE_REPLICA_STICKY_SECONDS afterwards (by default the two added up, so
# their change has reached the replica by then). In tests the alias is a mirror of the test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL").strip()
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 10)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5)
DATABASE_REPLICA_STICKY_SECONDS = env_int(
    "DATABASE_REPLICA_STICKY_SECONDS", DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS
)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica.")
    # A replica that does not answer costs a request two seconds (libpq's shortest wait), then is left alone until
    # its next check.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["cchc.lib.replica.ReplicaRouter"]

# On PostgreSQL the parameters of every statement are sent apart from its text (server-side binding), and a statement
# a connection runs DATABASE_PREPARE_THRESHOLD times is prepared on it: PostgreSQL then neither parses nor plans it
# again (decision 43). DATABASE_PREPARE_THRESHOLD=0 (or behind a PgBouncer older than 1.21 in transaction mode, which
# cannot keep prepared statements): every statement parsed and planned each time, parameters still bound apart;
# DATABASE_SERVER_SIDE_BINDING=false: Django's default, the parameters put into the text by psycopg.
DATABASE_SERVER_SIDE_BINDING = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
DATABASE_PREPARE_THRESHOLD = env_int("DATABASE_PREPARE_THRESHOLD", 5)
for _alias in DATABASES:
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_SERVER_SIDE_BINDING:
        DATABASES[_alias].setdefault("OPTIONS", {})["server_side_binding"] = True
        DATABASES[_alias]["OPTIONS"]["prepare_threshold"] = DATABASE_PREPARE_THRESHOLD or None


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "cchc.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The cache holds the public survey forms' throttling counters and, with Redis, the sessions: with several server
# processes it must be shared, e.g. REDIS_URL=redis://127.0.0.1:6379/0; empty, each process has its own memory cache
# (the survey limits then apply per process) and sessions stay in the database alone.
REDIS_URL = env_str("REDIS_URL")
try:
    CACHES = cache_from_url(REDIS_URL, key_prefix=env_str("CACHE_KEY_PREFIX", "cchc"))
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
SESSION_ENGINE = "cchc.lib.sessions" if REDIS_URL else "cchc.lib.sessions.database"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Content-Security-Policy on every page (django-csp): scripts, styles and everything else only from this site's own
# files, so no inline <script>, no on…= handlers and no style= attributes (docs/deployment.md). Static files are
# served before this middleware and carry no policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sessions end after a period without activity and when the browser closes. A session is written only when it
# changes, and its idle deadline moved on at most once every SESSION_REFRESH_SECONDS (SessionRefreshMiddleware),
# not on every request. With REDIS_URL the cache is Redis and sessions are read from it, written through to the
# database, which still answers when Redis is down (cchc.lib.sessions); without it they stay in the database alone
# (cchc.lib.sessions.database), since a per-process memory cache would still hold a session that another worker has
# ended. Either store writes the session of a sign-in once, at the end of the request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 4 * 3600)
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Failed logins are throttled per account and, separately, per address (django-axes with the rules of
# cchc.accounts.lockout): an account locks after LOGIN_FAILURE_LIMIT failures from anywhere, an address after
# LOGIN_ADDRESS_FAILURE_LIMIT failures whatever accounts it tried; a success clears only its own account's failures.
AXES_HANDLER = "cchc.accounts.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_LOCKOUT_CALLABLE = "cchc.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True

# Public survey forms (cchc.surveys, docs/surveys.md): a form sent sooner than SURVEY_MIN_FILL_SECONDS after it was
# opened is refused; each network address and each device may send SURVEY_THROTTLE_PER_ADDRESS and
# SURVEY_THROTTLE_PER_DEVICE forms per SURVEY_THROTTLE_WINDOW_SECONDS (counted in the cache); a kiosk goes back to
# the start after SURVEY_KIOSK_IDLE_SECONDS without a touch and SURVEY_KIOSK_THANKS_SECONDS after a response.
SURVEY_MIN_FILL_SECONDS = env_int("SURVEY_MIN_FILL_SECONDS", 5)
SURVEY_THROTTLE_WINDOW_SECONDS = env_int("SURVEY_THROTTLE_WINDOW_SECONDS", 3600)
SURVEY_THROTTLE_PER_ADDRESS = env_int("SURVEY_THROTTLE_PER_ADDRESS", 200)
SURVEY_THROTTLE_PER_DEVICE = env_int("SURVEY_THROTTLE_PER_DEVICE", 60)
SURVEY_KIOSK_IDLE_SECONDS = env_int("SURVEY_KIOSK_IDLE_SECONDS", 90)
# The most dossiers one Excel export of the dossier list writes (about 25 MB at 300,000 rows); above it the page asks
# for a narrower filter.
DOSSIER_EXPORT_MAX_ROWS = env_int("DOSSIER_EXPORT_MAX_ROWS", 300_000)
SURVEY_KIOSK_THANKS_SECONDS = env_int("SURVEY_KIOSK_THANKS_SECONDS", 6)
# A public form's response is accepted into an inbox and stored by a background job queued to run
# SURVEY_INBOX_DELAY_SECONDS later (at most one queued per server process in that time; docs/surveys.md).
SURVEY_INBOX_DELAY_SECONDS = env_int("SURVEY_INBOX_DELAY_SECONDS", 5)
# On PostgreSQL the public form's one statement is prepared once per connection (psycopg, server-side); turn it off
# behind a PgBouncer older than 1.21 in transaction mode, which cannot keep prepared statements.
SURVEY_PREPARED_ACCEPT = env_bool("SURVEY_PREPARED_ACCEPT", True)
# On PostgreSQL the public form's statement commits without waiting for its WAL flush (a crash of the database
# server can lose the forms accepted in its last fraction of a second, never corrupt anything; docs/decisions.md §37).
# false: every accepted form is flushed to disk before the thank-you page.
SURVEY_ASYNC_ACCEPT = env_bool("SURVEY_ASYNC_ACCEPT", True)
# The salt of the respondents' fingerprints (HMAC of address and device cookie); empty: the secret key.
SURVEY_FINGERPRINT_SALT = ""
# Invitation campaigns (``cchc send_survey_reminders``): those who have not answered are reminded once a day during
# the last SURVEY_REMIND_DAYS_BEFORE days before the deadline (0: no automatic reminders), unless a campaign sets
# its own number of days.
SURVEY_REMIND_DAYS_BEFORE = env_int("SURVEY_REMIND_DAYS_BEFORE", 3)

# Personal API tokens expire this many days after they are created.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "cchc" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "cchc" / "static"]
# Besides the apps' and the project's own files, single files from installed packages (plotly's bundled JavaScript
# for the dashboards' charts): see cchc.lib.staticfiles.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "cchc.lib.staticfiles.PackageFileFinder",
]
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise expects the directory to exist even before collectstatic has run.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files (evidence, attachments, report templates, imports): the folder MEDIA_ROOT unless OBJECT_STORAGE_URL
# names an S3-compatible bucket shared by every server (cchc.lib.storage; docs/deployment.md, "Object storage").
OBJECT_STORAGE_URL = env_str("OBJECT_STORAGE_URL")
STORAGES = {
    "default": storage_from_url(OBJECT_STORAGE_URL),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: anything larger than this is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CCHC_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
# Excel imports: at most this many data rows per file; files above this size are imported by a background worker.
CCHC_IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
CCHC_IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_KB", 512) * 1024
# Dossier exports in CSV are read as a stream, so they may be much larger than other uploads.
CCHC_MAX_CSV_UPLOAD_BYTES = env_int("MAX_CSV_UPLOAD_MB", 200) * 1024 * 1024
# Dossier KPIs: a dossier finished after more supplement requests than this counts as late (0: no such rule).
CCHC_KPI_LATE_AFTER_SUPPLEMENTS = env_int("KPI_LATE_AFTER_SUPPLEMENTS", 1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cchc@localhost")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the local stack): the folder of the messages.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Task reminders (``cchc send_reminders``): days before the due date, then every N days once overdue.
CCHC_REMINDER_DAYS_BEFORE = [int(day) for day in env_list("REMINDER_DAYS_BEFORE", ["7", "3", "1"])]
CCHC_REMINDER_OVERDUE_EVERY = env_int("REMINDER_OVERDUE_EVERY_DAYS", 3)

# Background work (Django Tasks API, django-tasks backport): "database" queues jobs in the database for
# `cchc db_worker` processes, on any number of machines sharing it; "immediate" runs them at once in the caller.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database").strip().lower() or "database"
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
# A job still running this many seconds after its worker died is queued again (cchc/maintenance/task_recovery.py).
CCHC_TASK_RECOVERY_SECONDS = env_int("TASK_RECOVERY_SECONDS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The name a deployment shows in the page header (e.g. "UBND tỉnh Phú Thọ").
CCHC_SITE_NAME = env_str("CCHC_SITE_NAME", "")
# The code of the province unit this site serves (e.g. "PT"): the public page shows only its published data. Empty:
# the only root unit of kind province, in force, with units under it (cchc/organisations/province.py).
CCHC_PROVINCE_CODE = env_str("PROVINCE_CODE", "")
# The province's emblem in the header, beside its name: a path under STATIC_URL or a full URL (empty: none).
CCHC_EMBLEM = env_str("CCHC_EMBLEM", "")
# The address of the site as people reach it (e.g. https://cchc.example.gov.vn), for links in e-mails sent by
# scheduled commands, which have no request to read it from.
CCHC_PUBLIC_URL = env_str("PUBLIC_URL", "")
