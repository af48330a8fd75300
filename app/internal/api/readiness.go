package api

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Readiness asks the database at most once per readinessCacheTTL, and waits
// at most readinessTimeout for it: probes from every kubelet (and anyone on
// the Ingress) never pile up on the database, and /readyz answers within a
// kubelet's default probe timeout of 1s.
const (
	readinessTimeout  = 500 * time.Millisecond
	readinessCacheTTL = 2 * time.Second
)

// cachedCheck runs check at most once per ttl; callers in between share the
// last answer. A nil check always passes.
type cachedCheck struct {
	check   func(context.Context) error
	ttl     time.Duration
	timeout time.Duration
	log     *slog.Logger

	mu      sync.Mutex
	checked time.Time
	err     error
}

// Check answers from the cache or asks the database; ctx is the caller's,
// for the log line a change of state writes (the check itself runs on its
// own deadline, since callers share its answer).
func (c *cachedCheck) Check(ctx context.Context) error {
	if c.check == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked.IsZero() && time.Since(c.checked) < c.ttl {
		return c.err
	}
	checkCtx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	err := c.check(checkCtx)
	switch {
	case err != nil && (c.err == nil || c.checked.IsZero()):
		c.log.WarnContext(ctx, "database unavailable: readiness fails", "error", err)
	case err == nil && c.err != nil:
		c.log.InfoContext(ctx, "database available again: readiness passes")
	}
	c.checked, c.err = time.Now(), err
	return err
}
