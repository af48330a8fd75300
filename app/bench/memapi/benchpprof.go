//go:build benchpprof

package main

import (
	"net/http"
	"net/http/pprof"
	"os"
)

// Built only with the benchpprof tag (bench/run.sh with PROFILE_DIR): then
// PPROF_ADDR serves net/http/pprof, so the benchmark can profile the
// in-memory API under the same load as the API on PostgreSQL.
func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	go func() { _ = http.ListenAndServe(addr, mux) }()
}
