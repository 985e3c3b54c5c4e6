"""Round-trip edits: what the change does not name stays byte for byte."""
from django.test import SimpleTestCase

from clients import yamledit

COMMENTED = '''---
# A client, with comments everywhere.
opt_ip: 10.128.0.10   # its address
opt_subdomain: 'acme'
opt_private_key: "{{ vault_opt_private_key }}"
# The sites.
opt_sites:
  - name: lyon
    host: 10.130.0.10
    # Pinned after a scan.
    host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw
    upload_kbps: 1024     # KB/s
    printers:
      - name: accueil
        address: 10.131.1.20   # front desk
        listen_port: 9101
  - name: paris
    host: "10.130.0.11"
    host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOuP1IvXIowi2rsRaZJ+5lup2Xs6DAB0JoHAUpCAXJ0W
# Trailing comment.
'''


class RoundTripTests(SimpleTestCase):
    def test_unchanged_document_is_written_back_byte_for_byte(self):
        self.assertEqual(yamledit.load(COMMENTED).dump(), COMMENTED)

    def test_adding_a_printer_changes_only_its_lines(self):
        doc = yamledit.load(COMMENTED)
        yamledit.add_printer(doc, "lyon", {"name": "compta", "address": "10.131.1.21", "port": 9100,
                                           "listen_port": 9102})
        expected = COMMENTED.replace("        listen_port: 9101\n",
                                     "        listen_port: 9101\n"
                                     "      - name: compta\n        address: 10.131.1.21\n        listen_port: 9102\n")
        self.assertEqual(doc.dump(), expected)

    def test_editing_a_site_keeps_comments_quotes_and_order(self):
        doc = yamledit.load(COMMENTED)
        yamledit.edit_site(doc, "lyon", {"upload_kbps": 2048, "port": 2222})
        out = doc.dump()
        self.assertEqual(out, COMMENTED.replace("upload_kbps: 1024     # KB/s\n",
                                                "upload_kbps: 2048     # KB/s\n")
                         .replace("        listen_port: 9101\n  - name: paris",
                                  "        listen_port: 9101\n    port: 2222\n  - name: paris"))

    def test_removing_a_site_and_a_printer(self):
        doc = yamledit.load(COMMENTED)
        yamledit.remove_printer(doc, "lyon", "accueil")
        yamledit.remove_site(doc, "paris")
        out = doc.dump()
        self.assertNotIn("paris", out)
        self.assertNotIn("accueil", out)
        head = COMMENTED.split("    printers:")[0]
        self.assertTrue(out.startswith(head), out)
        self.assertIn('opt_private_key: "{{ vault_opt_private_key }}"\n', out)

    def test_unknown_site_is_an_error(self):
        with self.assertRaises(yamledit.NotFound):
            yamledit.edit_site(yamledit.load(COMMENTED), "nowhere", {"port": 22})

    def test_add_host_to_group_keeps_the_hosts_file(self):
        hosts = ("all:\n  children:\n    docker_hosts:      # engines\n      hosts:\n        dh1:\n"
                 "    opt_clients:       # one host per customer\n      hosts:\n        acme:\n")
        doc = yamledit.load(hosts)
        yamledit.add_host_to_group(doc, "opt_clients", "zenith")
        self.assertEqual(doc.dump(), hosts + "        zenith:\n")
        self.assertEqual(yamledit.group_hosts(doc, "docker_hosts"), ["dh1"])
