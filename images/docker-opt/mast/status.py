"""Human rendering of the daemon's status, and the health verdict."""


def healthy(status):
    """True when every site not stopped by the operator is up (and config loaded)."""
    if status.get("config_error"):
        return False
    return all(s["state"] == "up" for s in status.get("sites", [])
               if not s.get("operator_stopped"))


def _kbps(v):
    return "unlimited" if v is None else f"{v} KiB/s"


def render(status):
    lines = []
    if status.get("config_error"):
        lines.append("CONFIG ERROR (no sites loaded):")
        lines += [f"  {e}" for e in status["config_error"]]
    fmt = "{:<20} {:<11} {:<8} {:<21} {}"
    lines.append(fmt.format("SITE", "STATE", "PID", "SINCE", "LAST ERROR"))
    for s in status.get("sites", []):
        lines.append(fmt.format(s["site"], s["state"], s["pid"] or "-", s["since"],
                                s["last_error"] or "-"))
        lim = s["limits"]
        lines.append(f"  limits: up {_kbps(lim['upload_kbps'])}, "
                     f"down {_kbps(lim['download_kbps'])}; config {s['config_hash']}")
        for p in s["printers"]:
            lines.append(f"  {p['name']:<18} :{p['listen_port']:<5} -> "
                         f"{p['address']}:{p['port']}  conns {p['connections']}  "
                         f"up {p['bytes_up']} B  down {p['bytes_down']} B"
                         + (f"  refused {p['refused']}" if p.get("refused") else ""))
        for e in s.get("relay_errors", []):
            lines.append(f"  ERROR {e}")
    n = status.get("nginx")
    if n:
        lines.append(f"nginx: {n['state']}" + (f" pid {n['pid']}" if n.get("pid") else "")
                     + (f" ({n['last_error']})" if n.get("last_error") and
                        n["state"] != "running" else ""))
    return "\n".join(lines)
