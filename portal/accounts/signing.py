"""X-OPT-Client's signature, checked with the collection's own verifier (_clientsig)."""
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig


@lru_cache(maxsize=1)
def _secret(path):
    return Path(path).read_text().strip() if path else ""


def valid(client, signature):
    """True when the portal has no signing secret (nothing to check) or the signature matches."""
    secret = _secret(settings.PORTAL_SIGNING_SECRET_FILE)
    return not secret or _clientsig.verify(secret, client, signature)
