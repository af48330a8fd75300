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
	builder := regexp.MustCompile(`(?m)^# base: golang:(\d+\.\d+\.\d+)-\S+\nFROM --platform=\$BUILDPLATFORM golang@sha256:[0-9a-f]{64} AS build$`).FindStringSubmatch(dockerfile)
	if toolchain == nil || builder == nil || toolchain[1] != builder[1] {
		t.Fatalf("builder image Go %v must equal go.mod toolchain %v", builder, toolchain)
	}
	for _, want := range []string{
		"./build.sh /out/api", // the same build the tests run
		"COPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download", // deps layer first
		"# base: gcr.io/distroless/static-debian12:nonroot\nFROM gcr.io/distroless/static-debian12@sha256:",
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

// Every image the build pulls is fixed by digest, with the tag it was resolved
// from in the comment above, which scripts/bump-base-images.sh reads.
func TestDockerfilePinsEveryBaseByDigest(t *testing.T) {
	lines := strings.Split(read(t, "../../Dockerfile"), "\n")
	from := regexp.MustCompile(`^FROM (--platform=\S+ )?(\S+?)@sha256:[0-9a-f]{64}( AS \w+)?$`)
	base := regexp.MustCompile(`^# base: (\S+):[\w][\w.-]*$`)
	stages := 0
	for i, line := range lines {
		if strings.HasPrefix(strings.ToLower(line), "# syntax=") && !strings.Contains(line, "@sha256:") {
			t.Errorf("line %d: the syntax directive pulls a frontend image by tag: %q", i+1, line)
		}
		if !strings.HasPrefix(line, "FROM ") {
			continue
		}
		stages++
		m := from.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d is not pinned by digest: %q", i+1, line)
			continue
		}
		var b []string
		if i > 0 {
			b = base.FindStringSubmatch(lines[i-1])
		}
		if b == nil || b[1] != m[2] {
			t.Errorf("line %d: %q needs '# base: %s:<tag>' on the line above", i+1, line, m[2])
		}
	}
	if stages != 2 {
		t.Errorf("expected a build and a runtime stage, found %d FROM lines", stages)
	}
}

// The build stage runs on the builder's platform and cross-compiles for the
// target; the runtime stage is the target's own image.
func TestDockerfileCrossCompilesNatively(t *testing.T) {
	dockerfile := read(t, "../../Dockerfile")
	build, runtime, found := strings.Cut(dockerfile, "\n# base: gcr.io/distroless/")
	if !found {
		t.Fatal("no runtime stage on gcr.io/distroless")
	}
	for _, want := range []string{
		"FROM --platform=$BUILDPLATFORM ",
		"\nARG TARGETOS\nARG TARGETARCH\n",
		`GOOS="$TARGETOS" GOARCH="$TARGETARCH" VERSION="$VERSION" COMMIT="$COMMIT" ./build.sh /out/api`,
	} {
		if !strings.Contains(build, want) {
			t.Errorf("build stage lacks %q", want)
		}
	}
	if strings.Contains(runtime, "--platform") {
		t.Error("the runtime stage must be the target platform's image, not pinned to another platform")
	}
	if strings.Contains(read(t, "../../build.sh"), "GOARCH=") {
		t.Error("build.sh must take GOOS/GOARCH from the environment, not set them")
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
