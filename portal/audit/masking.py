"""What an audit entry may show: secrets replaced by placeholders before anything is saved.

Reuses the collection's own masks where they exist: the private key placeholder of diff mode
(module_utils/_configplan.py: key_placeholder) and the X-OPT-Client signature's
(module_utils/_clientsig.py: mask). Also masked: Ansible vault blocks, the values of keys that
name a password, passphrase, secret or token (a ``{{ vault_... }}`` reference stays: it names a
secret, it is not one), and the portal's own secrets (signing secret, vault password) wherever
they appear.
"""
import hashlib
import re
from pathlib import Path

from django.conf import settings

from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig
from ansible_collections.coaxis.opt.plugins.module_utils._configplan import key_placeholder

MASK = "********"
PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|\Z)", re.DOTALL)
# A vault block: its header, then lines of hex (indented in YAML, maybe prefixed by a diff's +/-).
VAULT_RE = re.compile(r"\$ANSIBLE_VAULT;[^\n]*(?:\n[ \t+\-]*[0-9a-fA-F]+[ \t]*(?=\n|\Z))*")
SECRET_VALUE_RE = re.compile(
    r"(?P<key>[\w.-]*(?:password|passwd|passphrase|secret|token)[\w.-]*[\"']?[ \t]*[:=][ \t]*)"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]*)(?P=quote)|(?P<value>[^\s\"',}]+))", re.IGNORECASE)


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def _secret_value(match):
    quote = match.group("quote") or ""
    value = match.group("quoted") if quote else match.group("value")
    if not value or value.startswith(("{{", "!vault", "<", "$ANSIBLE_VAULT", "|", ">")) or value == MASK:
        return match.group(0)
    return match.group("key") + quote + MASK + quote


def _file_secret(path):
    try:
        return Path(path).read_text().strip() if path else ""
    except OSError:
        return ""


def mask(text):
    """text with every secret it holds replaced by a placeholder."""
    if not text:
        return text or ""
    text = str(text)
    text = PRIVATE_KEY_RE.sub(lambda m: key_placeholder(m.group(0)).rstrip("\n"), text)
    text = VAULT_RE.sub(lambda m: "<vault: sha256 %s>" % _digest(m.group(0)), text)
    text = _clientsig.mask(text)
    for name, path in (("signing secret", settings.PORTAL_SIGNING_SECRET_FILE),
                       ("vault password", settings.PORTAL_VAULT_PASSWORD_FILE)):
        secret = _file_secret(path)
        if len(secret) >= 8:
            text = text.replace(secret, f"<{name}>")
    return SECRET_VALUE_RE.sub(_secret_value, text)
