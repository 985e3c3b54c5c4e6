#!/usr/bin/env bash
# A second lab beside the first, for running the integration tests in two halves at once.
#
#   lab/twin.sh up              engine, every lab image (copied from the first lab), topology
#   lab/twin.sh down            stop it and remove all it made
#   lab/twin.sh status          say whether its engine answers
#   lab/twin.sh exec -- CMD...  run CMD inside its namespace with its environment (as engine.sh exec)
#
# The twin is lab/engine.sh with another name, veth and uplink: inside its own network
# namespace it has the very addresses of the first lab (10.128.0.0/16, the sites...), so the lab
# inventory and the tests run there unchanged. Only its uplink (10.131.254.0/30) shows in the
# root namespace; it meets neither the first lab's (10.131.255.0/30) nor the fleet's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
PY=${PY:-$root/.venv/bin/python}
FIRST_SOCK=/run/coaxis-lab/docker.sock
# Bounds for engine.sh's own (60 s start, 15 s stop) with room around them; loading the images
# takes about 20 s here.
UP_TIMEOUT=150
IMAGES_TIMEOUT=900
TOPOLOGY_TIMEOUT=300
PORTAL_TIMEOUT=300

export LAB_NAME=coaxis-lab-b LAB_VETH=cxlabb LAB_UPLINK=10.131.254.0/30
# A caller inside the first lab (engine.sh exec) must not hand its paths to the twin.
unset LAB_NS LAB_STATE LAB_RUN LAB_SOCK DOCKER_HOST
# shellcheck source=lab/lab.env
source "$here/lab.env"
export LAB_NS LAB_STATE LAB_RUN LAB_SOCK

log() { printf '[lab twin] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cmd_up() {
  [ "$(id -u)" = 0 ] || die "run as root"
  [ -S "$FIRST_SOCK" ] || die "the first lab is not up (its images are copied from it): make lab"
  timeout "$UP_TIMEOUT" "$here/engine.sh" up || die "the twin engine did not come up within $UP_TIMEOUT s"
  timeout "$IMAGES_TIMEOUT" "$PY" "$here/fleet_images.py" --all --from "unix://$FIRST_SOCK" "unix://$LAB_SOCK" \
    || die "copying the lab images into the twin failed"
  timeout "$TOPOLOGY_TIMEOUT" "$PY" "$here/topology.py" || die "the twin's topology failed"
  # The admin interface at opt_admin_url, as in the first lab (make lab-portal).
  ANSIBLE_CONFIG="$root/ansible.cfg" timeout "$PORTAL_TIMEOUT" "$here/engine.sh" exec -- \
    "$(dirname "$PY")/ansible-playbook" "$root/playbooks/portal.yml" >/dev/null \
    || die "the twin's admin interface failed (run playbooks/portal.yml in it: lab/twin.sh exec -- ...)"
  log "up: $LAB_NAME ($LAB_SOCK)"
}

case "${1:-}" in
  up) cmd_up ;;
  down) exec "$here/engine.sh" down ;;
  status) exec "$here/engine.sh" status ;;
  exec) shift; exec "$here/engine.sh" exec "$@" ;;
  *) echo "usage: $0 up|down|status|exec -- CMD..." >&2; exit 2 ;;
esac
