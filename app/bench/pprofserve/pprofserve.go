// Package pprofserve serves net/http/pprof on PPROF_ADDR when it is set, so
// bench/run.sh can profile a server under its load. Only files behind the
// benchpprof build tag import it: the binary build.sh makes never serves
// profiles (cmd/api's TestTheShippedBinaryServesNoProfiles holds that).
package pprofserve

import (
	"net/http"
	"net/http/pprof"
	"os"
)

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
