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
)

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
}

// New wires the store, API, and metrics for cfg.
func New(cfg config.Config, log *slog.Logger) *Server {
	reg, httpMetrics := metrics.New()
	s := &Server{cfg: cfg, log: log}
	handler := api.New(api.Options{
		Store:        items.NewMemoryStore(),
		Token:        cfg.APIToken,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Logger:       log,
		Metrics:      httpMetrics,
		Started:      &s.started,
		Ready:        &s.ready,
	})
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	s.api = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
	}
	s.metrics = &http.Server{
		Handler:           metrics.Handler(reg),
		ReadHeaderTimeout: 5 * time.Second,
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
// nil after a clean shutdown.
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
	err := s.api.Shutdown(shutdownCtx)
	err = errors.Join(err, s.metrics.Shutdown(shutdownCtx))
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
