//go:build benchpprof

package main

// With the benchpprof tag (bench/run.sh with PROFILE_DIR), PPROF_ADDR serves
// net/http/pprof, so the in-memory API is profiled under the same load as
// the API on PostgreSQL.
import _ "goapi/bench/pprofserve"
