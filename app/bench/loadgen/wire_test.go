package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The closed loop sends the API's two requests as net/http's server reads
// them: GETs of the item, every n-th a POST with its body, type and token.
func TestRunSendsTheRequestsTheServerExpects(t *testing.T) {
	var (
		mu          sync.Mutex
		gets, posts int
		bad         []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == "GET" && r.URL.Path == "/v1/items/it-1":
			gets++
			_, _ = io.WriteString(w, `{"id":"it-1"}`)
		case r.Method == "POST" && r.URL.Path == "/v1/items":
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), `"name":"bench"`) {
				bad = append(bad, r.Header.Get("Authorization")+" "+string(body))
			}
			posts++
			w.WriteHeader(http.StatusCreated)
		default:
			bad = append(bad, r.Method+" "+r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()

	r, err := run(srv.URL, "it-1", "tok", 4, 300*time.Millisecond, 3)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 || r.Errors != 0 {
		t.Fatalf("%d errors; requests the server did not expect: %q", r.Errors, bad)
	}
	if r.Count != gets+posts || posts == 0 || gets < 2*posts || gets > 2*posts+8 {
		t.Fatalf("counted %d; the server saw %d GETs and %d POSTs (want every 3rd a POST on each of 4 connections)", r.Count, gets, posts)
	}
}

// Every answer of 400 or more and every connection error counts as failed;
// an answer that closes its connection is followed by a new one.
func TestRunCountsFailuresAndRedials(t *testing.T) {
	var (
		mu sync.Mutex
		n  int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		w.Header().Set("Connection", "close")
		if k%2 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	r, err := run(srv.URL, "x", "", 1, 200*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	seen := n
	mu.Unlock()
	if r.Count != seen || r.Count < 4 || r.Errors != r.Count/2 {
		t.Fatalf("%d sent, %d seen, %d failed: want every 2nd (503) failed and each answer on a new connection", r.Count, seen, r.Errors)
	}

	srv.Close()
	r, _ = run(srv.URL, "x", "", 2, 50*time.Millisecond, 0)
	if r.Count == 0 || r.Errors != r.Count {
		t.Fatalf("with the server gone: %d of %d failed, want all", r.Errors, r.Count)
	}
}

func TestRunRefusesWhatItCannotSpeak(t *testing.T) {
	for _, base := range []string{"https://127.0.0.1:1", "127.0.0.1:8080", "http://"} {
		if _, err := run(base, "x", "", 1, time.Millisecond, 0); err == nil {
			t.Errorf("run(%q) started; want an error naming the URL", base)
		}
	}
}

func TestReadAnswer(t *testing.T) {
	cases := []struct {
		name, wire   string
		status       int
		closing      bool
		err, nextErr bool
	}{
		{name: "sized body", wire: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"id\":\"it-1\"}", status: 200},
		{name: "header names in any case, blanks around values", wire: "HTTP/1.1 201 Created\r\ncontent-length:  2 \r\n\r\n{}", status: 201},
		{name: "connection close", wire: "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status: 503, closing: true},
		{name: "connection keep-alive", wire: "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200},
		{name: "no body by definition", wire: "HTTP/1.1 204 No Content\r\n\r\n", status: 204},
		{name: "not modified", wire: "HTTP/1.1 304 Not Modified\r\n\r\n", status: 304},
		{name: "chunked", wire: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", status: 200, err: true},
		{name: "chunked, with a length as well (the chunking wins: RFC 9112, 6.3)", wire: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", status: 200, err: true},
		{name: "no length", wire: "HTTP/1.1 200 OK\r\n\r\n{}", status: 200, err: true},
		{name: "negative length", wire: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", status: 200, err: true},
		{name: "length not a number", wire: "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", status: 200, err: true},
		{name: "body shorter than its length", wire: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", status: 200, err: true},
		{name: "header without a colon", wire: "HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n", status: 200, err: true},
		{name: "headers cut short", wire: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", status: 200, err: true},
		{name: "not HTTP", wire: "SSH-2.0-OpenSSH\r\n", err: true},
		{name: "HTTP/2 preface", wire: "HTTP/2 200\r\n\r\n", err: true},
		{name: "status not a number", wire: "HTTP/1.1 2x0 OK\r\n\r\n", err: true},
		{name: "nothing", wire: "", err: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A second answer behind the first: the first must be read to its end, no further.
			r := bufio.NewReader(strings.NewReader(c.wire + "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"))
			if c.name == "nothing" || c.name == "headers cut short" || c.name == "body shorter than its length" {
				r = bufio.NewReader(strings.NewReader(c.wire))
			}
			status, closing, err := readAnswer(r)
			if (err != nil) != c.err || status != c.status || closing != c.closing {
				t.Fatalf("readAnswer = %d, %v, %v; want %d, %v, error %v", status, closing, err, c.status, c.closing, c.err)
			}
			if (c.name == "chunked" || c.name == "no length") && !errors.Is(err, errUnsupported) {
				t.Fatalf("error %v, want errUnsupported", err)
			}
			if err == nil {
				if next, _, err := readAnswer(r); err != nil || next != 202 {
					t.Fatalf("the next answer: %d, %v; want 202 (the first was not read exactly to its end)", next, err)
				}
			}
		})
	}
}
