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

func (c *cachedCheck) Check() error {
	if c.check == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked.IsZero() && time.Since(c.checked) < c.ttl {
		return c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	err := c.check(ctx)
	switch {
	case err != nil && (c.err == nil || c.checked.IsZero()):
		c.log.Warn("database unavailable: readiness fails", "error", err)
	case err == nil && c.err != nil:
		c.log.Info("database available again: readiness passes")
	}
	c.checked, c.err = time.Now(), err
	return err
}
