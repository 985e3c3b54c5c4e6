"""Every playbook that changes a Docker host checks the whole inventory before its first change:
playbooks/tasks/check_inventory.yml comes before any coaxis.opt module, role or task file."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHANGING = ("add_client.yml", "site.yml", "firewall.yml", "drift.yml", "remove_client.yml", "tunnel.yml",
            "upgrade.yml")
CHECK = "tasks/check_inventory.yml"
ACTS = ("import_role", "include_role", "import_tasks", "include_tasks")


def flat(tasks):
    for task in tasks or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from flat(task.get(key))


def acts(task):
    """Whether a task may change something: a coaxis.opt module, a role or another task file."""
    return any(key.startswith("coaxis.opt.") or key.rsplit(".", 1)[-1] in ACTS for key in task)


def imports_check(task):
    return any(key.rsplit(".", 1)[-1] == "import_tasks" and value == CHECK for key, value in task.items())


@pytest.mark.parametrize("name", CHANGING)
def test_the_check_comes_first(name):
    plays = yaml.safe_load((ROOT / "playbooks" / name).read_text())
    order = [task for play in plays for task in flat(play.get("tasks"))]
    first_act = next(index for index, task in enumerate(order) if acts(task))
    assert imports_check(order[first_act]), f"{name}: first acting task is {order[first_act].get('name')!r}"


def test_the_check_is_the_catalog_refusal():
    task = yaml.safe_load((ROOT / "playbooks" / CHECK).read_text())[0]
    assert "'plan_refused' | coaxis.opt.opt_msg" in task["ansible.builtin.assert"]["fail_msg"]
    assert task["run_once"] is True and "always" in task["tags"]
