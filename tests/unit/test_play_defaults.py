"""The playbooks give the language to every module once per play (module_defaults on the action
group coaxis.opt.opt): it reaches the modules outside the Docker group too (opt_lock, and
opt_vault_encrypt, an action plugin), and a task's own value still wins over the play's.

Ansible runs for real on localhost (no engine, no lab): each module is given a name it refuses
before it touches anything, and its refusal is read in the language it was given."""
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

BAD = "no such/name"


def play(tmp_path, lang):
    """A play in ``lang`` whose modules refuse BAD, what they said kept in said-<lang>.json."""
    return {
        "name": "Defaults in %s" % lang,
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "module_defaults": {"group/coaxis.opt.opt": {"lang": lang}},
        "tasks": [
            {"name": "Lock, the play's language", "coaxis.opt.opt_lock": {
                "name": BAD, "lock_dir": str(tmp_path), "state": "acquired", "owner": "test"},
             "ignore_errors": True, "register": "play_lang_lock"},
            {"name": "Lock, its own language", "coaxis.opt.opt_lock": {
                "name": BAD, "lock_dir": str(tmp_path), "state": "acquired", "owner": "test", "lang": "en"},
             "ignore_errors": True, "register": "own_lang_lock"},
            {"name": "Vault, the play's language", "coaxis.opt.opt_vault_encrypt": {
                "src": str(tmp_path / "absent"), "name": BAD}, "ignore_errors": True, "register": "play_lang_vault"},
            {"name": "Keep what they said", "ansible.builtin.copy": {
                "dest": str(tmp_path / ("said-%s.json" % lang)), "mode": "0600",
                "content": "{{ {'lock': play_lang_lock.msg, 'own': own_lang_lock.msg, 'vault': play_lang_vault.msg}"
                           " | to_json }}"}},
        ],
    }


def run_plays(tmp_path, langs):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([play(tmp_path, lang) for lang in langs]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False", ANSIBLE_CONFIG=str(tmp_path / "none.cfg"),
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-e",
                           "ansible_python_interpreter=%s" % sys.executable, str(playbook)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {lang: json.loads((tmp_path / ("said-%s.json" % lang)).read_text(encoding="utf-8")) for lang in langs}


def test_the_play_s_language_reaches_every_module_and_a_task_s_own_wins(tmp_path):
    said = run_plays(tmp_path, ["en", "fr"])
    # Where the play says en, English: the French below comes from the play, not from the module.
    assert msg("lock_name_invalid", "en", name=BAD) in said["en"]["lock"]
    assert msg("vault_name_invalid", "en", name=BAD) in said["en"]["vault"]
    assert msg("lock_name_invalid", "fr", name=BAD) in said["fr"]["lock"]
    assert msg("vault_name_invalid", "fr", name=BAD) in said["fr"]["vault"]
    # A task's own lang wins over the play's.
    assert msg("lock_name_invalid", "en", name=BAD) in said["fr"]["own"]
