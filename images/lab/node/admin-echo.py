"""The admin interface's stand-in: answers every request with what it received, as JSON
(method, path, headers), so tests see exactly what the real admin interface would.

It trusts X-OPT-Client as the real admin interface must: only with a valid
X-OPT-Client-Signature, checked by the verifier the collection ships
(plugins/module_utils/_clientsig.py, mounted read-only by lab/topology.py) under the secret
the lab inventory vaults (opt_admin_signing_secret, given as OPT_ADMIN_SIGNING_SECRET). Without
a valid signature it answers 403; with one, its echo names the verified client."""
import importlib.util
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("ADMIN_PORT", "8000"))
VERIFIER = os.environ.get("OPT_CLIENTSIG", "/usr/local/lib/coaxis-opt/_clientsig.py")
SECRET = os.environ.get("OPT_ADMIN_SIGNING_SECRET", "")


def load_verifier(path):
    spec = importlib.util.spec_from_file_location("_clientsig", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


clientsig = load_verifier(VERIFIER)


class Echo(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        client = self.headers.get(clientsig.CLIENT_HEADER)
        verified = clientsig.verify(SECRET, client, self.headers.get(clientsig.SIGNATURE_HEADER))
        seen = {"method": self.command, "path": self.path, "body": body,
                "headers": {k: v for k, v in self.headers.items()}}
        if verified:
            seen["verified_client"] = client
        else:
            seen["error"] = "X-OPT-Client without a valid X-OPT-Client-Signature: refused"
        data = json.dumps(seen, indent=2).encode()
        self.send_response(200 if verified else 403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, fmt, *args):  # one line per request on stderr, as docker logs shows
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", PORT), Echo).serve_forever()
