"""Settings for Newsroom, read from environment variables with safe defaults.

One module serves development, tests and production: what differs between them
is only what the environment says, so a test run exercises the settings that
production uses. Every value is read through newsroom.env, whose errors name the
variable that could not be read.
"""

import hashlib
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom import env
from newsroom.bootstrap import data_dir, database_url, secret_key_file

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()


def read_secret_key():
    """DJANGO_SECRET_KEY, else the key newsroom.bootstrap keeps in the data folder.

    A key kept on disk survives restarts (sessions stay valid). Where nothing
    was prepared (the settings imported bare, as in a test run) the key is a
    random one for this process alone: importing the settings writes nothing,
    and no well-known default ever signs anything.
    """
    key = env.text("DJANGO_SECRET_KEY")
    if key:
        return key
    try:
        return secret_key_file().read_text().strip()
    except FileNotFoundError:
        return secrets.token_urlsafe(50)


SECRET_KEY = read_secret_key()
DEBUG = env.flag("DJANGO_DEBUG")
ALLOWED_HOSTS = env.items("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env.items("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "reversion",
    "axes",
    "ninja",  # the read API's reference page (its templates and Swagger UI assets, served as static files)
    "articles",
]

MIDDLEWARE = [
    "newsroom.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.db_router.ReadDatabaseMiddleware",
    "articles.middleware.SchedulerMiddleware",
    "articles.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Admin logins: locked for a while after repeated failures (django-axes), counted per username and
# address together, with the same message whether or not the username exists.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.integer("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.number("NEWSROOM_LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

# The reader-facing pages are Jinja2 templates (templates/jinja2/, see
# articles/templating.py); the admin and its overrides use Django's.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.templating.environment",
            "context_processors": ["articles.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]


def database_config(url):
    """Build a DATABASES entry from a URL; SQLite gets WAL and a busy timeout.

    WAL lets readers carry on while an import writes; IMMEDIATE transactions
    take the write lock up front, so two writers queue on the busy timeout
    instead of failing with "database is locked" half way through.
    """
    config = dj_database_url.parse(url, conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 60))
    read_only = env.flag("NEWSROOM_DATABASE_READ_ONLY")  # maintenance: reads work, writes are refused
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0 if config["NAME"] == ":memory:" else config["CONN_MAX_AGE"]
        max_pages = env.integer("NEWSROOM_SQLITE_MAX_PAGES", None)  # an optional cap on the file's size
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA temp_store=MEMORY;"
                + (f"PRAGMA max_page_count={max_pages};" if max_pages is not None else "")
                + ("PRAGMA query_only=ON;" if read_only else "")
            ),
        }
    elif read_only:
        config.setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"
    return config


