package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// Main starts a server for a test binary, runs its tests and stops it,
// whatever they do. Use it as TestMain: os.Exit(pgtest.Main(m, &pg)).
// Without PostgreSQL it fails, loudly: tests that need it never skip.
func Main(m *testing.M, server **Server) int {
	s, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*server = s
	defer func() { _ = s.Close() }()
	return m.Run()
}

// Schema returns the URL of a new, empty schema for t (see CreateSchema).
func (s *Server) Schema(t testing.TB) string {
	t.Helper()
	u, err := s.CreateSchema(context.Background())
	if err != nil {
		t.Fatalf("create schema: %v", err)
	}
	return u
}
