// Command bare is the benchmark's baseline: a plain net/http server that
// answers the benchmarked routes with fixed bytes captured from the real API,
// so the difference measures our routing, middleware, store and encoding.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	getBody := flag.String("get", "", "file with the body to answer GET with")
	postBody := flag.String("post", "", "file with the body to answer POST with")
	flag.Parse()
	get, err := os.ReadFile(*getBody)
	if err != nil {
		log.Fatal(err)
	}
	post, err := os.ReadFile(*postBody)
	if err != nil {
		log.Fatal(err)
	}
	answer := func(status int, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", answer(http.StatusOK, []byte(`{"status":"ready"}`+"\n")))
	mux.HandleFunc("GET /v1/items/{id}", answer(http.StatusOK, get))
	mux.HandleFunc("POST /v1/items", answer(http.StatusCreated, post))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
