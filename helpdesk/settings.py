"""Settings read from the environment.

The embedded default (SQLite + in-memory channel layer) needs nothing set; DATABASE_URL and REDIS_URL
move the same code onto PostgreSQL and Redis, where several Daphne processes can serve one team.
"""

import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """A key made once per checkout, so no known key ships with the code and logins survive restarts."""
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "helpdesk.http.csrf_failure"

# HTTPS=1: the site is served over TLS only, usually by a proxy that terminates it and says so in
# X-Forwarded-Proto (the proxy must set that header itself, overwriting any the client sent; README).
HTTPS = env_bool("HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Every page's own policy (django-csp): scripts and styles only from this site, nothing framed, no form
# posted elsewhere. No 'unsafe-inline' or 'unsafe-eval' for scripts: the templates carry no inline code
# (htmx's hx-on and trigger filters would need eval; static/helpdesk/app.js does that work). Styles allow
# 'unsafe-inline' because the vendored emoji picker puts a <style> into its shadow root. The widget's
# pages replace frame-ancestors ('none' here) with the channel's allowed websites (chat/embedding.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        # 'self' covers this site's own ws:// and wss:// (CSP level 3).
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "axes",
    "csp",
    "helpdesk",
    "chat",
    "transfers",
    "live",
    "reports",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpdesk.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpdesk.middleware.AgentLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
ASGI_APPLICATION = "helpdesk.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One pool per process, shared by its request threads and the consumers' database threads
    # (live/renders.py): a socket event borrows a connection for its queries instead of opening one. No
    # health check on every borrow: it is a round trip per borrow (a tenth of a message's CPU), while the
    # pool already drops a connection that comes back broken and renews each after max_lifetime. Size
    # PostgreSQL's max_connections for DATABASE_POOL_SIZE times the number of Daphne processes (README).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # No JIT: compiling a plan costs PostgreSQL up to a second (LLVM inlining and optimisation), and a
    # statement whose estimate crosses jit_above_cost gets it, the Reports' chat statement over 100,000
    # chats first (1.1 s of its 1.7 s, EXPLAIN ANALYZE). This application's statements are short; none
    # runs long enough for compiled expressions to pay that back.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 2, "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "20")), "timeout": 10},
        "options": "-c jit=off",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two atomic blocks never both read a row and then race
    # to write it; the timeout lets the loser wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # A file, not :memory:, so the Daphne process that browser tests start sees the test data; one per
    # test run, so two runs on one checkout never drop each other's tables.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"helpdesk-test-{os.getpid()}.sqlite3")
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # The pub/sub layer: a group push is one PUBLISH, received once by each process, which hands it to
    # its own sockets; the core layer would queue one copy per socket in Redis and pop each separately
    # (about 7x the CPU per socket, measured), and keep the memberships of a process that died for as
    # long as group_expiry. A process's subscriptions die with its connection. Its queues are unbounded,
    # and every consumer here drains its queue at once; a push lost while Redis is away is made good by
    # live/watchdog.py, which makes every page reconnect and resync.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # No socket timeout: a subscribed connection is quiet for as long as nothing happens.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "helpdesk"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


# The throttles' counters (chat/throttles.py). With REDIS_URL every process counts in the same Redis, so
# a script spreading its requests over several Daphnes is counted once; under the installation's own
# prefix, so two installations (or CI runs) on one Redis never add up each other's requests. The embedded
# default is one process, where its own memory is the whole count.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CHANNEL_LAYER_PREFIX", "helpdesk"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit counts in that cache. When the cache cannot answer, visitors are let through: a chat
# nobody can start is worse than a flood the queue cap still bounds (see chat/services/sessions.py).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_CACHE_PREFIX = "throttle:"

# The proxies whose X-Forwarded-For names the client (helpdesk/client_address.py): addresses or networks,
# e.g. "127.0.0.1,10.0.0.0/8". Empty: REMOTE_ADDR is the client, and the header is ignored, since any
# client can send it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {proxy!r} is not an address or a network.") from None

# Asking for a password reset link, per address: every request mails someone.
PASSWORD_RESETS_PER_HOUR = 5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins (the workspace's and the admin's: both authenticate through here) per
# username and, separately, per address; at AXES_FAILURE_LIMIT either one is locked for the cool-off time,
# even with the right password. Managers unlock in the admin (Axes > Access attempts: delete the row).
# Then our own backend (helpdesk/auth.py): Django's, with a request's user read in one query.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "helpdesk.auth.AgentBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "login"

LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("sv", _("Swedish"))]
# The team's language: records that any agent reads later (a chat's activity, a request's transcript) are
# written in it, and it greets a visitor whose browser asks for none of LANGUAGES.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times in each viewer's language, the same way on every screen (helpdesk/formats/).
FORMAT_MODULE_PATH = ["helpdesk.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app folders, so `make run` and the browser tests need no collectstatic step.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How long a workspace (an agent) or a widget (a visitor) may be gone before others are told: a reload or
# a short network drop inside it changes nothing for anyone.
PRESENCE_GRACE_SECONDS = int(os.environ.get("PRESENCE_GRACE_SECONDS", "60"))

# Longest message a visitor or an agent may send, in characters.
CHAT_MESSAGE_MAX_LENGTH = 4000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line through the console names a widget URL with its token masked (helpdesk/logs.py); Daphne's
    # own access log is masked by `python -m helpdesk.serve`.
    "filters": {"mask_visitor_tokens": {"()": "helpdesk.logs.MaskVisitorTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_visitor_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Files sent in chats: private, never under STATIC or a public MEDIA_URL; downloads go through a view
# that checks who is asking.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default; a message of 4,000 characters is far below.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helpdesk@localhost")
