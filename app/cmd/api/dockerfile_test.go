package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// No Docker engine runs in CI, so these tests hold the Dockerfile to the
// facts it must agree with.
func TestDockerfileAgreesWithTheModule(t *testing.T) {
	dockerfile := read(t, "../../Dockerfile")
	gomod := read(t, "../../go.mod")

	toolchain := regexp.MustCompile(`(?m)^toolchain go(\S+)$`).FindStringSubmatch(gomod)
	builder := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+\.\d+)-\S+ AS build$`).FindStringSubmatch(dockerfile)
	if toolchain == nil || builder == nil || toolchain[1] != builder[1] {
		t.Fatalf("builder image Go %v must equal go.mod toolchain %v", builder, toolchain)
	}
	for _, want := range []string{
		"./build.sh /out/api", // the same build the tests run
		"COPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download", // deps layer first
		"FROM gcr.io/distroless/static-debian12:nonroot",
		"USER 65532:65532",
		"EXPOSE 8080 9090", // the PORT and METRICS_PORT defaults
	} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if !strings.Contains(read(t, "../../build.sh"), "CGO_ENABLED=0 go build -trimpath") {
		t.Error("build.sh must build a static, path-free binary")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The in-memory store and the test PostgreSQL are for tests and the
// benchmark: state never lives in the shipped process.
func TestTheBinaryShipsNoTestDoubles(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	for _, pkg := range []string{"goapi/internal/items/itemstest", "goapi/internal/pgtest", "testing"} {
		if slices.Contains(deps, pkg) {
			t.Errorf("cmd/api depends on %s", pkg)
		}
	}
	if !slices.Contains(deps, "goapi/internal/postgres") {
		t.Error("cmd/api does not use the PostgreSQL store")
	}
}
