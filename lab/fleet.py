"""The addresses and names of the lab fleet's engine i (lab/fleet.sh, bench/fleet_inventory.py):
the one place they are computed. None meets the lab's 10.128.0.0/16-10.131.255.255 or another
engine's.

    python -m lab.fleet env I       engine I's lab/engine.sh environment, one NAME=value a line
    python -m lab.fleet subnet I    engine I's client subnet
"""
import ipaddress
import sys

MAX_ENGINES = 9
PREFIX = "coaxis-fleet"


def name(i):
    return f"{PREFIX}-{i}"


def veth(i):
    return f"cxfl{i}"


def uplink(i):
    return ipaddress.ip_network(f"10.{150 + i}.255.0/30")


def subnet(i):
    return ipaddress.ip_network(f"10.{160 + i}.0.0/16")


def engine_url(i):
    return f"unix:///run/{name(i)}/docker.sock"


def engine_env(i):
    return {"LAB_NAME": name(i), "LAB_VETH": veth(i), "LAB_UPLINK": str(uplink(i)), "LAB_SUBNETS": str(subnet(i))}


def main(argv):
    if len(argv) != 2 or argv[0] not in ("env", "subnet") or not argv[1].isdigit() \
            or not 1 <= int(argv[1]) <= MAX_ENGINES:
        sys.exit(f"usage: python -m lab.fleet env|subnet I (1 <= I <= {MAX_ENGINES})")
    i = int(argv[1])
    if argv[0] == "subnet":
        print(subnet(i))
    else:
        print("\n".join(f"{key}={value}" for key, value in engine_env(i).items()))


if __name__ == "__main__":
    main(sys.argv[1:])
