#!/usr/bin/env bash
# Installs from Debian what the real nodes need, when it is missing:
# containerd, runc, the CNI plugins, the registry (distribution), iptables,
# ipset (kube-router), conntrack, busybox (the small images' shell), curl,
# and the PostgreSQL server binaries (the in-cluster database's image). No
# service is started: up.sh starts its own, on its own ports.
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

# command or file -> the package that brings it
declare -A wanted=(
  [containerd]=containerd [runc]=runc [/usr/lib/cni/bridge]=containernetworking-plugins
  [docker-registry]=docker-registry [iptables]=iptables [ipset]=ipset [conntrack]=conntrack
  [/bin/busybox]=busybox-static [curl]=curl
)
missing=()
for what in "${!wanted[@]}"; do
  case $what in
    /*) [ -x "$what" ] ;;
    *) command -v "$what" >/dev/null 2>&1 ;;
  esac || missing+=("${wanted[$what]}")
done
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql-15)
[ "${#missing[@]}" = 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (apt-get install them as root)"
say "installing from Debian: ${missing[*]}"
# Package scripts must not start their services (the registry would take
# port 5000 on every interface): a policy that refuses, for this install only.
policy=/usr/sbin/policy-rc.d
placed=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  placed=1
fi
trap '[ "$placed" = 0 ] || rm -f "$policy"' EXIT
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
