// Package pgtest runs a throwaway PostgreSQL server for tests and the
// benchmark: initdb in a temporary directory, a free loopback port, password
// authentication over TCP, and no durability (fsync off), so it starts in
// about a second. Run as root, it runs the server as an unprivileged user
// (initdb and postgres refuse root): "postgres" if the system has it, else
// "nobody".
//
// The binaries come from PG_BIN, else /usr/lib/postgresql/15/bin, else the
// newest /usr/lib/postgresql/*/bin, else PATH. Nothing is skipped when they
// are missing: Start fails and says how to install them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running (or stopped) throwaway PostgreSQL.
type Server struct {
	bin      string
	dir      string // holds data/, the socket and the log
	port     int
	password string
	cred     *syscall.Credential // the user the server runs as, when we are root
	cmd      *exec.Cmd
	exited   chan struct{}
	dbs      atomic.Int64
}

// User is the superuser the tests connect as.
const User = "goapi"

// Start initialises a cluster in a new temporary directory and starts it.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "goapi-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, password: randomHex(16)}
	if err := s.init(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	// The free port may be taken between our probe and the server's bind:
	// try a few.
	for attempt := 1; ; attempt++ {
		s.port = 0
		if err = s.Resume(); err == nil || attempt == 3 {
			break
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, checkBin(d)
	}
	if checkBin("/usr/lib/postgresql/15/bin") == nil {
		return "/usr/lib/postgresql/15/bin", nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return majorOf(b) - majorOf(a) })
	for _, d := range dirs {
		if checkBin(d) == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("pgtest: PostgreSQL server binaries (initdb, postgres) not found: install them (Debian: apt-get install postgresql-15) or set PG_BIN to their directory")
}

func majorOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func checkBin(dir string) error {
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return fmt.Errorf("pgtest: %s not found in PG_BIN=%s", b, dir)
		}
	}
	return nil
}

func (s *Server) init() error {
	if os.Geteuid() == 0 {
		cred, err := unprivileged()
		if err != nil {
			return err
		}
		s.cred = cred
		if err := os.Chown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	pwfile := filepath.Join(s.dir, "pw")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return err
	}
	if s.cred != nil {
		if err := os.Chown(pwfile, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return err
		}
	}
	cmd := s.command("initdb", "-D", s.data(), "-U", User, "--pwfile", pwfile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	out, err := cmd.CombinedOutput()
	_ = os.Remove(pwfile)
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	return nil
}

// unprivileged picks the user to run PostgreSQL as when we are root.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("pgtest: running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as")
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = []string{"LC_ALL=C", "PATH=" + os.Getenv("PATH")}
	// The server dies with the process that started it, even when a test
	// binary panics or is killed by go test's timeout: SIGINT is a fast
	// shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGINT}
	return cmd
}

// Resume starts the server: on a free port the first time, on the same
// port after Stop. It does nothing while the server runs.
func (s *Server) Resume() error {
	if s.cmd != nil {
		return nil
	}
	if s.port == 0 {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.port = port
	}
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	cmd := s.command("postgres", "-D", s.data(), "-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := s.connect(context.Background(), "postgres")
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		select {
		case <-s.exited:
			s.cmd = nil
			return fmt.Errorf("pgtest: postgres exited at start:\n%s", s.logText())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.Stop()
			return fmt.Errorf("pgtest: postgres not ready within 30s: %v\n%s", err, s.logText())
		}
	}
}

// Stop shuts the server down fast (clients are disconnected) and waits for
// it; the data stays for Resume.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	return nil
}

// Close stops the server and removes its directory.
func (s *Server) Close() error {
	err := s.Stop()
	return errors.Join(err, os.RemoveAll(s.dir))
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// logText returns the server's log so far, for errors.
func (s *Server) logText() string {
	b, _ := os.ReadFile(s.logPath())
	return string(b)
}

// Password is the superuser's, which every URL carries.
func (s *Server) Password() string { return s.password }

// URL is the connection URL for database db.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(User, s.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

func (s *Server) connect(ctx context.Context, db string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return pgx.Connect(ctx, s.URL(db))
}

// CreateSchema returns the URL of a new, empty place for a test's tables:
// a schema of its own in the database "postgres", named by the URL's
// search_path. Everything the app creates is unqualified, so it lands there;
// a schema takes milliseconds where CREATE DATABASE takes about a second.
func (s *Server) CreateSchema(ctx context.Context) (string, error) {
	name := fmt.Sprintf("test_%d", s.dbs.Add(1))
	conn, err := s.connect(ctx, "postgres")
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return s.URL("postgres") + "&search_path=" + name, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
