package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
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
		if !utf8.ValidString(body) {
			t.Fatalf("accepted a body that is not UTF-8: %q", body)
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

// A body cut short is not valid JSON; only a body with nothing in it is empty.
func TestTruncatedBodyIsNotValidJSON(t *testing.T) {
	for _, body := range []string{`{"name":`, `{`, `{"name":"a"`, `{"name":"a",`, `{"name":"a","description":`, `{"na`} {
		if _, p := decodeItemInput(strings.NewReader(body)); p == nil || p.code != "malformed_json" || p.message != "the body is not valid JSON" {
			t.Errorf("%q: got %+v, want malformed_json: the body is not valid JSON", body, p)
		}
	}
	for _, body := range []string{``, " \n\t"} {
		if _, p := decodeItemInput(strings.NewReader(body)); p == nil || p.message != "the body is empty" {
			t.Errorf("%q: got %+v, want the body is empty", body, p)
		}
	}
}

// encoding/json replaces invalid UTF-8, and \u escapes of half a surrogate
// pair, with U+FFFD without a word: the body is refused instead, so what is
// stored is what the client sent.
func TestBodyMustBeValidUnicode(t *testing.T) {
	for _, body := range []string{"{\"name\":\"a\xffb\"}", "{\"name\":\"a\",\"description\":\"\xc3\"}", "{\"name\xfe\":\"a\"}", "\xef\xbb\xbf{\"name\":\"a\"}\xff"} {
		if _, p := decodeItemInput(strings.NewReader(body)); p == nil || p.code != "malformed_json" || p.message != "the body is not valid UTF-8" {
			t.Errorf("%q: got %+v, want malformed_json: the body is not valid UTF-8", body, p)
		}
	}
	for _, body := range []string{`{"name":"\ud800"}`, `{"name":"\udc00x"}`, `{"name":"a\ud83dz"}`, `{"name":"\ud800\u0041"}`, `{"name":"n","description":"\uDBFF"}`, `{"\ud800":"a"}`} {
		if _, p := decodeItemInput(strings.NewReader(body)); p == nil || p.code != "malformed_json" || !strings.Contains(p.message, "half of a surrogate pair") {
			t.Errorf("%s: got %+v, want a refused lone surrogate", body, p)
		}
	}
	for body, name := range map[string]string{
		`{"name":"\ud83d\ude80"}`:     "🚀",
		`{"name":"\\ud800"}`:          `\ud800`,  // an escaped backslash, then plain text
		`{"name":"\u00e9\ufffd"}`:     "é\ufffd", // U+FFFD sent on purpose is kept
		"{\"name\":\"\xef\xbf\xbd\"}": "\ufffd",
		`{"name":"\"\\\ud83d\ude80"}`: "\"\\🚀",
	} {
		in, p := decodeItemInput(strings.NewReader(body))
		if p != nil || in.Name == nil || *in.Name != name {
			t.Errorf("%s: got %+v %+v, want name %q", body, in, p, name)
		}
	}
}
