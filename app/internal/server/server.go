// Package server runs the API and metrics listeners and stops them in the
// order Kubernetes needs: fail readiness, wait for endpoints to drop the pod,
// then finish in-flight requests.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"goapi/internal/api"
	"goapi/internal/config"
	"goapi/internal/items"
	"goapi/internal/metrics"
	"goapi/internal/telemetry"
)

// readHeaderTimeout bounds how long a client may take to send its request
// headers, on both ports: a client that trickles them in holds a connection
// and a goroutine for nothing. READ_TIMEOUT still bounds the whole request.
const readHeaderTimeout = 5 * time.Second

// Server is the configured service, listening once Start returns.
type Server struct {
	cfg     config.Config
	log     *slog.Logger
	started atomic.Bool
	ready   atomic.Bool
	api     *http.Server
	metrics *http.Server
	apiLn   net.Listener
	metLn   net.Listener
	apiConn conns
}

// Deps are what the server serves from.
type Deps struct {
	Store items.Store
	// Database answers whether the database serves this version (readiness).
	Database func(context.Context) error
	// Pools are the database connection pools to report on the metrics port.
	Pools []metrics.Pool
	// Tracing traces every request; nil when tracing is off.
	Tracing *telemetry.Tracing
}

// New wires the API and metrics for cfg around deps.
func New(cfg config.Config, log *slog.Logger, deps Deps) *Server {
	reg, httpMetrics := metrics.New()
	metrics.RegisterPools(reg, deps.Pools...)
	s := &Server{cfg: cfg, log: log}
	handler := api.New(api.Options{
		Store:        deps.Store,
		Database:     deps.Database,
		Token:        cfg.APIToken,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Logger:       log,
		Metrics:      httpMetrics,
		Registry:     reg,
		Tracing:      deps.Tracing,
		Started:      &s.started,
		Ready:        &s.ready,
	})
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	s.api = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// net/http answers a larger header block with a plain-text 431
		// before any handler runs; below it, the API answers in JSON (414
		// for a long request target). Go's default, stated.
		MaxHeaderBytes: http.DefaultMaxHeaderBytes,
		ErrorLog:       errLog,
		ConnState:      s.apiConn.track,
	}
	s.metrics = &http.Server{
		Handler:           metrics.Handler(reg),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          errLog,
	}
	return s
}

// Listen opens both ports on host ("" for all interfaces). Split from Serve
// so a listening failure is reported before anything is marked ready.
func (s *Server) Listen(host string) error {
	var err error
	if s.apiLn, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(s.cfg.Port))); err != nil {
		return fmt.Errorf("listen on PORT %d: %w", s.cfg.Port, err)
	}
	if s.metLn, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(s.cfg.MetricsPort))); err != nil {
		_ = s.apiLn.Close()
		return fmt.Errorf("listen on METRICS_PORT %d: %w", s.cfg.MetricsPort, err)
	}
	return nil
}

// APIAddr and MetricsAddr are the bound addresses, useful with port 0 in tests.
func (s *Server) APIAddr() string     { return s.apiLn.Addr().String() }
func (s *Server) MetricsAddr() string { return s.metLn.Addr().String() }

// Serve serves until ctx is cancelled, then drains and shuts down. It returns
// nil after a clean shutdown, and an error if requests were still running at
// SHUTDOWN_TIMEOUT (they are cut) or a listener failed.
func (s *Server) Serve(ctx context.Context) error {
	errs := make(chan error, 2)
	serve := func(srv *http.Server, ln net.Listener) {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	}
	go serve(s.api, s.apiLn)
	go serve(s.metrics, s.metLn)
	s.started.Store(true)
	s.ready.Store(true)
	s.log.Info("listening", "api", s.APIAddr(), "metrics", s.MetricsAddr(), "env", s.cfg.AppEnv)

	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}

	s.ready.Store(false)
	s.log.Info("draining: readiness now fails", "drain_delay", s.cfg.DrainDelay.String())
	time.Sleep(s.cfg.DrainDelay)

	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// Metrics stay up while the API finishes, so the last requests are counted.
	var cut int
	if err := s.api.Shutdown(shutdownCtx); err != nil {
		cut = s.apiConn.active()
		_ = s.api.Close()
	}
	if err := s.metrics.Shutdown(shutdownCtx); err != nil {
		_ = s.metrics.Close()
	}
	if cut > 0 {
		return fmt.Errorf("%d requests still running after SHUTDOWN_TIMEOUT (%s) were cut", cut, s.cfg.ShutdownTimeout)
	}
	s.log.Info("stopped")
	return nil
}
