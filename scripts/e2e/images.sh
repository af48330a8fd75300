#!/usr/bin/env bash
# Builds every image the real nodes run, with the BuildKit of up.sh, and
# pushes each to the local registry (127.0.0.1:5000): the sandbox ("pause")
# image, CoreDNS, PostgreSQL from Debian's packages, a busybox client, and the
# app from app/Dockerfile (scripts/e2e/app-images.sh). Writes the references,
# pinned by digest, to $1/images.env.
# Usage: images.sh STATE   (after up.sh has started the registry and BuildKit)
set -euo pipefail
# shellcheck source=scripts/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
state=${1:?usage: images.sh STATE}
work="$state/images"
rm -rf "$work"
mkdir -p "$work"

# A rootfs directory as a FROM-scratch image; prints its reference by digest.
# The directory keeps its modes; everything is owned by root unless listed.
image_from_rootfs() { # name rootfs [Dockerfile lines...]
  local name=$1 rootfs=$2
  shift 2
  {
    printf 'FROM scratch\nCOPY . /\n'
    printf '%s\n' "$@"
  } >"$work/$name.Dockerfile"
  push_build "$state" "$name" --local context="$rootfs" --local dockerfile="$work" --opt filename="$name.Dockerfile"
}

# Copies binaries with the shared libraries they load (ldd) into a rootfs.
with_libraries() { # rootfs file...
  local root=$1 f lib
  shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -aL "$f" "$root$f"
    while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -aL "$lib" "$root$lib"
    done < <(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true)
  done
}

busybox_into() { # rootfs applet...
  local root=$1 applet
  shift
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in "$@"; do ln -sf busybox "$root/bin/$applet"; done
}

# --- the sandbox image: scripts/e2e/pause/main.go, built by build.sh
root="$work/pause-rootfs"
mkdir -p "$root"
cp "$e2e_bin/pause" "$root/pause"
pause_ref=$(image_from_rootfs pause "$root" 'USER 65535:65535' 'ENTRYPOINT ["/pause"]')

# --- CoreDNS, built by build.sh with the cluster DNS plugins only
root="$work/coredns-rootfs"
mkdir -p "$root"
cp "$e2e_bin/coredns" "$root/coredns"
coredns_ref=$(image_from_rootfs coredns "$root" 'USER 65532:65532' 'ENTRYPOINT ["/coredns"]')

# --- a client for checks from other namespaces: busybox's wget and nslookup
root="$work/client-rootfs"
busybox_into "$root" sh wget nslookup sleep cat echo timeout date
# The static busybox still resolves names through glibc's NSS modules, which
# it loads at run time: without them wget crashes.
with_libraries "$root" /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2
mkdir -p "$root/etc" "$root/tmp"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
client_ref=$(image_from_rootfs client "$root" 'USER 65534:65534')

# --- PostgreSQL from Debian's packages: the server binaries of the Go tests'
# PostgreSQL, the libraries they load, a shell for the entrypoint, and a user
# for the uid components/postgres.ts runs it as.
pg_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n1 | xargs dirname)
[ -x "$pg_bin/postgres" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql-15)"
pg_major=$(basename "$(dirname "$pg_bin")")
pg_lib="/usr/lib/postgresql/$pg_major/lib"
root="$work/postgres-rootfs"
# No LLVM JIT (libLLVM alone is over 100 MB): PostgreSQL runs without it.
mapfile -t pg_modules < <(find "$pg_lib" -maxdepth 1 -name '*.so' ! -name 'llvmjit*')
with_libraries "$root" "$pg_bin"/{postgres,initdb,pg_ctl,pg_isready,psql} "${pg_modules[@]}"
mkdir -p "$root/usr/share/postgresql" "$root/usr/share" "$root/etc" "$root/tmp" "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
cp -a "/usr/share/postgresql/$pg_major" "$root/usr/share/postgresql/"
cp -a /usr/share/zoneinfo "$root/usr/share/"
# initdb's locale, C.UTF-8: glibc's compiled locale (libc-bin).
mkdir -p "$root/usr/lib/locale"
cp -a /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
busybox_into "$root" sh cat rm mktemp printf
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:10001:10001:PostgreSQL:/var/lib/postgresql:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\npostgres:x:10001:\n' >"$root/etc/group"
install -m 0755 "$repo_root/scripts/e2e/postgres-entrypoint.sh" "$root/docker-entrypoint.sh"
postgres_ref=$(image_from_rootfs postgres "$root" \
  "ENV PATH=/usr/lib/postgresql/$pg_major/bin:/bin PGDATA=/var/lib/postgresql/data LANG=C.UTF-8" \
  'USER 10001:10001' 'STOPSIGNAL SIGINT' 'ENTRYPOINT ["/docker-entrypoint.sh"]' 'CMD ["postgres"]')

# --- the app: app/Dockerfile with its bases substituted (app-images.sh)
"$repo_root/scripts/e2e/app-images.sh" "$state" >"$work/app.env"

{
  printf 'pause_image=%s\n' "$pause_ref"
  printf 'coredns_image=%s\n' "$coredns_ref"
  printf 'client_image=%s\n' "$client_ref"
  printf 'postgres_image=%s\n' "$postgres_ref"
  cat "$work/app.env"
} >"$state/images.env"
