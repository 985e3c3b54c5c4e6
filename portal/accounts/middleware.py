"""Which client a request came through, from the client's nginx header or the host name."""
from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound

from accounts import signing

HEADER = "HTTP_X_OPT_CLIENT"
SIGNATURE = "HTTP_X_OPT_CLIENT_SIGNATURE"


class HostScopeMiddleware:
    """Sets request.portal_client: None on the back-office host, else the client's name.

    A request through a client's nginx carries X-OPT-Client (and its signature, checked when the
    portal has the signing secret): that client. Otherwise the host name decides:
    opt.<domain> is the back-office, <subdomain>.<domain> the client with that subdomain.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        client = request.META.get(HEADER)
        if client is not None:
            if not signing.valid(client, request.META.get(SIGNATURE, "")):
                return HttpResponseForbidden("X-OPT-Client: invalid signature / signature invalide")
            request.portal_client = client
            return self.get_response(request)
        host = request.get_host().rsplit(":", 1)[0].lower()
        suffix = "." + settings.PORTAL_DOMAIN
        if host == settings.PORTAL_BACKOFFICE_HOST or not host.endswith(suffix):
            request.portal_client = None
            return self.get_response(request)
        from clients.inventory import load
        found = load().by_subdomain(host[: -len(suffix)])
        if found is None:
            return HttpResponseNotFound("unknown client / client inconnu")
        request.portal_client = found.name
        return self.get_response(request)
