//go:build benchpprof

package main

// Built only with the benchpprof tag (bench/run.sh with PROFILE_DIR), never
// by build.sh alone: PPROF_ADDR then serves net/http/pprof, so the benchmark
// can profile the API under its load.
import _ "goapi/bench/pprofserve"
