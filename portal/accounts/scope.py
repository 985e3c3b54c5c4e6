"""The one permission layer of the portal. Every view names what it needs through one of the
decorators below; tests/test_scope_walk.py walks every URL pattern as every role and fails on a
view that has none.

A client administrator reaches only their own client; anything else answers 404, so a guessed
name or id says nothing. The host a request came through (opt.<domain>, or a client's
<subdomain>.<domain> with its signed X-OPT-Client) only narrows what the user may reach.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

# Set on each view function by the decorators: "public", "user", "client", "technician".
SCOPE_ATTR = "portal_scope"


def host_client(request):
    """The client this request came through (None on the back-office host)."""
    return getattr(request, "portal_client", None)


def may_reach(request, client):
    user = request.user
    if not user.is_authenticated or not user.may_manage(client):
        return False
    narrowed = host_client(request)
    return narrowed is None or narrowed == client


def may_use_backoffice(request):
    user = request.user
    return user.is_authenticated and user.is_active and user.is_technician and host_client(request) is None


def reachable_clients(request, names):
    return [name for name in names if may_reach(request, name)]


def _mark(view, scope):
    setattr(view, SCOPE_ATTR, scope)
    return view


def _login_first(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)
    return wrapper


def public_view(view):
    """No login needed (the login page, the language switch)."""
    return _mark(view, "public")


def user_view(view):
    """Any logged-in user; the view itself shows only what the user may reach."""
    return _mark(_login_first(view), "user")


def client_exists(name):
    from clients.inventory import load
    return bool(name) and load().client(name) is not None


def client_view(view):
    """A view of one client, named by the URL's ``client`` argument: 404 unless reachable and in
    the inventory (a technician reaches every client, not every name)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_reach(request, kwargs.get("client")) or not client_exists(kwargs.get("client")):
            raise Http404
        return view(request, *args, **kwargs)
    return _mark(_login_first(wrapper), "client")


def technician_view(view):
    """Back-office only: technicians on the back-office host; 404 for everyone else (and for a
    ``client`` URL argument the inventory lacks)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_use_backoffice(request):
            raise Http404
        if "client" in kwargs and not client_exists(kwargs["client"]):
            raise Http404
        return view(request, *args, **kwargs)
    return _mark(_login_first(wrapper), "technician")
