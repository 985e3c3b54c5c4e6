"""Login throttling: after settings.PORTAL_LOGIN_ATTEMPTS failed logins within
settings.PORTAL_LOGIN_WINDOW seconds, for one account or from one client address, further
attempts are refused before any password is checked.

The failures are kept in Django's cache (the database cache: every server process sees the same
counts), one entry per account and one per address, each a list of failure times (a sliding
window). A successful login clears the account's failures, not the address's. The cache has no
atomic update: attempts in flight at the same instant may each see the same count, so a parallel
burst can pass the limit by the number of attempts in flight, once.

The client address is REMOTE_ADDR, unless the request comes from a trusted proxy
(settings.PORTAL_TRUSTED_PROXIES: the edge, the clients' nginx): then it is the last
X-Forwarded-For entry, the one the edge appended (the edge uses $proxy_add_x_forwarded_for, the
clients' nginx pass the header on unchanged). Entries left of it come from the browser and can be
forged; they are never used.
"""
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

PREFIX = "opt-login-failures"


def _trusted(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.PORTAL_TRUSTED_PROXIES)


def client_address(request):
    """The address of the browser: see the module's docstring."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _trusted(remote):
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            try:
                return str(ipaddress.ip_address(hops[-1]))
            except ValueError:
                pass
    return remote


def _keys(username, address):
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()
    return [f"{PREFIX}:account:{account}", f"{PREFIX}:address:{address}"]


def _recent(key, now):
    window = settings.PORTAL_LOGIN_WINDOW
    return [t for t in (cache.get(key) or []) if t > now - window]


def blocked(username, address):
    """True when the account or the address has used up its failed attempts."""
    now = time.time()
    return any(len(_recent(key, now)) >= settings.PORTAL_LOGIN_ATTEMPTS for key in _keys(username, address))


def failed(username, address):
    """Count one failed login for the account and for the address; returns which of the two
    ("account", "address") this failure blocked (reached the limit)."""
    now = time.time()
    reached = []
    for kind, key in zip(("account", "address"), _keys(username, address)):
        count = len(_recent(key, now)) + 1
        cache.set(key, _recent(key, now) + [now], timeout=settings.PORTAL_LOGIN_WINDOW)
        if count == settings.PORTAL_LOGIN_ATTEMPTS:
            reached.append(kind)
    return reached


def succeeded(username):
    """A successful login forgets the account's failures (the address's stay)."""
    cache.delete(_keys(username, "")[0])
