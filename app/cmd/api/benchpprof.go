//go:build benchpprof

package main

import (
	"net/http"
	"net/http/pprof"
	"os"
)

// Built only with the benchpprof tag (bench/run.sh with PROFILE_DIR), never
// by build.sh alone: PPROF_ADDR then serves net/http/pprof, so the benchmark
// can profile the API under its load. A test holds the shipped build to
// having no such listener.
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
