#!/usr/bin/env bash
# Undoes what up.sh did in the folder $1: stops every process it started (by
# recorded PID, then anything still running from that folder or in the nodes'
# cgroups), runs kube-router's and kube-proxy's own clean-up, stops the plane,
# unmounts what the nodes mounted, deletes the bridge and our iptables rules,
# chains and ipsets, restores the sysctls it recorded, removes the cgroups, and
# removes the folder (its logs are kept in .tools/e2e/last-logs). Goes on past
# errors; safe to run twice, and on a run that was killed half-way.
set -uo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# Without an argument: the cluster that `npm run test:e2e -- --keep` left.
state=${1:-$(cat "$e2e_tools/active" 2>/dev/null)}
if [ -z "$state" ] || [ ! -d "$state" ]; then
  rm -f "$e2e_tools/active"
  exit 0
fi
state=$(cd "$state" && pwd)

# Processes of this run: their command line names the folder. Never this
# script or the ones that called it (their arguments name it too).
ancestors=" "
pid=$$
while [ "$pid" -gt 1 ]; do
  ancestors+="$pid "
  pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 1)
done
ours() { # pid
  case $ancestors in *" $1 "*) return 1 ;; esac
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$state/"
}
stop() { # name
  local f="$state/pids/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do ours "$pid" || break; sleep 0.1; done
    ours "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
}
# Every process in a cgroup subtree (the containers of a node, BuildKit's steps).
kill_cgroup() { # name
  [ -d "/sys/fs/cgroup/pids/$1" ] || return 0
  local procs
  procs=$(find "/sys/fs/cgroup/pids/$1" -name cgroup.procs -exec cat {} + 2>/dev/null)
  # shellcheck disable=SC2086 # one PID per word
  [ -z "$procs" ] || kill -KILL $procs 2>/dev/null
}
remove_cgroup() { # name
  local c
  for c in /sys/fs/cgroup/*/; do
    [ -d "$c$1" ] && find "$c$1" -depth -type d -exec rmdir {} + 2>/dev/null
  done
}

mkdir -p "$e2e_tools"
rm -rf "$e2e_tools/last-logs"
[ -d "$state/logs" ] && cp -a "$state/logs" "$e2e_tools/last-logs"
for n in "${node_names[@]}"; do
  [ -d "$state/$n/pod-logs" ] && cp -a "$state/$n/pod-logs" "$e2e_tools/last-logs/pods-$n"
done

# The delivery controllers of npm run test:delivery (test/e2e/delivery.ts).
for f in "$state"/pids/delivery-*.pid; do
  [ -e "$f" ] || continue
  f=${f##*/}
  stop "${f%.pid}"
done
stop kube-router
[ -x "$e2e_bin/kube-router" ] && "$e2e_bin/kube-router" --cleanup-config >/dev/null 2>&1
stop kube-proxy
[ -x "$bin_dir/kube-proxy" ] && "$bin_dir/kube-proxy" --cleanup >/dev/null 2>&1
for n in "${node_names[@]}"; do stop "kubelet-$n"; done
for n in "${node_names[@]}"; do kill_cgroup "$n"; done
for n in "${node_names[@]}"; do stop "containerd-$n"; done
stop buildkitd
kill_cgroup goapi-e2e-buildkit
stop registry
# Anything left that runs from this folder: containerd's shims, above all.
for _ in 1 2 3; do
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    ours "$p" && kill -KILL "$p" 2>/dev/null
  done
  sleep 0.2
done
[ -d "$state/plane" ] && "$repo_root/scripts/cluster/down.sh" "$state/plane" >/dev/null

# Mounts: pods' volumes, network namespaces, container root file systems, BuildKit's snapshots.
for root in "$state" "$e2e_tools/buildkit"; do
  findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null
  done
done

# Our rules (tagged goapi-e2e), then what kube-proxy, the kubelets and
# kube-router leave (KUBE-* chains and the rules that jump to them) and
# kube-router's ipsets.
# Each table is written back without them in one iptables-restore.
for cmd in iptables ip6tables; do
  command -v "$cmd-save" >/dev/null || continue
  for table in filter nat mangle raw; do
    rules=$("$cmd-save" -t "$table" 2>/dev/null) || continue
    grep -qE -- '^:KUBE-| -[jg] KUBE-|goapi-e2e' <<<"$rules" || continue
    grep -vE -- '^:KUBE-|^-A KUBE-| -[jg] KUBE-|goapi-e2e' <<<"$rules" | "$cmd-restore" -T "$table"
  done
done
if command -v ipset >/dev/null; then
  ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)' | xargs -r -n1 ipset destroy 2>/dev/null
fi
ip link show "$bridge" >/dev/null 2>&1 && ip link del "$bridge"

if [ -f "$state/sysctls" ]; then
  while IFS= read -r setting; do sysctl -qw "$setting" 2>/dev/null; done <"$state/sysctls"
fi
# A killed process leaves its cgroup a moment later.
for _ in 1 2 3 4 5; do
  for n in "${node_names[@]}" goapi-e2e-buildkit; do remove_cgroup "$n"; done
  compgen -G '/sys/fs/cgroup/*/goapi-e2e-*' >/dev/null || break
  sleep 1
done

left=$(findmnt -rn -o TARGET | grep -cF "$state/")
if [ "$left" != 0 ]; then
  say "$left mounts under $state could not be removed; leaving the folder"
  exit 1
fi
rm -rf "$state"
[ "$(cat "$e2e_tools/active" 2>/dev/null)" = "$state" ] && rm -f "$e2e_tools/active"
say "down: removed $state (logs in ${e2e_tools#"$repo_root"/}/last-logs)"
