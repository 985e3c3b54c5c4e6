"""A raw (JetDirect, port 9100) printer stand-in: stores every job it receives.

Each connection that sends at least one byte becomes /var/spool/printer/job-<time>-<n>.bin,
written to a temporary name and renamed when the sender closes, so a test never reads half a
job. A connection that sends nothing is no job (a real printer prints nothing for it).
"""
import itertools
import os
import socketserver
import time

SPOOL = os.environ.get("PRINTER_SPOOL", "/var/spool/printer")
PORT = int(os.environ.get("PRINTER_PORT", "9100"))
_counter = itertools.count(1)


class Job(socketserver.StreamRequestHandler):
    def handle(self):
        n = next(_counter)
        tmp = os.path.join(SPOOL, f".job-{n}.part")
        with open(tmp, "wb") as out:
            while chunk := self.rfile.read1(65536):
                out.write(chunk)
        if os.path.getsize(tmp) == 0:
            # A connection that sends nothing (a reachability probe) prints nothing on a real printer.
            os.unlink(tmp)
            return
        os.rename(tmp, os.path.join(SPOOL, f"job-{time.time_ns()}-{n}.bin"))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    os.makedirs(SPOOL, exist_ok=True)
    with Server(("0.0.0.0", PORT), Job) as server:
        server.serve_forever()
