"""Command line: `mast daemon|status|start|stop|restart|reload|health|check|probe`."""

import argparse
import json
import sys

from mast import config, health, probe
from mast.health import EXIT_NOT_UP, EXIT_OK, EXIT_USAGE, RUN_DIR, ask
from mast.status import healthy, render


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"mast: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser():
    common = Parser(add_help=False)
    common.add_argument("--config-dir", default="/etc/mast")
    common.add_argument("--run-dir", default=RUN_DIR)
    common.add_argument("--log-dir", default="/var/log/mast")
    p = Parser(prog="mast", description="Multiple Auto-SSH Tunnels (docker-opt)")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=Parser)
    sub.add_parser("daemon", parents=[common], help="run the daemon (foreground)")
    st = sub.add_parser("status", parents=[common], help="show sites, printers, nginx")
    st.add_argument("sites", nargs="*")
    st.add_argument("--json", action="store_true")
    for name in ("start", "stop", "restart"):
        sp = sub.add_parser(name, parents=[common], help=f"{name} sites (all if none)")
        sp.add_argument("sites", nargs="*")
    sub.add_parser("reload", parents=[common], help="re-read the config directory")
    hp = sub.add_parser("health", parents=[common], help="exit 0 when every site is up")
    hp.add_argument("--json", action="store_true")
    sub.add_parser("check", parents=[common], help="validate the config directory")
    pp = sub.add_parser("probe", parents=[common],
                        help="TCP, ping and printer-through-the-site checks of every site")
    pp.add_argument("sites", nargs="*")
    pp.add_argument("--json", action="store_true")
    pp.add_argument("--tcp-timeout", type=float, default=probe.TCP_TIMEOUT)
    pp.add_argument("--ping-timeout", type=float, default=probe.PING_TIMEOUT)
    pp.add_argument("--ssh-timeout", type=float, default=probe.SSH_TIMEOUT)
    return p


def cmd_check(args):
    try:
        cfg = config.load(args.config_dir)
    except config.ConfigError as e:
        for line in e.errors:
            print(line, file=sys.stderr)
        print(f"configuration in {args.config_dir} is INVALID "
              f"({len(e.errors)} error(s))", file=sys.stderr)
        return EXIT_USAGE
    n = sum(len(s["printers"]) for s in cfg["sites"].values())
    print(f"configuration in {args.config_dir} is valid: "
          f"{len(cfg['sites'])} site(s), {n} printer(s)")
    return EXIT_OK


def cmd_probe(args):
    """Reads the config itself, not the daemon's: probing works even when the daemon is down.
    Always exit 0: the states are the answer, not a failure."""
    report = {"sites": [], "config_error": None}
    try:
        sites = config.load(args.config_dir)["sites"]
    except config.ConfigError as e:
        sites, report["config_error"] = {}, e.errors
    unknown = [s for s in args.sites if s not in sites]
    if unknown:
        print(f"mast: unknown site(s): {', '.join(unknown)}", file=sys.stderr)
        return EXIT_NOT_UP
    if args.sites:
        sites = {k: v for k, v in sites.items() if k in args.sites}
    report["sites"] = probe.probe_sites(sites, args.tcp_timeout, args.ping_timeout, args.ssh_timeout)
    report["checked_at"] = probe.now_iso()
    print(json.dumps(report, indent=2) if args.json else probe.render(report))
    return EXIT_OK


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.cmd == "daemon":
        from mast import daemon
        return daemon.run(args.config_dir, args.run_dir, args.log_dir)
    if args.cmd == "check":
        return cmd_check(args)
    if args.cmd == "probe":
        return cmd_probe(args)
    if args.cmd == "health" and not args.json:
        return health.main(args.run_dir)
    req = {"cmd": "status" if args.cmd == "health" else args.cmd,
           "sites": getattr(args, "sites", [])}
    resp, code = ask(args.run_dir, req)
    if resp is None:
        return code
    if not resp.get("ok"):
        return EXIT_USAGE if args.cmd == "reload" else EXIT_NOT_UP
    if args.cmd == "health":
        print(json.dumps(resp, indent=2))
        return EXIT_OK if healthy(resp) else EXIT_NOT_UP
    if args.cmd == "status":
        print(json.dumps(resp, indent=2) if args.json else render(resp))
        all_up = all(s["state"] == "up" for s in resp["sites"])
        return EXIT_OK if all_up and not resp.get("config_error") else EXIT_NOT_UP
    if args.cmd == "reload":
        print("reload: " + "; ".join(f"{k} {', '.join(resp[k]) or '-'}" for k in
                                     ("added", "removed", "changed", "unchanged"))
              + ("; nginx reloaded" if resp.get("nginx_reloaded") else ""))
        return EXIT_OK
    print(f"{args.cmd}: {', '.join(resp['sites']) or '(no sites)'}")
    return EXIT_OK
