# shellcheck shell=bash
# Sourced by every stub executable of the local world (see ../local-world.ts).
# $STUB_WORLD is the folder that holds the fake machine's state: which
# containers exist, whether the Docker daemon answers, what the cluster runs.
# Each call is logged as "tool args..." in calls.log before it does anything.
W=${STUB_WORLD:?}
tool=${0##*/}
printf '%s\n' "$tool $*" >>"$W/calls.log"

# An interrupt test writes a pattern for the start of a call into $W/block
# (`*` matches anything): the stub making that call touches $W/reached and
# waits there to be interrupted.
block_point() {
  [ -f "$W/block" ] || return 0
  local want
  read -r want <"$W/block"
  # shellcheck disable=SC2254 # the pattern is meant to match
  case "$tool $*" in
    $want*) ;;
    *) return 0 ;;
  esac
  : >"$W/reached"
  while :; do sleep 1; done
}

docker_down() { [ -e "$W/docker-down" ]; }
# The first line of a world file, or nothing; without a subprocess, since
# every stub call counts in the test suite's time.
fact() {
  fact=""
  [ ! -e "$W/$1" ] || read -r fact <"$W/$1" || true
}
cluster_ready() { fact cluster && [ "$fact" = ready ]; }
