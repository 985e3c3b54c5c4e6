"""The portal's clients pages driven through Django's test client against a git copy of the lab
inventory, in a process of its own (the portal's full settings): used by test_portal_clients.py.

    portal_clients_flow.py <inventory copy> <data dir> <step>
Prints one JSON object: what the pages showed.
"""
import json
import os
import re
import sys
from pathlib import Path

inventory, data, step = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
os.environ.update(DJANGO_SETTINGS_MODULE="opt_portal.settings", PORTAL_TESTING="1", PORTAL_DATA_DIR=str(data),
                  PORTAL_INVENTORY=str(inventory), PORTAL_VAULT_PASSWORD_FILE=str(inventory / "vault-password.txt"),
                  PORTAL_VAULT_ID="lab", PORTAL_STATIC_ROOT=str(data))
data.mkdir(parents=True, exist_ok=True)

# Django after the environment that makes its settings, the portal's models after django.setup().
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
call_command("migrate", verbosity=0)
from accounts.models import User  # noqa: E402

tech = User.objects.filter(email="tech@coaxis.test").first() or User.objects.create_technician("tech@coaxis.test",
                                                                                                "x" * 20, name="Tech")
browser = Client(HTTP_HOST="opt.coaxis.test")
browser.force_login(tech)
out = {}


def found(pattern, text):
    return re.findall(pattern, text, re.S)


if step == "site":
    response = browser.post("/clients/acme/sites/add/", {"name": "nantes", "host": "10.130.0.10", "port": 22,
                                                         "user": "coaxis"})
    page = browser.get(response["Location"]).content.decode()
    out["fingerprint"] = found(r'id="fingerprint">([^<]+)<', page)
    out["scanned"] = found(r'id="scanned-key">([^<]+)<', page)
    out["confirm"] = browser.post(response["Location"], {}).status_code
    response = browser.post("/clients/acme/sites/add/", {"name": "nowhere", "host": "10.129.0.1", "port": 2222,
                                                         "user": "coaxis"})
    page = browser.get(response["Location"]).content.decode()
    out["no_sshd"] = found(r'id="scan-error"><li>([^<]+)<', page)
    out["no_sshd_confirm"] = 'id="confirm-hostkey"' in page
elif step == "create":
    response = browser.post("/clients/create/", {"name": "zenith", "ip": "", "subdomain": "zenith"})
    out["status"] = response.status_code
    page = browser.get("/clients/zenith/").content.decode()
    out["public_key"] = found(r'id="public-key">([^<]+)<', page)
elif step == "list":
    page = browser.get("/clients/").content.decode()
    out["rows"] = found(r'<tr data-client="(\w+)">.*?data-state="(\w+)".*?client-ip">([^<]*)<.*?container-id">([^<]*)<',
                        page)
print(json.dumps(out))
