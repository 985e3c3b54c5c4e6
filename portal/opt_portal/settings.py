"""The portal's settings, every one from the environment (documented in portal/README.md).

Defaults make a development or test run work with nothing set: SQLite under PORTAL_DATA_DIR, the
lab inventory, no vault secret. A deployment (roles/opt_portal) sets them all.
"""
import os
from ipaddress import ip_network
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PORTAL_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(os.environ.get("PORTAL_PROJECT_DIR", PORTAL_DIR.parent))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database(url, data_dir):
    """SQLite in data_dir unless PORTAL_DATABASE_URL names PostgreSQL (postgresql://user:pw@host:port/db)."""
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / "portal.sqlite3"),
                "OPTIONS": {"timeout": 20}}
    from urllib.parse import unquote, urlsplit
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"PORTAL_DATABASE_URL: unsupported scheme {parts.scheme!r} (postgresql:// only)")
    return {"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
            "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "", "PORT": str(parts.port or ""), "CONN_MAX_AGE": 60}


def env_or_file(name, default=""):
    """NAME from the environment, else the content of the file NAME_FILE names (how a deployment
    passes secrets: the environment shows in `docker inspect` and in ansible-runner's artifacts)."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from exc
    return default


DEBUG = env_bool("PORTAL_DEBUG")
DATA_DIR = Path(env("PORTAL_DATA_DIR", PROJECT_DIR / "build" / "portal"))
SECRET_KEY = env_or_file("PORTAL_SECRET_KEY") or (
    "insecure-development-only" if DEBUG or env_bool("PORTAL_TESTING") else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("PORTAL_SECRET_KEY is not set (a long random string, kept out of git)")

# --- what the portal serves and trusts ------------------------------------------------------
# opt.<domain> is the back-office; <subdomain>.<domain> reaches it through the client's nginx.
PORTAL_DOMAIN = env("PORTAL_DOMAIN", "coaxis.test")
PORTAL_BACKOFFICE_HOST = env("PORTAL_BACKOFFICE_HOST", f"opt.{PORTAL_DOMAIN}")
# The secret the clients' nginx sign X-OPT-Client with (opt_admin_signing_secret), as a file.
PORTAL_SIGNING_SECRET_FILE = env("PORTAL_SIGNING_SECRET_FILE", "")
ALLOWED_HOSTS = [f".{PORTAL_DOMAIN}", "localhost", "127.0.0.1", "testserver"] + env_list("PORTAL_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = [f"https://*.{PORTAL_DOMAIN}", f"https://{PORTAL_DOMAIN}"] + env_list("PORTAL_CSRF_ORIGINS")
# The edge terminates TLS and says so in X-Forwarded-Proto; the client's nginx passes it on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True

# --- the inventory, the playbooks, the vault -------------------------------------------------
# The inventory is a git working copy; the portal writes host_vars/<client>/main.yml and commits.
PORTAL_INVENTORY = Path(env("PORTAL_INVENTORY", PROJECT_DIR / "inventories" / "lab"))
# Push after each commit when the working copy has this remote (empty: commit only).
PORTAL_GIT_REMOTE = env("PORTAL_GIT_REMOTE", "")
# The playbooks run by ansible-runner (the project's own), and the collection they use.
PORTAL_PLAYBOOKS = Path(env("PORTAL_PLAYBOOKS", PROJECT_DIR / "playbooks"))
PORTAL_ANSIBLE_CONFIG = env("PORTAL_ANSIBLE_CONFIG", str(PROJECT_DIR / "ansible.cfg"))
# The vault secret the portal encrypts new keys with and runs the playbooks with: a file (0400)
# and its vault id label.
PORTAL_VAULT_PASSWORD_FILE = env("PORTAL_VAULT_PASSWORD_FILE", "")
PORTAL_VAULT_ID = env("PORTAL_VAULT_ID", "portal")
# Extra environment for the playbooks (KEY=VALUE,KEY=VALUE), e.g. the lab's LAB_SOCK.
PORTAL_JOB_ENV = dict(item.split("=", 1) for item in env_list("PORTAL_JOB_ENV") if "=" in item)
# Where each job's ansible-runner directory and the status reports go.
PORTAL_JOBS_DIR = Path(env("PORTAL_JOBS_DIR", DATA_DIR / "jobs"))
# A job running longer than this is stopped and marked failed (seconds).
PORTAL_JOB_TIMEOUT = int(env("PORTAL_JOB_TIMEOUT", "1800"))

# --- Django --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "accounts",
    "clients",
    "jobs",
    "audit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "accounts.middleware.HostScopeMiddleware",
]
ROOT_URLCONF = "opt_portal.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [PORTAL_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "accounts.context_processors.scope",
    ]},
}]
WSGI_APPLICATION = "opt_portal.wsgi.application"
DATABASES = {"default": database(env_or_file("PORTAL_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Throttling counts live in the database, so every server process sees the same counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Failed logins allowed per account and per address within PORTAL_LOGIN_WINDOW seconds.
PORTAL_LOGIN_ATTEMPTS = int(env("PORTAL_LOGIN_ATTEMPTS", "5"))
PORTAL_LOGIN_WINDOW = int(env("PORTAL_LOGIN_WINDOW", "900"))
# The proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated: the
# edge, and the client network the clients' nginx send from). From one of them, the client's
# address is the last X-Forwarded-For entry (the one the edge appended); otherwise REMOTE_ADDR.
PORTAL_TRUSTED_PROXIES = [ip_network(item, strict=False) for item in env_list("PORTAL_TRUSTED_PROXIES")]
# Sessions end after this many idle seconds, and when the browser closes.
SESSION_COOKIE_AGE = int(env("PORTAL_SESSION_AGE", "28800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PORTAL_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME = "opt_session"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [PORTAL_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("PORTAL_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("PORTAL_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [PORTAL_DIR / "static"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("PORTAL_LOG_LEVEL", "INFO")},
    # The tests ask for hundreds of refused pages on purpose: only errors are worth a line.
    "loggers": {name: {"level": "ERROR"} for name in ("django.request", "django.security.csrf")}
    if env_bool("PORTAL_TESTING") else {},
}
