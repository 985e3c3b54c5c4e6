"""The portal with a large inventory: a technician's client list and a client's status page.

    python bench/portal.py [--clients 500] [--rounds 20]

Builds a temporary inventory of N clients laid out as the portal writes them (host_vars/<client>/
main.yml and vault.yml, copied from the lab's acme), a SQLite database with a technician and one
stored status job, then times the pages through Django's test client (server time only: no network,
no browser). The baseline, measured in the same run, is the login page, which reads no inventory.
Prints, per page: median server time, its ratio to the baseline, and the number of SQL queries.
The first request after a change of the inventory parses it (cold); the next ones use the cache.
"""
import argparse
import ipaddress
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LAB_INVENTORY = ROOT / "inventories" / "lab"


def make_inventory(directory, clients):
    """A copy of the lab inventory with `clients` more clients like acme (one /16 holds them)."""
    shutil.copytree(LAB_INVENTORY, directory)
    hosts_path = directory / "hosts.yml"
    hosts = yaml.safe_load(hosts_path.read_text())
    group = hosts["all"]["children"]["opt_clients"]["hosts"]
    main = (LAB_INVENTORY / "host_vars" / "acme" / "main.yml").read_text()
    vault = (LAB_INVENTORY / "host_vars" / "acme" / "vault.yml").read_text()
    first = ipaddress.ip_address("10.128.1.0")
    for k in range(clients):
        name = f"cl{k:05d}"
        group[name] = None
        folder = directory / "host_vars" / name
        folder.mkdir()
        (folder / "main.yml").write_text(main.replace("10.128.0.10", str(first + k))
                                         .replace("opt_subdomain: acme", f"opt_subdomain: {name}"))
        (folder / "vault.yml").write_text(vault)
    hosts_path.write_text(yaml.safe_dump(hosts, sort_keys=False))


def timed(client, path, rounds, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    samples = []
    queries = 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path, **headers)
            samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    return samples, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="opt-portal-bench-"))
    try:
        make_inventory(work / "inventory", args.clients)
        os.environ.update(PORTAL_TESTING="1", PORTAL_DATA_DIR=str(work), PORTAL_INVENTORY=str(work / "inventory"),
                          DJANGO_SETTINGS_MODULE="opt_portal.settings", PORTAL_SECURE_COOKIES="0")
        import django
        django.setup()
        from django.core.management import call_command
        from django.test import Client
        call_command("migrate", verbosity=0)
        from accounts.models import User
        from jobs.models import Job, Kind, State
        technician = User.objects.create_technician("bench@coaxis.test", "bench password 2026")
        Job.objects.create(kind=Kind.STATUS, client="cl00042", playbook="status.yml", state=State.SUCCEEDED,
                           result={"clients": []})
        client = Client(HTTP_HOST="opt.coaxis.test")
        client.force_login(technician)

        cold_start = time.perf_counter()
        client.get("/clients/")
        cold = time.perf_counter() - cold_start
        pages = [("login page (baseline)", "/accounts/login/"),
                 (f"client list, {args.clients} clients", "/clients/"),
                 ("client page, one client", "/clients/cl00042/")]
        results = []
        anonymous = Client(HTTP_HOST="opt.coaxis.test")
        for label, path in pages:
            samples, queries = timed(anonymous if path == "/accounts/login/" else client, path, args.rounds)
            results.append((label, statistics.median(samples), queries))
        base = results[0][1]
        print(f"portal bench: {args.clients} clients, {args.rounds} rounds, median server time")
        print(f"  first client list after a change (inventory parsed): {cold * 1000:8.1f} ms")
        for label, median, queries in results:
            print(f"  {label:40s} {median * 1000:8.1f} ms  x{median / base:6.1f}  {queries} queries")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
