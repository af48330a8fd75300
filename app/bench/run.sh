#!/usr/bin/env bash
# Benchmark the API on PostgreSQL against the same server on the in-memory
# test double store and against a bare net/http handler that answers the
# same bytes, all in one run on loopback, and print throughput, latency,
# memory, start-up time and binary size with the ratios between them. Then
# the API on PostgreSQL with tracing on (10% of new traces sampled, exported
# over OTLP/HTTP to bench/otlpsink) against tracing off, in turns.
# PostgreSQL is a throwaway one (bench/pgtemp: needs the server binaries, as
# the tests do). Before them, the database floor (bench/dbfloor): the API's
# own store calls on the API's pool settings at the same concurrency, no HTTP.
# It prints the machine's load average at start and end and each driver's
# own CPU share, and refuses to print ratios when a driver took more than
# MAX_DRIVER_SHARE (default 0.5) of the machine: then the figures measure the
# load generator, not the servers. It also prints the CPU time per request of
# each run's driver, server and PostgreSQL: unlike requests per second, that
# hardly moves with other work on the machine, and it shows where the cores
# go. With PROFILE_DIR set, it also writes CPU profiles there of the floor's
# loop and of the API on PostgreSQL and in memory while they are driven
# (floor.pprof, api.pprof, mem.pprof): the servers are then built with the
# benchpprof tag, which serves net/http/pprof on PPROF_ADDR; build.sh alone
# never sets it, so the shipped binary has no such listener.
# Usage: app/bench/run.sh [DURATION] [CONNS]
set -euo pipefail
duration=${1:-10s}
conns=${2:-64}
max_driver_share=${MAX_DRIVER_SHARE:-0.5}
profile_dir=${PROFILE_DIR:-}
app=$(cd "$(dirname "$0")/.." && pwd)
floor_profile=() api_profile=() mem_profile=()
if [ -n "$profile_dir" ]; then
  # A CPU profile is taken for whole seconds.
  profile_seconds=${duration%s}
  if ! [[ $profile_seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: PROFILE_DIR needs DURATION in whole seconds, such as 5s" >&2
    exit 2
  fi
  mkdir -p "$profile_dir"
  profile_dir=$(cd "$profile_dir" && pwd)
  export GOFLAGS=-tags=benchpprof
  floor_profile=(-cpuprofile "$profile_dir/floor.pprof")
  api_profile=(PPROF_ADDR=127.0.0.1:16060)
  mem_profile=(PPROF_ADDR=127.0.0.1:16062)
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building with build.sh and the bench tools..."
"$app/build.sh" "$work/api"
(cd "$app" && for tool in loadgen dbfloor bare memapi pgtemp otlpsink; do go build -o "$work/$tool" "./bench/$tool"; done)

echo "starting a throwaway PostgreSQL..."
mkfifo "$work/pg.url"
"$work/pgtemp" >"$work/pg.url" &
pids+=($!)
pg_pid=$!
read -r database_url <"$work/pg.url"
DATABASE_URL=$database_url "$work/api" migrate >/dev/null

token=bench-token-0123456789
common=("API_TOKEN=$token" LOG_LEVEL=error DRAIN_DELAY=0s)

echo "starting the API on PostgreSQL and timing exec -> /readyz 200 (database answered)..."
start_ns=$(date +%s%N)
env "${common[@]}" "${api_profile[@]}" DATABASE_URL="$database_url" PORT=18080 METRICS_PORT=19090 "$work/api" &
pids+=($!)
api_pid=$!
ready_ms=$("$work/loadgen" -ready -url http://127.0.0.1:18080 -since "$start_ns")
env "${common[@]}" "${mem_profile[@]}" PORT=18082 METRICS_PORT=19092 "$work/memapi" &
pids+=($!)
mem_pid=$!
"$work/loadgen" -ready -url http://127.0.0.1:18082 -since "$(date +%s%N)" >/dev/null
sleep 1
idle_rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$api_pid/status")

# One item to GET on each server; the bare handler answers the API's bytes.
item_on() {
  curl -fsS -o "$work/post-$1.json" -X POST "http://127.0.0.1:$1/v1/items" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" -d '{"name":"bench","description":"load generator item"}'
  sed -E 's/.*"id":"([^"]+)".*/\1/' "$work/post-$1.json"
}
pg_id=$(item_on 18080)
mem_id=$(item_on 18082)
curl -fsS -o "$work/get.json" "http://127.0.0.1:18080/v1/items/$pg_id"
"$work/bare" -addr 127.0.0.1:18081 -get "$work/get.json" -post "$work/post-18080.json" &
pids+=($!)
bare_pid=$!
"$work/loadgen" -ready -url http://127.0.0.1:18081 -since "$(date +%s%N)" >/dev/null

# CPU clock ticks (user and system, with reaped children: PostgreSQL's
# backends that ended) of a process and all its descendants.
tree_ticks() { # pid
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { pid = $1; rest = $0; sub(/.*\) /, "", rest); split(rest, f, " ")
      parent[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
    function sum(p,   c, t) { t = ticks[p]; for (c in parent) if (parent[c] == p) t += sum(c); return t }
    END { print (root in ticks) ? sum(root) : 0 }'
}
# measured SERVER_PID CMD...: CMD's output line, with the CPU ticks its run
# took in the server under test and in PostgreSQL.
measured() {
  local server=$1 s0 p0 line
  shift
  s0=$(tree_ticks "$server")
  p0=$(tree_ticks "$pg_pid")
  line=$("$@")
  echo "$line server_ticks=$(($(tree_ticks "$server") - s0)) pg_ticks=$(($(tree_ticks "$pg_pid") - p0))"
}
drive() { measured "$3" "$work/loadgen" -url "http://127.0.0.1:$1" -id "$2" -token "$token" -c "$conns" -d "$duration"; }
# profiled PPROF_PORT FILE CMD...: CMD's output, with a CPU profile of the
# server on PPROF_PORT written to FILE meanwhile when PROFILE_DIR is set.
profiled() {
  local port=$1 file=$2 curl_pid
  shift 2
  if [ -z "$profile_dir" ]; then "$@"; return; fi
  curl -fsS -o "$profile_dir/$file" "http://127.0.0.1:$port/debug/pprof/profile?seconds=$profile_seconds" &
  curl_pid=$!
  "$@"
  wait "$curl_pid"
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "the database floor for $duration with $conns workers (9 get : 1 create, the API's store and pool settings)..."
# The floor has no server: its driver is the API's store on the API's pool.
floor_line=$(measured 0 env "${common[@]}" DATABASE_URL="$database_url" "$work/dbfloor" -c "$conns" -d "$duration" "${floor_profile[@]}")
echo "driving each for $duration with $conns connections (9 GET : 1 POST): API on PostgreSQL..."
pg_line=$(profiled 16060 api.pprof drive 18080 "$pg_id" "$api_pid")
echo "... API on the in-memory store..."
mem_line=$(profiled 16062 mem.pprof drive 18082 "$mem_id" "$mem_pid")
echo "... bare net/http..."
bare_line=$(drive 18081 "$pg_id" "$bare_pid")
load_end=$(cut -d' ' -f1-3 /proc/loadavg)


size_bytes=$(stat -c %s "$work/api")
if [ -n "$profile_dir" ]; then
  echo "CPU profiles in $profile_dir (floor.pprof, api.pprof, mem.pprof); the binary measured below is the benchpprof build"
fi
awk -v floor="$floor_line" -v pg="$pg_line" -v mem="$mem_line" -v bare="$bare_line" -v max_share="$max_driver_share" \
    -v load_start="$load_start" -v load_end="$load_end" -v cores="$(nproc)" -v tck="$(getconf CLK_TCK)" \
    -v rss="$idle_rss_kib" -v ready="$ready_ms" -v size="$size_bytes" -v conns="$conns" '
function get(line, key,   re) { re = key "=[^ ]+"; match(line, re); return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1) + 0 }
function verdict(ok) { return ok ? "ok" : "MISSED" }
# CPU microseconds per request: of the driver (its share of the cores over the run), and of a process
# tree from the clock ticks measured() added.
function us_driver(line) { return get(line, "cpu_share") * cores * 1e6 / get(line, "rps") }
function us(line, key) { return get(line, key) / tck * 1e6 / get(line, "requests") }
function total(line) { return us_driver(line) + us(line, "server_ticks") + us(line, "pg_ticks") }
function ratio(name, value, target, ok) { printf "%-34s %8.2f   target %-7s %s\n", name, value, target, verdict(ok) }
BEGIN {
  printf "%-24s %14s %14s %14s %14s\n", "", "db floor", "api+postgres", "api+memory", "bare net/http"
  printf "%-24s %14.0f %14.0f %14.0f %14.0f\n", "requests/s", get(floor, "rps"), get(pg, "rps"), get(mem, "rps"), get(bare, "rps")
  printf "%-24s %14.3f %14.3f %14.3f %14.3f\n", "p50 ms", get(floor, "p50_ms"), get(pg, "p50_ms"), get(mem, "p50_ms"), get(bare, "p50_ms")
  printf "%-24s %14.3f %14.3f %14.3f %14.3f\n", "p99 ms", get(floor, "p99_ms"), get(pg, "p99_ms"), get(mem, "p99_ms"), get(bare, "p99_ms")
  printf "%-24s %14d %14d %14d %14d\n", "errors", get(floor, "errors"), get(pg, "errors"), get(mem, "errors"), get(bare, "errors")
  printf "%-24s %14.2f %14.2f %14.2f %14.2f\n", "driver CPU share", get(floor, "cpu_share"), get(pg, "cpu_share"), get(mem, "cpu_share"), get(bare, "cpu_share")
  printf "%-24s %14.1f %14.1f %14.1f %14.1f\n", "CPU us/request: driver", us_driver(floor), us_driver(pg), us_driver(mem), us_driver(bare)
  printf "%-24s %14s %14.1f %14.1f %14.1f\n", "  server", "-", us(pg, "server_ticks"), us(mem, "server_ticks"), us(bare, "server_ticks")
  printf "%-24s %14.1f %14.1f %14.1f %14.1f\n", "  PostgreSQL", us(floor, "pg_ticks"), us(pg, "pg_ticks"), us(mem, "pg_ticks"), us(bare, "pg_ticks")
  printf "%-24s %14.1f %14.1f %14.1f %14.1f\n", "  all three", total(floor), total(pg), total(mem), total(bare)
  printf "load average (1, 5, 15 min) at start %s, at end %s, on %d cores\n", load_start, load_end, cores
  worst = get(floor, "cpu_share")
  if (get(pg, "cpu_share") > worst) worst = get(pg, "cpu_share")
  if (get(mem, "cpu_share") > worst) worst = get(mem, "cpu_share")
  if (get(bare, "cpu_share") > worst) worst = get(bare, "cpu_share")
  if (worst > max_share) {
    printf "\nREFUSED: a driver used %.2f of the machine (more than %.2f): the figures measure the load generator, not the servers. Fewer connections, or a quieter machine.\n", worst, max_share
    exit 3
  }
  printf "\nratios (same run)\n"
  ratio("api+postgres / floor requests/s", get(pg, "rps") / get(floor, "rps"), ">= 0.8", get(pg, "rps") / get(floor, "rps") >= 0.8)
  ratio("api+postgres / floor p99", get(pg, "p99_ms") / get(floor, "p99_ms"), "<= 1.5", get(pg, "p99_ms") / get(floor, "p99_ms") <= 1.5)
  ratio("api+memory / bare requests/s", get(mem, "rps") / get(bare, "rps"), ">= 0.9", get(mem, "rps") / get(bare, "rps") >= 0.9)
  ratio("api+memory / bare p99", get(mem, "p99_ms") / get(bare, "p99_ms"), "<= 1.2", get(mem, "p99_ms") / get(bare, "p99_ms") <= 1.2)
  # When every run keeps both cores busy, throughput goes as the inverse of the CPU a request takes.
  printf "%-34s %8.2f   (all-three CPU per request, floor / api+postgres)\n", "CPU-bound ceiling of the first", total(floor) / total(pg)
  printf "%-34s %8.2f\n", "api+postgres / api+memory req/s", get(pg, "rps") / get(mem, "rps")
  printf "%-34s %8.2f\n", "api+postgres / bare requests/s", get(pg, "rps") / get(bare, "rps")
  printf "\n%-28s %10.1f   target <= 20    %s\n", "idle RSS MiB (api+postgres)", rss / 1024, verdict(rss / 1024 <= 20)
  printf "%-28s %10.1f   target <= 100   %s\n", "exec to /readyz 200 ms", ready, verdict(ready <= 100)
  printf "%-28s %10.1f   target <= 25    %s\n", "stripped binary MB", size / 1e6, verdict(size / 1e6 <= 25)
  printf "(%d connections; the load generator shares the cores with the servers and PostgreSQL)\n", conns
}'
# TRACING=0 stops here, for a short run of the comparison above.
[ "${TRACING:-1}" != 0 ] || exit 0
echo "starting the API on PostgreSQL with tracing on, exporting to an OTLP sink..."
"$work/otlpsink" -addr 127.0.0.1:14318 2>"$work/otlpsink.log" &
pids+=($!)
sink_pid=$!
env "${common[@]}" DATABASE_URL="$database_url" PORT=18083 METRICS_PORT=19093 \
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14318 OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1 \
  "$work/api" &
pids+=($!)
"$work/loadgen" -ready -url http://127.0.0.1:18083 -since "$(date +%s%N)" >/dev/null
# In turns, off and on twice, so a change in the machine's load between two
# runs weighs on both sides.
echo "tracing off and on in turns, each for $duration with $conns connections..."
off_1=$(drive 18080 "$pg_id")
on_1=$(drive 18083 "$pg_id")
off_2=$(drive 18080 "$pg_id")
on_2=$(drive 18083 "$pg_id")
kill "$sink_pid"
wait "$sink_pid" 2>/dev/null || true
exported=$(sed -n 's/^otlpsink: //p' "$work/otlpsink.log")
awk -v off1="$off_1" -v off2="$off_2" -v on1="$on_1" -v on2="$on_2" -v exported="$exported" '
function get(line, key,   re) { re = key "=[^ ]+"; match(line, re); return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1) + 0 }
function verdict(ok) { return ok ? "ok" : "MISSED" }
BEGIN {
  printf "\n%-24s %14s %14s %14s %14s\n", "tracing (api+postgres)", "off, run 1", "on, run 1", "off, run 2", "on, run 2"
  printf "%-24s %14.0f %14.0f %14.0f %14.0f\n", "requests/s", get(off1, "rps"), get(on1, "rps"), get(off2, "rps"), get(on2, "rps")
  printf "%-24s %14.3f %14.3f %14.3f %14.3f\n", "p99 ms", get(off1, "p99_ms"), get(on1, "p99_ms"), get(off2, "p99_ms"), get(on2, "p99_ms")
  printf "%-24s %14d %14d %14d %14d\n", "errors", get(off1, "errors"), get(on1, "errors"), get(off2, "errors"), get(on2, "errors")
  rps = (get(on1, "rps") + get(on2, "rps")) / (get(off1, "rps") + get(off2, "rps"))
  p99 = (get(on1, "p99_ms") + get(on2, "p99_ms")) / (get(off1, "p99_ms") + get(off2, "p99_ms"))
  printf "\n%-28s %10.2f   target >= 0.9   %s\n", "tracing on/off requests/s", rps, verdict(rps >= 0.9)
  printf "%-28s %10.2f   target <= 1.2   %s\n", "tracing on/off p99", p99, verdict(p99 <= 1.2)
  printf "(10%% of new traces sampled and exported: %s)\n", exported
}'
