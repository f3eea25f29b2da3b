"""Production settings: ``DJANGO_SETTINGS_MODULE=cchc.settings_production``.

Everything secret or site-specific comes from the environment; the process
refuses to start without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings.env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site is served under.")

# Each server process keeps its database connection between requests (opening one costs more than a submission's
# statements) unless DATABASE_CONN_MAX_AGE says otherwise; a connection found broken is replaced before use.
if not env_str("DATABASE_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer asks each application server directly, over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": STORAGES["default"],  # noqa: F405  (the folder MEDIA_ROOT, or the bucket of OBJECT_STORAGE_URL)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# The gzip and Brotli copies of the static files cost about a minute of CPU at each collectstatic; a throwaway stack
# (the fault tests) goes without them. Hashed names and WhiteNoise's caching stay.
if not env_bool("STATIC_PRECOMPRESS", True):
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