DATABASE_URL = database_url()
DATABASES = {"default": database_config(DATABASE_URL)}
# Read replicas: reads go to them, writes (and the admin, and imports) to the primary.
REPLICA_ALIASES = []
for number, url in enumerate(env.items("REPLICA_DATABASE_URLS"), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = {**database_config(url), "TEST": {"MIRROR": "default"}}
    REPLICA_ALIASES.append(alias)
DATABASE_ROUTERS = ["newsroom.db_router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must name SQLite or PostgreSQL.")


def cache_config(url):
    """Map CACHE_URL to a Django cache: locmem:// (default), redis://, dummy://."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": url}
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url[9:] or "newsroom",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    raise ImproperlyConfigured(f"CACHE_URL {url!r} is not locmem://, redis:// or dummy://.")


CACHES = {"default": cache_config(env.text("CACHE_URL", "locmem://"))}
# Cached pages are keyed by a generation number kept in the database; two
# sites (or staging and production) sharing one Redis would reuse each
# other's numbers. Keys are therefore prefixed with the database's identity.
_database = DATABASES["default"]
CACHES["default"]["KEY_PREFIX"] = env.text("CACHE_KEY_PREFIX") or hashlib.sha256(
    "|".join(str(_database.get(part) or "") for part in ("ENGINE", "HOST", "PORT", "NAME")).encode()
).hexdigest()[:12]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env.text("NEWSROOM_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.text("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.flag("NEWSROOM_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve files straight from the finders when there is no collected STATIC_ROOT
# (tests, a developer's checkout); production runs collectstatic first.
WHITENOISE_USE_FINDERS = not STATIC_ROOT.exists()
WHITENOISE_AUTOREFRESH = DEBUG

# Security: safe by default, stricter when served over HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
HTTPS = env.flag("NEWSROOM_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.flag("NEWSROOM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.integer("NEWSROOM_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS


NEWSROOM_PROXY_COUNT = env.integer("NEWSROOM_PROXY_COUNT", 1)
if NEWSROOM_PROXY_COUNT < 1:
    raise ImproperlyConfigured("NEWSROOM_PROXY_COUNT must be 1 or more (the proxies in front of Newsroom).")
if env.flag("NEWSROOM_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "newsroom.proxy.forwarded_client_ip"  # axes reads REMOTE_ADDR otherwise

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# The name readers see at the root of every breadcrumb and in the header.
NEWSROOM_SITE_NAME = env.text("NEWSROOM_SITE_NAME", "Recipe Complete Network")
NEWSROOM_MAX_IMAGE_BYTES = env.integer("NEWSROOM_MAX_IMAGE_BYTES", 15 * 1024 * 1024)
NEWSROOM_MAX_IMAGE_PIXELS = env.integer("NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NEWSROOM_PREVIEW_MAX_AGE = env.integer("NEWSROOM_PREVIEW_MAX_AGE", 7 * 24 * 3600)
NEWSROOM_PAGE_CACHE = env.flag("NEWSROOM_PAGE_CACHE", True)
# HTTP caches in front (Varnish with deploy/varnish.vcl) that changes purge by surrogate key; none: no purging.
NEWSROOM_HTTP_CACHE_URLS = env.items("NEWSROOM_HTTP_CACHE_URLS")
NEWSROOM_PAGE_SIZE = env.integer("NEWSROOM_PAGE_SIZE", 20)
# The site's public origin (scheme and host, e.g. https://news.example.com): every absolute URL a
# page, feed or sitemap carries is built from it. Unset, the request's validated host is used, and
# the page cache keys pages by it.
NEWSROOM_SITE_URL = env.text("NEWSROOM_SITE_URL").strip().rstrip("/")
# What one admin import upload may hold in all (its files together).
NEWSROOM_MAX_IMPORT_UPLOAD_BYTES = env.integer("NEWSROOM_MAX_IMPORT_UPLOAD_BYTES", 50 * 1024 * 1024)

# Webhooks (articles/webhooks/): each POST's timeout in seconds, the first retry's delay (doubled after each
# failure), how many attempts before a delivery is marked failed, and networks that may be called although
# they are private (e.g. 10.0.0.0/8 for a receiver inside the newsroom's own network; the tests allow 127.0.0.0/8).
NEWSROOM_WEBHOOK_TIMEOUT = env.number("NEWSROOM_WEBHOOK_TIMEOUT", 10)
NEWSROOM_WEBHOOK_RETRY_SECONDS = env.number("NEWSROOM_WEBHOOK_RETRY_SECONDS", 30)
NEWSROOM_WEBHOOK_MAX_ATTEMPTS = env.integer("NEWSROOM_WEBHOOK_MAX_ATTEMPTS", 8)
NEWSROOM_WEBHOOK_ALLOW_NETWORKS = env.items("NEWSROOM_WEBHOOK_ALLOW_NETWORKS")
# WebSub hubs the feeds name (<link rel="hub">) and the worker pings on publish; needs NEWSROOM_SITE_URL.
NEWSROOM_WEBSUB_HUBS = env.items("NEWSROOM_WEBSUB_HUBS")

LOG_FORMAT = env.text("NEWSROOM_LOG_FORMAT", "json")  # or "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsroom.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "newsroom.observability.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": env.text("NEWSROOM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
