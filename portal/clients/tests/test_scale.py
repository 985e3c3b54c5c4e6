"""The technician's client list costs the same number of SQL queries with 5 clients as with 500:
the clients come from the inventory (cached), their states from one engine read per Docker host,
never one query per client. bench/portal.py times it; this test bounds it."""
import ipaddress
import shutil
import tempfile
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.tests.helpers import BACKOFFICE, PASSWORD, git, make_users

QUERY_BOUND = 10


def inventory_of(parent, count):
    """The lab inventory plus `count` clients like acme; its engine a socket nobody serves."""
    root = Path(parent) / f"inv{count}"
    lab = settings.PROJECT_DIR / "inventories" / "lab"
    shutil.copytree(lab, root)
    hosts = yaml.safe_load((root / "hosts.yml").read_text())
    group = hosts["all"]["children"]["opt_clients"]["hosts"]
    main = (lab / "host_vars" / "acme" / "main.yml").read_text()
    vault = (lab / "host_vars" / "acme" / "vault.yml").read_text()
    for k in range(count):
        name = f"cl{k:05d}"
        group[name] = None
        folder = root / "host_vars" / name
        folder.mkdir()
        address = ipaddress.ip_address("10.128.1.0") + k
        (folder / "main.yml").write_text(main.replace("10.128.0.10", str(address))
                                         .replace("opt_subdomain: acme", f"opt_subdomain: {name}"))
        (folder / "vault.yml").write_text(vault)
    (root / "hosts.yml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    docker_hosts = root / "group_vars" / "docker_hosts.yml"
    docker_hosts.write_text(docker_hosts.read_text().replace(
        "opt_docker_url:", f"opt_docker_url: unix://{parent}/no-engine.sock\nopt_unused_docker_url:", 1))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "inventory")
    return root


class ClientListScaleTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parent = tempfile.mkdtemp(prefix="portal-scale-")
        cls.addClassCleanup(shutil.rmtree, cls.parent, True)

    def setUp(self):
        self.users = make_users()
        self.client.login(username="tech@coaxis.test", password=PASSWORD)

    def queries_for(self, count):
        with override_settings(PORTAL_INVENTORY=inventory_of(self.parent, count)):
            response = self.client.get("/clients/", HTTP_HOST=BACKOFFICE)  # parses and caches
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, 'data-client="cl%05d"' % (count - 1))
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get("/clients/", HTTP_HOST=BACKOFFICE)
            self.assertEqual(response.status_code, 200)
            # No engine answers: every client is shown, its state unknown, nothing fails.
            self.assertContains(response, 'data-state="unknown"')
            return len(captured)

    def test_query_count_does_not_grow_with_the_clients(self):
        few, many = self.queries_for(5), self.queries_for(500)
        self.assertEqual(few, many)
        self.assertLessEqual(many, QUERY_BOUND)
