package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// benchpprof.go serves net/http/pprof for the benchmark only: the binary
// build.sh makes, the one that ships, has no profiling listener, and the tag
// is what brings it in (so this test would notice the file losing its tag).
func TestTheShippedBinaryServesNoProfiles(t *testing.T) {
	deps := func(tags string) []string {
		cmd := exec.Command("go", "list", "-tags="+tags, "-deps", ".")
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))
	}
	if slices.Contains(deps(""), "net/http/pprof") {
		t.Error("cmd/api depends on net/http/pprof without the benchpprof tag")
	}
	if !slices.Contains(deps("benchpprof"), "net/http/pprof") {
		t.Error("the benchpprof tag no longer adds the profiling listener; this test would check nothing")
	}
	info, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(info), "benchpprof") {
		t.Errorf("build.sh built the binary with the benchpprof tag:\n%s", info)
	}
}
