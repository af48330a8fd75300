package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeItemInput checks that no body makes the decoder panic, that a
// refusal always carries a 4xx status, and that an accepted input survives
// being encoded and decoded again. The seeds run with every `go test`.
func FuzzDecodeItemInput(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a"}`, `{"name":"a","description":"b"}`, `{}`, `{"description":null}`,
		`{"name":"a"} {"name":"b"}`, `{"name":"a"}]`, `{"name":`, ``, `[]`, `null`,
		`{"name":7}`, `{"admin":true}`, `{"name":"\u00e9\ud800"}`, "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		in, problem := decodeItemInput(strings.NewReader(body))
		if problem != nil {
			if problem.status < 400 || problem.status > 499 || problem.code == "" {
				t.Fatalf("refusal %+v for %q", problem, body)
			}
			if len(body) >= 16 && strings.Contains(problem.message, body) {
				t.Fatalf("message echoes the body: %q", problem.message)
			}
			return
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		back, problem := decodeItemInput(bytes.NewReader(again))
		if problem != nil || !reflect.DeepEqual(back, in) {
			t.Fatalf("%q decoded to %s, which does not decode back the same (%+v)", body, again, problem)
		}
	})
}

func TestDecodeRefusals(t *testing.T) {
	cases := map[string]int{
		`{"name":"a"} {"name":"b"}`: http.StatusBadRequest,
		`{"name":"a","x":1}`:        http.StatusBadRequest,
		`[1]`:                       http.StatusBadRequest,
	}
	for body, want := range cases {
		if _, p := decodeItemInput(strings.NewReader(body)); p == nil || p.status != want {
			t.Errorf("%q: got %+v, want %d", body, p, want)
		}
	}
	in, p := decodeItemInput(strings.NewReader(`{"name":"a","description":"b"}` + "\n"))
	if p != nil || *in.Name != "a" || *in.Description != "b" {
		t.Fatalf("a trailing newline is fine: %+v %+v", in, p)
	}
}
