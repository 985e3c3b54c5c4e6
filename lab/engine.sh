#!/usr/bin/env bash
# The lab engine: a private dockerd in a network namespace of its own.
#
#   lab/engine.sh up       start it, reuse it when it answers, recover it when half-alive
#   lab/engine.sh down     stop it and remove everything it made (namespace, veth, host rules, mounts)
#   lab/engine.sh restart  stop dockerd (it stops its containers) and start it again, as a host would
#   lab/engine.sh status   say what is there; exit 0 only when the engine answers
#   lab/engine.sh exec -- CMD...   run CMD inside the lab namespace with DOCKER_HOST set
#
# Why a namespace: two dockerd in one namespace rewrite each other's bridges and
# chains; the lab must never touch an engine, bridge, route or rule it did not create.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab/lab.env
source "$here/lab.env"

NSPATH=/var/run/netns/$LAB_NS
EXEC_ROOT=$LAB_RUN/exec
DATA_ROOT=$LAB_STATE/docker
PIDFILE=$LAB_RUN/dockerd.pid
LOG=$LAB_STATE/dockerd.log
TAG="$LAB_NAME"           # comment on every host iptables rule we add
VETH_HOST=${LAB_VETH}h
VETH_NS=${LAB_VETH}n

log() { printf '[lab %s] %s\n' "$LAB_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

uplink_addrs() {  # prints: host-address ns-address prefixlen
  python3 - "$LAB_UPLINK" <<'EOF'
import ipaddress, sys
net = ipaddress.ip_network(sys.argv[1])
hosts = list(net.hosts())
print(hosts[0], hosts[1], net.prefixlen)
EOF
}

check_overlaps() {
  # Refuse lab subnets that overlap a route of this machine (other than our own veth).
  local routes
  routes=$(ip -4 route show table all | awk -v veth="$VETH_HOST" '$0 !~ ("dev " veth " ") {print $1}' \
           | grep -E '^[0-9]' || true)
  python3 - "$LAB_SUBNETS $LAB_UPLINK" "$routes" <<'EOF' || exit 1
import ipaddress, sys
lab = [ipaddress.ip_network(s) for s in sys.argv[1].split()]
bad = []
for r in sys.argv[2].split():
    try:
        net = ipaddress.ip_network(r, strict=False)
    except ValueError:
        continue
    if net.prefixlen == 0 or net.is_loopback:
        continue
    bad += [f"{l} overlaps the machine's route {net}" for l in lab if l.overlaps(net)]
if bad:
    print("lab subnets clash with this machine's routes (set LAB_SUBNETS/LAB_UPLINK):\n  "
          + "\n  ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
}

engine_answers() {
  [ -S "$LAB_SOCK" ] && curl -sf --max-time 3 --unix-socket "$LAB_SOCK" http://lab/_ping >/dev/null 2>&1
}

# Processes that belong to this lab's engine: dockerd by pidfile, containerd and
# shims by their command line naming our exec root.
lab_pids() {
  local p
  if [ -f "$PIDFILE" ] && p=$(cat "$PIDFILE" 2>/dev/null) && [ -d "/proc/$p" ]; then echo "$p"; fi
  pgrep -f -- "$EXEC_ROOT" || true
  pgrep -f -- "--data-root $DATA_ROOT" || true
}

# Container processes: when the engine dies they live on, orphaned, holding their
# network namespaces and addresses on the lab's bridges (a restarted container would
# then share its address with a ghost). They all sit under our cgroup parent.
container_pids() {
  cat /sys/fs/cgroup/*/"$LAB_NAME"/*/cgroup.procs /sys/fs/cgroup/*/"$LAB_NAME"/cgroup.procs 2>/dev/null \
    | sort -u || true
}

kill_engine() {
  local pids p alive
  mapfile -t pids < <( (lab_pids; container_pids) | sort -u)
  [ "${#pids[@]}" -gt 0 ] || return 0
  log "stopping engine processes: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # systemd as a container's PID 1 (the lab's Coaxis host) ignores SIGTERM: it shuts down on SIGRTMIN+3.
  for p in "${pids[@]}"; do
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then kill -s RTMIN+3 "$p" 2>/dev/null || true; fi
  done
  for _ in $(seq 1 30); do  # bounded: 15 s, then KILL
    alive=()
    for p in "${pids[@]}"; do [ ! -d "/proc/$p" ] || alive+=("$p"); done
    [ "${#alive[@]}" -eq 0 ] && return 0
    pids=("${alive[@]}")
    sleep 0.5
  done
  log "engine did not stop in 15 s; killing ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.5
}

unmount_under() {  # unmount everything mounted below the given paths, deepest first
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done < <(awk '{print $2}' /proc/mounts | grep -E "^($(IFS='|'; echo "$*"))(/|$)" | sort -r)
}

host_rule() {  # host_rule <table> <chain> <rule...>: append once, tagged
  local table=$1 chain=$2; shift 2
  iptables -w -t "$table" -C "$chain" "$@" -m comment --comment "$TAG" 2>/dev/null \
    || iptables -w -t "$table" -I "$chain" 1 "$@" -m comment --comment "$TAG"
}

remove_host_rules() {
  local table line
  for table in filter nat; do
    # The whole comment, not a prefix: coaxis-fleet-1 must leave coaxis-fleet-12's rules alone.
    iptables-save -t "$table" 2>/dev/null | grep -E -- "--comment \"?$TAG\"?( |\$)" | grep '^-A ' \
      | while read -r line; do
          # shellcheck disable=SC2086
          eval iptables -w -t "$table" ${line/-A /-D } || true
        done
  done
}

mirror_ips() {
  local h
  for h in $LAB_MIRROR_HOSTS; do getent ahostsv4 "$h" | awk '{print $1}'; done | sort -u
}

net_up() {
  read -r host_ip ns_ip plen < <(uplink_addrs)
  mkdir -p /var/run/netns
  if [ ! -e "$NSPATH" ] || ! ip netns exec "$LAB_NS" true 2>/dev/null; then
    ip netns del "$LAB_NS" 2>/dev/null || true
    ip netns add "$LAB_NS"
    log "namespace $LAB_NS created"
  fi
  ip -n "$LAB_NS" link set lo up
  if ! ip link show "$VETH_HOST" >/dev/null 2>&1; then
    ip -n "$LAB_NS" link del "$VETH_NS" 2>/dev/null || true
    ip link add "$VETH_HOST" type veth peer name "$VETH_NS" netns "$LAB_NS"
  fi
  ip addr replace "$host_ip/$plen" dev "$VETH_HOST"
  ip link set "$VETH_HOST" up
  ip -n "$LAB_NS" addr replace "$ns_ip/$plen" dev "$VETH_NS"
  ip -n "$LAB_NS" link set "$VETH_NS" up
  # Only the mirror goes out; anything else is "unreachable" inside the lab.
  local ip
  for ip in $(mirror_ips); do
    ip -n "$LAB_NS" route replace "$ip/32" via "$host_ip"
  done
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 1 ]; then
    echo 0 > "$LAB_STATE/ip_forward.before"
    sysctl -qw net.ipv4.ip_forward=1
  fi
  host_rule nat POSTROUTING -s "$LAB_UPLINK" ! -o "$VETH_HOST" -j MASQUERADE
  host_rule filter FORWARD -i "$VETH_HOST" -j ACCEPT
  host_rule filter FORWARD -o "$VETH_HOST" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
}

write_daemon_json() {
  cat > "$LAB_RUN/daemon.json" <<EOF
{
  "bridge": "none",
  "iptables": true,
  "ip-forward": true,
  "userland-proxy": false,
  "log-driver": "json-file",
  "log-opts": {"max-size": "10m", "max-file": "2"},
  "features": {"buildkit": false}
}
EOF
}

engine_up() {
  if engine_answers; then
    log "engine answers on $LAB_SOCK (reused)"
    return 0
  fi
  # Half-alive: a daemon that does not answer, a stale pidfile, socket or mounts.
  kill_engine
  unmount_under "$EXEC_ROOT" "$DATA_ROOT"
  rm -f "$PIDFILE" "$LAB_SOCK"
  rm -rf "$EXEC_ROOT"
  mkdir -p "$EXEC_ROOT" "$DATA_ROOT"
  write_daemon_json
  log "starting dockerd (log: $LOG)"
  # nsenter, not `ip netns exec`: the latter remounts /sys and hides the cgroup v1 tree.
  nsenter --net="$NSPATH" setsid dockerd \
    --config-file "$LAB_RUN/daemon.json" --host "unix://$LAB_SOCK" \
    --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE" \
    --cgroup-parent "/$LAB_NAME" </dev/null >>"$LOG" 2>&1 &
  for _ in $(seq 1 120); do  # bounded: 60 s
    engine_answers && { log "engine up on $LAB_SOCK"; return 0; }
    sleep 0.5
  done
  tail -n 20 "$LOG" >&2
  die "engine did not answer within 60 s"
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "run as root"
  mkdir -p "$LAB_STATE" "$LAB_RUN" "$LAB_CACHE"
  check_overlaps
  net_up
  engine_up
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "run as root"
  kill_engine
  unmount_under "$EXEC_ROOT" "$DATA_ROOT" "$NSPATH"
  remove_host_rules
  ip link del "$VETH_HOST" 2>/dev/null || true
  ip netns del "$LAB_NS" 2>/dev/null || true
  if [ -f "$LAB_STATE/ip_forward.before" ]; then
    sysctl -qw net.ipv4.ip_forward="$(cat "$LAB_STATE/ip_forward.before")"
  fi
  rm -rf "$LAB_RUN" "$LAB_STATE"
  log "lab removed (the base image cache in $LAB_CACHE is kept; make lab-clean removes it)"
}

cmd_restart() {
  # What `systemctl restart docker` does: dockerd stops its containers and exits, then
  # starts again and brings back the ones with a restart policy.
  [ "$(id -u)" = 0 ] || die "run as root"
  local p
  if [ -f "$PIDFILE" ] && p=$(cat "$PIDFILE" 2>/dev/null) && [ -d "/proc/$p" ]; then
    log "stopping dockerd ($p)"
    kill -TERM "$p"
    for _ in $(seq 1 60); do  # bounded: 30 s, then engine_up deals with what is left
      [ -d "/proc/$p" ] || break
      sleep 0.5
    done
  fi
  engine_up
}

cmd_status() {
  local rc=0
  if [ -e "$NSPATH" ]; then echo "namespace: $LAB_NS"; else echo "namespace: absent"; rc=1; fi
  if engine_answers; then echo "engine: up ($LAB_SOCK)"; else echo "engine: down"; rc=1; fi
  return $rc
}

cmd_exec() {
  [ "${1:-}" = "--" ] && shift
  engine_answers || die "the lab engine is not running: make lab"
  export DOCKER_HOST="unix://$LAB_SOCK" LAB_NAME LAB_STATE LAB_SOCK LAB_RUN
  # The lab inventory's public vault password, as the labelled vault id "lab", for the lab's runs
  # only (ansible.cfg names none: production and AWX never get it by default).
  export ANSIBLE_VAULT_IDENTITY_LIST=${ANSIBLE_VAULT_IDENTITY_LIST:-lab@$(dirname "$here")/inventories/lab/vault-password.txt}
  exec nsenter --net="$NSPATH" -- "$@"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  restart) cmd_restart ;;
  status) cmd_status ;;
  exec) shift; cmd_exec "$@" ;;
  *) echo "usage: $0 up|down|restart|status|exec -- CMD..." >&2; exit 2 ;;
esac
