#!/usr/bin/env bash
# Benchmark the API against a bare net/http handler that answers the same
# bytes, on loopback, and print throughput, latency, memory, start-up time and
# binary size next to the targets. Usage: app/bench/run.sh [DURATION] [CONNS]
set -euo pipefail
duration=${1:-10s}
conns=${2:-64}
app=$(cd "$(dirname "$0")/.." && pwd)
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
(cd "$app" && go build -o "$work/loadgen" ./bench/loadgen && go build -o "$work/bare" ./bench/bare)

token=bench-token-0123456789
api_port=18080
bare_port=18081
api=http://127.0.0.1:$api_port

echo "starting the API and timing exec -> /readyz 200..."
start_ns=$(date +%s%N)
API_TOKEN=$token PORT=$api_port METRICS_PORT=19090 LOG_LEVEL=error DRAIN_DELAY=0s "$work/api" &
pids+=($!)
api_pid=$!
ready_ms=$("$work/loadgen" -ready -url "$api" -since "$start_ns")
sleep 1
idle_rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$api_pid/status")

curl -fsS -o "$work/post.json" -X POST "$api/v1/items" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $token" -d '{"name":"bench","description":"load generator item"}'
id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' "$work/post.json")
curl -fsS -o "$work/get.json" "$api/v1/items/$id"

"$work/bare" -addr "127.0.0.1:$bare_port" -get "$work/get.json" -post "$work/post.json" &
pids+=($!)
"$work/loadgen" -ready -url "http://127.0.0.1:$bare_port" -since "$(date +%s%N)" >/dev/null

echo "driving the API for $duration with $conns connections (9 GET : 1 POST)..."
api_line=$("$work/loadgen" -url "$api" -id "$id" -token "$token" -c "$conns" -d "$duration")
echo "driving the bare handler the same way..."
bare_line=$("$work/loadgen" -url "http://127.0.0.1:$bare_port" -id "$id" -token "$token" -c "$conns" -d "$duration")

field() { sed -E "s/.*$1=([^ ]+).*/\1/" <<<"$2"; }
size_bytes=$(stat -c %s "$work/api")
awk -v api_rps="$(field rps "$api_line")" -v bare_rps="$(field rps "$bare_line")" \
    -v api_p50="$(field p50_ms "$api_line")" -v api_p99="$(field p99_ms "$api_line")" \
    -v bare_p50="$(field p50_ms "$bare_line")" -v bare_p99="$(field p99_ms "$bare_line")" \
    -v api_err="$(field errors "$api_line")" -v bare_err="$(field errors "$bare_line")" \
    -v rss="$idle_rss_kib" -v ready="$ready_ms" -v size="$size_bytes" -v conns="$conns" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
BEGIN {
  ratio = api_rps / bare_rps
  printf "%-28s %12s %12s\n", "", "api", "bare net/http"
  printf "%-28s %12.0f %12.0f\n", "requests/s", api_rps, bare_rps
  printf "%-28s %12.3f %12.3f\n", "p50 ms", api_p50, bare_p50
  printf "%-28s %12.3f %12.3f\n", "p99 ms", api_p99, bare_p99
  printf "%-28s %12d %12d\n", "errors", api_err, bare_err
  printf "\n%-28s %10.2f   target >= 0.80  %s\n", "throughput ratio", ratio, verdict(ratio >= 0.8)
  printf "%-28s %10.3f   target <= 5 ms  %s\n", "p99 at " conns " connections", api_p99, verdict(api_p99 <= 5)
  printf "%-28s %10.1f   target <= 20    %s\n", "idle RSS MiB", rss / 1024, verdict(rss / 1024 <= 20)
  printf "%-28s %10.1f   target <= 100   %s\n", "exec to /readyz 200 ms", ready, verdict(ready <= 100)
  printf "%-28s %10.1f   target <= 15    %s\n", "stripped binary MB", size / 1e6, verdict(size / 1e6 <= 15)
}'
