#!/usr/bin/env bash
# A fleet of Docker hosts for scale work: N private engines beside the lab, each one
# lab/engine.sh with an environment of its own.
#
#   lab/fleet.sh up N              start engines 1..N (N <= 9), copy the product images into each
#   lab/fleet.sh down              stop every fleet engine and remove all they made
#   lab/fleet.sh status            say which engines are there; exit 0 only when all of them answer
#   lab/fleet.sh exec I -- CMD...  run CMD inside engine I's namespace with DOCKER_HOST set
#
# Addresses of engine i (bench/README.md, "A fleet of Docker hosts"; computed by lab/fleet.py):
#   namespace, state, run dir   coaxis-fleet-i  (/var/lib/coaxis-fleet-i, /run/coaxis-fleet-i)
#   socket                      /run/coaxis-fleet-i/docker.sock
#   veth                        cxfl<i>h / cxfl<i>n
#   uplink                      10.(150+i).255.0/30
#   client subnet               10.(160+i).0.0/16
# None of them meets the lab's 10.128.0.0/16-10.131.255.255 or another engine's.
# The images come from the lab engine (built there once, `make images`), never from a registry.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
PY=${PY:-$root/.venv/bin/python}
FLEET_MAX=9
FLEET_PREFIX=coaxis-fleet
FLEET_LOCKS=/run/coaxis-fleet-locks
MAIN_SOCK=${FLEET_IMAGES_FROM:-/run/coaxis-lab/docker.sock}
# Bounds for what engine.sh itself bounds (60 s start, 15 s stop), with room for the
# namespace and mount work around them.
UP_TIMEOUT=150
DOWN_TIMEOUT=90
IMAGES_TIMEOUT=1800

log() { printf '[fleet] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

fleet_subnet() { "$PY" -m lab.fleet subnet "$1"; }

# engine.sh with engine i's environment, as a command line in FLEET_CMD (so `timeout` can
# run it). The lab's own variables are dropped first, so a caller inside the lab
# (lab/engine.sh exec) never hands its socket or state to a fleet engine.
fleet_cmd() {
  local i=$1 engine_env
  mapfile -t engine_env < <("$PY" -m lab.fleet env "$i")
  [ "${#engine_env[@]}" -eq 4 ] || die "lab/fleet.py gave no environment for engine $i"
  FLEET_CMD=(env -u LAB_NS -u LAB_STATE -u LAB_RUN -u LAB_SOCK -u DOCKER_HOST
    "${engine_env[@]}" LAB_CACHE=/var/cache/coaxis-lab "$here/engine.sh")
}

# Engines with anything left on this machine: namespace, veth, run or state directory.
present() {
  local i
  for i in $(seq 1 "$FLEET_MAX"); do
    if [ -e "/var/run/netns/$FLEET_PREFIX-$i" ] || [ -d "/run/$FLEET_PREFIX-$i" ] \
       || [ -d "/var/lib/$FLEET_PREFIX-$i" ] || ip link show "cxfl${i}h" >/dev/null 2>&1; then
      echo "$i"
    fi
  done
}

main_answers() {
  [ -S "$MAIN_SOCK" ] && curl -sf --max-time 3 --unix-socket "$MAIN_SOCK" http://lab/_ping >/dev/null 2>&1
}

cmd_up() {
  local n=${1:-} i sockets=()
  [[ "$n" =~ ^[1-9]$ ]] || die "usage: $0 up N (1 <= N <= $FLEET_MAX)"
  [ "$(id -u)" = 0 ] || die "run as root"
  main_answers || die "the lab engine does not answer on $MAIN_SOCK (the images come from it): make lab"
  # Build the product images in the lab when one is missing; a no-op when they are there.
  LAB_SOCK=$MAIN_SOCK timeout "$IMAGES_TIMEOUT" "$PY" "$root/lab/fleet_images.py" --ensure \
    || die "the product images could not be built in the lab"
  mkdir -p "$FLEET_LOCKS"
  for i in $(seq 1 "$n"); do
    fleet_cmd "$i"
    timeout "$UP_TIMEOUT" "${FLEET_CMD[@]}" up \
      || die "engine $i did not come up within $UP_TIMEOUT s"
    sockets+=("unix:///run/$FLEET_PREFIX-$i/docker.sock")
  done
  timeout "$IMAGES_TIMEOUT" "$PY" "$root/lab/fleet_images.py" --from "unix://$MAIN_SOCK" "${sockets[@]}" \
    || die "copying the images into the fleet failed"
  local extra
  extra=$(present | awk -v n="$n" '$1 > n' | xargs)
  [ -z "$extra" ] || log "engines beyond $n are still up: $extra (lab/fleet.sh down removes them all)"
  log "fleet up: $n engine(s)"
}

cmd_down() {
  local i cg rc=0
  [ "$(id -u)" = 0 ] || die "run as root"
  for i in $(present); do
    fleet_cmd "$i"
    timeout "$DOWN_TIMEOUT" "${FLEET_CMD[@]}" down \
      || { log "engine $i was not removed within $DOWN_TIMEOUT s"; rc=1; }
  done
  rm -rf "$FLEET_LOCKS"
  # dockerd leaves its (empty) cgroup parents behind; rmdir takes only the empty ones, so a
  # cgroup still holding a process stays and is reported below.
  for cg in /sys/fs/cgroup/*/"$FLEET_PREFIX"-[1-9]; do
    if [ -d "$cg" ]; then find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
  [ -z "$(present)" ] || { log "left behind: engines $(present | xargs)"; rc=1; }
  for cg in /sys/fs/cgroup/*/"$FLEET_PREFIX"-[1-9]; do
    [ ! -d "$cg" ] || { log "cgroup left behind: $cg"; rc=1; }
  done
  [ "$rc" = 0 ] && log "fleet removed"
  return "$rc"
}

cmd_status() {
  local i rc=0 engines
  # status runs without root; its exit code is the pipeline's (pipefail).
  engines=$(present)
  [ -n "$engines" ] || { echo "fleet: none"; return 1; }
  for i in $engines; do
    echo "engine $i ($(fleet_subnet "$i")):"
    fleet_cmd "$i"
    "${FLEET_CMD[@]}" status | sed 's/^/  /' || rc=1
  done
  return "$rc"
}

cmd_exec() {
  local i=${1:-}
  [[ "$i" =~ ^[1-9]$ ]] || die "usage: $0 exec I -- CMD..."
  shift
  [ "${1:-}" = "--" ] && shift
  [ "$#" -gt 0 ] || die "usage: $0 exec I -- CMD..."
  fleet_cmd "$i"
  exec "${FLEET_CMD[@]}" exec -- "$@"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  exec) shift; cmd_exec "$@" ;;
  *) echo "usage: $0 up N|down|status|exec I -- CMD..." >&2; exit 2 ;;
esac
