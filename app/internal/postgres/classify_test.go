package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Each SQLSTATE is raised by the real server, so the error that reaches
// classify is the one pgx builds from PostgreSQL's answer. Transient ones
// become items.ErrUnavailable (503 and Retry-After); the rest stay errors
// of ours (500).
func TestClassifyBySQLState(t *testing.T) {
	s := NewStore(pool(t, migrated(t), 2, 5*time.Second), 5*time.Second)
	for code, want := range map[string]bool{
		"40001": true,  // serialization_failure
		"40P01": true,  // deadlock_detected
		"53300": true,  // too_many_connections
		"53200": true,  // out_of_memory
		"08006": true,  // connection_failure
		"57P01": true,  // admin_shutdown
		"57014": true,  // query_canceled (statement_timeout)
		"40002": false, // transaction_integrity_constraint_violation: same class as the two above, not transient
		"23505": false, // unique_violation
		"42P01": false, // undefined_table
		"22001": false, // string_data_right_truncation
		"XX000": false, // internal_error
	} {
		t.Run(code, func(t *testing.T) {
			_, err := s.pool.Exec(context.Background(), fmt.Sprintf("DO $$ BEGIN RAISE SQLSTATE '%s'; END $$", code))
			if err == nil {
				t.Fatal("the server raised nothing")
			}
			if got := isUnavailable(classify(err)); got != want {
				t.Fatalf("SQLSTATE %s: unavailable %v, want %v (%v)", code, got, want, err)
			}
		})
	}
}
