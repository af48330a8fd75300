package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is built once by build.sh, the same script the Dockerfile and the
// benchmark use.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goapi-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "api")
	build := exec.Command("../../build.sh", binary)
	build.Env = append(os.Environ(), "VERSION=9.9.9-test", "COMMIT=abc1234")
	if out, err := build.CombinedOutput(); err != nil {
		panic("build.sh: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func TestBadConfigExits2WithOneLine(t *testing.T) {
	cases := map[string][]string{
		"API_TOKEN":    {},
		"PORT":         {"API_TOKEN=0123456789abcdef", "PORT=eighty"},
		"DRAIN_DELAY":  {"API_TOKEN=0123456789abcdef", "DRAIN_DELAY=forever"},
		"METRICS_PORT": {"API_TOKEN=0123456789abcdef", "PORT=9000", "METRICS_PORT=9000"},
	}
	for variable, env := range cases {
		cmd := exec.Command(binary)
		cmd.Env = env
		var stderr, stdout bytes.Buffer
		cmd.Stderr, cmd.Stdout = &stderr, &stdout
		err := cmd.Run()
		exit, ok := err.(*exec.ExitError)
		if !ok || exit.ExitCode() != 2 {
			t.Errorf("%s: want exit code 2, got %v", variable, err)
			continue
		}
		msg := stderr.String()
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, variable+": ") {
			t.Errorf("%s: want one line naming it, got %q", variable, msg)
		}
		if stdout.Len() != 0 {
			t.Errorf("%s: nothing may start before config is valid, got %q", variable, stdout.String())
		}
	}
}

func TestServesThenStopsCleanlyOnSIGTERM(t *testing.T) {
	port := freePort(t)
	cmd := exec.Command(binary)
	cmd.Env = []string{"API_TOKEN=0123456789abcdef", "PORT=" + port, "METRICS_PORT=" + freePort(t),
		"DRAIN_DELAY=200ms", "SHUTDOWN_TIMEOUT=2s"}
	var logs bytes.Buffer
	cmd.Stdout = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + port
	started := time.Now()
	for {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(started) > 5*time.Second {
			_ = cmd.Process.Kill()
			t.Fatalf("never ready; logs:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}

	resp, err := http.Get(base + "/version")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&v)
	_ = resp.Body.Close()
	if v["version"] != "9.9.9-test" || v["commit"] != "abc1234" {
		t.Fatalf("build.sh did not inject version and commit: %v", v)
	}

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if took := time.Since(sent); took > 2200*time.Millisecond {
		t.Fatalf("took %s to stop", took)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", logs.String())
	}
}
