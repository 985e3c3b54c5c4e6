"""A bad value in any field is refused by the whole-inventory check, before anything changes.

One case per field class: a new client nova (or the Docker host's own variables) gets one bad
value in a private copy of the lab inventory, add_client.yml -e client=nova runs, and the run
fails with the catalog's message while the engine stays as it was: containers, networks,
volumes, the firewall's rules and the files on the existing clients' config volumes (the
snapshot fixture of conftest.py). The check is the first task, so each refusal costs seconds.
"""
import shutil

import pytest
import yaml
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._proxyplan import EXTRA_DIRECTIVES
from ansible_collections.coaxis.opt.plugins.module_utils._configplan import HOST_KEY_TYPES

from conftest import LAB_INVENTORY

DOCKER_HOST = "lab-docker-host"
LYON_KEY = yaml.safe_load((LAB_INVENTORY / "host_vars" / "acme" / "main.yml").read_text())["opt_sites"][0]["host_key"]


def site(name="lyon", listen_port=9301, **over):
    data = {"name": name, "host": "10.130.0.10", "host_key": LYON_KEY,
            "printers": [{"name": "accueil", "address": "10.131.1.20", "listen_port": listen_port}]}
    data.update(over)
    return data


def printer_site(**printer):
    data = site()
    data["printers"][0].update(printer)
    return data


# A valid new client: a site of the lab, acme's (vaulted) key.
NOVA = {"opt_docker_host": DOCKER_HOST, "opt_sites": [site()], "opt_private_key": "{{ vault_opt_private_key }}"}


def add_nova(inventory, **change):
    """nova in the private inventory, with acme's vault file beside its variables."""
    (inventory.path / "host_vars" / "nova").mkdir()
    host_vars = inventory.path / "host_vars"
    shutil.copy(host_vars / "acme" / "vault.yml", host_vars / "nova" / "vault.yml")
    inventory.add_client("nova", **{**NOVA, **change})

CASES = {
    # field class: (nova's changed variables, the problem as the catalog words it)
    "address": ({"opt_ip": "10.128.0.300"},
                f"{DOCKER_HOST}: " + msg("ip_invalid", client="nova", ip="10.128.0.300")),
    "subdomain": ({"opt_subdomain": "Nova_"}, msg("proxy_subdomain_invalid", client="nova", subdomain="Nova_")),
    "volume": ({"opt_config_volume": {"name": "bad name"}},
               msg("vol_name_invalid", client="nova", role="config", volume="bad name")),
    "site-field": ({"opt_sites": [site(port=0)]},
                   msg("cfg_site_range", client="nova", site="lyon", field="port", value=0, low=1, high=65535)),
    "printer-field": ({"opt_sites": [printer_site(listen_port=80)]},
                      msg("cfg_printer_range", client="nova", site="lyon", printer="accueil", field="listen_port",
                          value=80, low=1024, high=65535)),
    "listen-port-twice": ({"opt_sites": [site(), site("paris", host="10.130.0.11")]},
                          msg("cfg_listen_port_duplicate", client="nova", port=9301, site="lyon", printer="accueil",
                              other_site="paris", other_printer="accueil")),
    "limit": ({"opt_sites": [site(upload_kbps=-5)]},
              msg("cfg_limit_range", client="nova", site="lyon", field="upload_kbps", value=-5, low=1, high=100000)),
    "host-key": ({"opt_sites": [site(host_key="ssh-ed25519 AAAA")]},
                 msg("cfg_host_key_invalid", client="nova", site="lyon", types=", ".join(HOST_KEY_TYPES))),
    "private-key": ({"opt_private_key": "not a key"}, msg("cfg_private_key_invalid", client="nova")),
    "vhost-extra": ({"opt_vhost_extra": ["include /etc/passwd;"]},
                    msg("proxy_extra_refused", client="nova", directives="include",
                        allowed=", ".join(sorted(EXTRA_DIRECTIVES)))),
}
DOCKER_URL = "tcp://10.129.0.1:2375"


def refused(run, problem):
    return msg("plan_refused", count=1, errors=problem) in run.out


def test_the_valid_new_client_passes_the_check(inventory):
    """The probe of the cases below, where it is allowed: nova as it stands passes the check and the
    whole run (in check mode: it changes nothing)."""
    add_nova(inventory)
    run = inventory.playbook("add_client.yml", "-e", "client=nova", "--check")
    assert run.rc == 0 and msg("inventory_plan_valid") in run.out, run


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_field_is_refused_before_any_change(deployed, inventory, snapshot, case):
    change, problem = CASES[case]
    add_nova(inventory, **change)
    state = snapshot()
    run = inventory.playbook("add_client.yml", "-e", "client=nova")
    assert run.rc != 0 and run.recap[DOCKER_HOST]["failed"] == 1, run
    assert refused(run, problem), run
    state.assert_unchanged()


def test_a_plain_tcp_docker_url_is_refused_before_any_change(deployed, inventory, snapshot):
    add_nova(inventory)
    inventory.set_vars("group_vars", "docker_hosts", opt_docker_url=DOCKER_URL)
    state = snapshot()
    run = inventory.playbook("add_client.yml", "-e", "client=nova")
    assert run.rc != 0, run
    assert refused(run, f"{DOCKER_HOST}: " + msg("docker_url_insecure", url=DOCKER_URL)), run
    state.assert_unchanged()


def test_site_yml_refuses_a_bad_field_before_any_change(deployed, inventory, snapshot):
    change, problem = CASES["host-key"]
    add_nova(inventory, **change)
    state = snapshot()
    run = inventory.playbook("site.yml")
    assert run.rc != 0, run
    assert refused(run, problem), run
    state.assert_unchanged()
