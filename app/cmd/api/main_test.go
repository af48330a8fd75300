package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goapi/internal/pgtest"
)

// binary is built once by build.sh, the same script the Dockerfile and the
// benchmark use; pg is the PostgreSQL these tests run it against.
var (
	binary string
	pg     *pgtest.Server
)

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
	code := pgtest.Main(m, &pg)
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const token = "0123456789abcdef"

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// logs collects a process's output while it runs.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// exitCode runs the binary with args and env to its end.
func exitCode(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

func migrateSchema(t *testing.T, url string) {
	t.Helper()
	if code, out, errOut := exitCode(t, []string{"DATABASE_URL=" + url}, "migrate"); code != 0 {
		t.Fatalf("migrate exited %d:\n%s%s", code, out, errOut)
	}
}

// api is a running API process.
type api struct {
	cmd     *exec.Cmd
	base    string
	metrics string
	logs    *logs
	done    chan error
}

// startAPI starts the binary on free ports and waits until it serves
// (/startupz), not until it is ready: readiness depends on the database.
func startAPI(t *testing.T, env ...string) *api {
	t.Helper()
	port, metricsPort := freePort(t), freePort(t)
	cmd := exec.Command(binary)
	cmd.Env = append([]string{"API_TOKEN=" + token, "PORT=" + port, "METRICS_PORT=" + metricsPort,
		"DRAIN_DELAY=0s", "SHUTDOWN_TIMEOUT=2s"}, env...)
	a := &api{cmd: cmd, base: "http://127.0.0.1:" + port, metrics: "http://127.0.0.1:" + metricsPort,
		logs: &logs{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = a.logs, a.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-a.done
		if t.Failed() {
			t.Logf("API logs:\n%s", a.logs.String())
		}
	})
	waitFor(t, "the API to serve", 5*time.Second, func() bool { return a.status("/startupz") == 200 })
	return a
}

var client = &http.Client{Timeout: 5 * time.Second}

func (a *api) status(path string) int {
	resp, err := client.Get(a.base + path)
	if err != nil {
		return -1
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func (a *api) stop(t *testing.T) error {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-a.done:
		a.done <- err // for Cleanup
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no exit within 5s of SIGTERM")
		return nil
	}
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %s waiting for %s", limit, what)
}

func TestBadConfigExits2WithOneLine(t *testing.T) {
	const password = "hunter2-do-not-print"
	withPassword := "postgres://goapi:" + password + "@db.internal:5432/goapi"
	good := []string{"API_TOKEN=" + token, "DATABASE_URL=" + withPassword}
	cases := []struct {
		variable string
		env      []string
		args     []string
	}{
		{"API_TOKEN", []string{"DATABASE_URL=" + withPassword}, nil},
		{"PORT", append(good, "PORT=eighty"), nil},
		{"DRAIN_DELAY", append(good, "DRAIN_DELAY=forever"), nil},
		{"METRICS_PORT", append(good, "PORT=9000", "METRICS_PORT=9000"), nil},
		{"DATABASE_URL", []string{"API_TOKEN=" + token}, nil},
		{"DATABASE_URL", []string{"API_TOKEN=" + token, "DATABASE_URL=postgres://goapi:" + password + "@db.internal:port/goapi"}, nil},
		{"DATABASE_URL", []string{"API_TOKEN=" + token, "DATABASE_URL=host=db password=" + password + " sslmode=bogus"}, nil},
		{"DB_MAX_CONNS", append(good, "DB_MAX_CONNS=0"), nil},
		{"DB_STATEMENT_TIMEOUT", append(good, "DB_STATEMENT_TIMEOUT=10s"), nil}, // not below WRITE_TIMEOUT
		{"OTEL_TRACES_SAMPLER_ARG", append(good, "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318", "OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=10%"), nil},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", append(good, "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"), nil},
		{"DATABASE_URL", nil, []string{"migrate"}},
		{"DATABASE_URL", []string{"DATABASE_URL=postgres://goapi:" + password + "@db:x/goapi"}, []string{"migrate"}},
		{"PORT", []string{"PORT=0"}, []string{"healthcheck"}},
	}
	for _, tc := range cases {
		code, stdout, stderr := exitCode(t, tc.env, tc.args...)
		name := strings.Join(append(tc.args, tc.variable), " ")
		if code != 2 {
			t.Errorf("%s: want exit code 2, got %d", name, code)
			continue
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "config: "+tc.variable+": ") {
			t.Errorf("%s: want one line naming it, got %q", name, stderr)
		}
		if strings.Contains(stderr+stdout, password) {
			t.Errorf("%s: the password was printed: %q", name, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: nothing may start before config is valid, got %q", name, stdout)
		}
	}
	for _, args := range [][]string{{"serve", "now"}, {"migrations"}, {"--help"}} {
		if code, _, stderr := exitCode(t, good, args...); code != 2 || !strings.HasPrefix(stderr, "usage: api ") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// Every bad variable is named at once, each on its own line.
func TestBadConfigNamesEveryVariable(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		args []string
		want []string
	}{
		{nil, nil, []string{"API_TOKEN", "DATABASE_URL"}},
		{[]string{"PORT=eighty", "LOG_LEVEL=loud"}, nil, []string{"PORT", "LOG_LEVEL", "API_TOKEN", "DATABASE_URL"}},
		{[]string{"LOG_LEVEL=loud"}, []string{"migrate"}, []string{"LOG_LEVEL", "DATABASE_URL"}},
	} {
		code, stdout, stderr := exitCode(t, tc.env, tc.args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != 2 || stdout != "" || len(lines) != len(tc.want) {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want exit 2 and a line for each of %v", tc.args, tc.env, code, stdout, stderr, tc.want)
			continue
		}
		for i, v := range tc.want {
			if !strings.HasPrefix(lines[i], "config: "+v+": ") {
				t.Errorf("%v %v: line %d is %q, want config: %s: ...", tc.args, tc.env, i+1, lines[i], v)
			}
		}
	}
}

func TestMigrateSubcommand(t *testing.T) {
	url := pg.Schema(t)
	env := []string{"DATABASE_URL=" + url}
	code, out, _ := exitCode(t, env, "migrate")
	if code != 0 || !strings.Contains(out, `"msg":"applied migration"`) || !strings.Contains(out, `"applied":1`) {
		t.Fatalf("fresh: exit %d\n%s", code, out)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	if code, out, _ := exitCode(t, env, "migrate"); code != 0 || !strings.Contains(out, `"applied":0`) {
		t.Fatalf("again: exit %d\n%s", code, out)
	}

	// Several at once on a fresh schema, as replicas of a Job or compose
	// restarts may: each exits 0, and the migrations are applied once.
	fresh := []string{"DATABASE_URL=" + pg.Schema(t)}
	var wg sync.WaitGroup
	results := make([]string, 3)
	for i := range results {
		wg.Go(func() {
			code, out, errOut := exitCode(t, fresh, "migrate")
			results[i] = strconv.Itoa(code) + " " + out + errOut
		})
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		if !strings.HasPrefix(r, "0 ") {
			t.Fatalf("a concurrent run failed: %s", r)
		}
		applied += strings.Count(r, `"msg":"applied migration"`)
	}
	if applied != 1 {
		t.Fatalf("3 concurrent runs applied migrations %d times in all, want 1:\n%s", applied, strings.Join(results, "\n"))
	}

	// No database: exit 1 with one JSON error line that keeps the password.
	down := "postgres://goapi:" + pg.Password() + "@127.0.0.1:" + freePort(t) + "/goapi?sslmode=disable&connect_timeout=2"
	code, out, _ = exitCode(t, []string{"DATABASE_URL=" + down}, "migrate")
	if code != 1 || !strings.Contains(out, `"msg":"migration failed"`) || strings.Contains(out, pg.Password()) {
		t.Fatalf("unreachable database: exit %d\n%s", code, out)
	}
}

func TestServesThenStopsCleanlyOnSIGTERM(t *testing.T) {
	url := pg.Schema(t)
	migrateSchema(t, url)
	a := startAPI(t, "DATABASE_URL="+url)
	waitFor(t, "ready", 5*time.Second, func() bool { return a.status("/readyz") == 200 })

	resp, err := client.Get(a.base + "/version")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&v)
	_ = resp.Body.Close()
	if v["version"] != "9.9.9-test" || v["commit"] != "abc1234" {
		t.Fatalf("build.sh did not inject version and commit: %v", v)
	}

	if err := a.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, a.logs.String())
	}
	out := a.logs.String()
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	if !strings.Contains(out, `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", out)
	}
	if strings.Contains(out, pg.Password()) {
		t.Fatalf("the database password reached the logs:\n%s", out)
	}
}

func TestNotReadyUntilMigrated(t *testing.T) {
	url := pg.Schema(t)
	a := startAPI(t, "DATABASE_URL="+url)
	for path, want := range map[string]int{"/readyz": 503, "/healthz": 200, "/startupz": 200} {
		if got := a.status(path); got != want {
			t.Fatalf("before migrate, %s answered %d, want %d", path, got, want)
		}
	}
	migrateSchema(t, url)
	waitFor(t, "readiness once migrated", 5*time.Second, func() bool { return a.status("/readyz") == 200 })
}

// A database that answers only after a while (a pod's network that lets it
// through a moment after it starts): migrate keeps trying within the connect
// timeout. Past the timeout, or when the server itself refuses, it fails.
func TestMigrateWaitsForTheDatabaseWithinTheConnectTimeout(t *testing.T) {
	real, err := url.Parse(pg.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	late := "127.0.0.1:" + freePort(t)
	go func() {
		time.Sleep(1500 * time.Millisecond)
		ln, err := net.Listen("tcp", late)
		if err != nil {
			return
		}
		t.Cleanup(func() { _ = ln.Close() })
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				out, err := net.Dial("tcp", real.Host)
				if err != nil {
					_ = in.Close()
					return
				}
				go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
				_, _ = io.Copy(in, out)
				_ = in.Close()
			}()
		}
	}()
	via := *real
	via.Host = late
	q := via.Query()
	q.Set("connect_timeout", "10")
	via.RawQuery = q.Encode()
	code, out, _ := exitCode(t, []string{"DATABASE_URL=" + via.String()}, "migrate")
	if code != 0 || !strings.Contains(out, `"msg":"database not reachable yet"`) || !strings.Contains(out, `"msg":"schema up to date"`) {
		t.Fatalf("late database: exit %d\n%s", code, out)
	}

	// The server's own refusal is final: no retry until the timeout.
	wrong := *real
	wrong.User = url.UserPassword(real.User.Username(), "not-the-password")
	q = wrong.Query()
	q.Set("connect_timeout", "10")
	wrong.RawQuery = q.Encode()
	began := time.Now()
	code, out, _ = exitCode(t, []string{"DATABASE_URL=" + wrong.String()}, "migrate")
	if code != 1 || strings.Contains(out, "not reachable yet") || time.Since(began) > 5*time.Second {
		t.Fatalf("wrong password: exit %d after %s\n%s", code, time.Since(began), out)
	}
}
