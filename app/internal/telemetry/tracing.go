// Package telemetry sets up OpenTelemetry tracing from the standard OTEL_*
// variables, and puts the trace and span ids of a request into every log
// line written while serving it.
package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"goapi/internal/config"
	"goapi/internal/version"
)

// ServiceName names the service in traces unless OTEL_SERVICE_NAME (or
// service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise.
const ServiceName = "goapi"

// Tracing is what the instrumented parts of the service need: spans go to
// Provider, and Propagator reads (and would write) the W3C traceparent.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Shutdown exports the spans still buffered, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Setup returns the tracing the environment asks for, or nil when it asks
// for none: without OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_ form), with
// OTEL_SDK_DISABLED=true or with OTEL_TRACES_EXPORTER=none. The SDK reads the
// rest of the standard variables itself: the sampler (OTEL_TRACES_SAMPLER,
// default parentbased_always_on), the resource (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES), the exporter's headers and timeouts, the batch
// processor's limits. Spans go out as OTLP over HTTP (protobuf); a value
// the SDK would only warn about and replace is refused here as a
// *config.Error, like any bad setting. log gets the exporter's errors. It
// reads the process environment, as the SDK does.
func Setup(ctx context.Context, log *slog.Logger) (*Tracing, error) {
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	if env("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return nil, nil
	}
	if strings.EqualFold(env("OTEL_SDK_DISABLED"), "true") {
		return nil, nil
	}
	switch exporter := env("OTEL_TRACES_EXPORTER"); exporter {
	case "", "otlp":
	case "none":
		return nil, nil
	default:
		return nil, &config.Error{Var: "OTEL_TRACES_EXPORTER", Reason: fmt.Sprintf("%q is not supported: this build exports otlp (or none)", exporter)}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		if p := env(name); p != "" && p != "http/protobuf" {
			return nil, &config.Error{Var: name, Reason: fmt.Sprintf("%q is not supported: this build exports OTLP over HTTP, http/protobuf (port 4318 on a collector)", p)}
		}
	}
	if err := checkSampler(env("OTEL_TRACES_SAMPLER"), env("OTEL_TRACES_SAMPLER_ARG")); err != nil {
		return nil, err
	}

	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(ServiceName), semconv.ServiceVersion(version.Get().Version)),
		// Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
		// override the defaults above.
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, &config.Error{Var: "OTEL_RESOURCE_ATTRIBUTES", Reason: err.Error()}
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, &config.Error{Var: "OTEL_EXPORTER_OTLP_ENDPOINT", Reason: err.Error()}
	}
	// A collector that is down or slow must never fail a request: the batch
	// processor drops what it cannot send, and says so here.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing: exporting spans failed", "error", err)
	}))
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return &Tracing{
		Provider:   provider,
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   provider.Shutdown,
	}, nil
}

// checkSampler accepts what the SDK's sampler from the environment accepts.
func checkSampler(sampler, arg string) error {
	switch strings.ToLower(sampler) {
	case "", "always_on", "always_off", "parentbased_always_on", "parentbased_always_off":
		return nil
	case "traceidratio", "parentbased_traceidratio":
		if arg == "" {
			return nil
		}
		ratio, err := strconv.ParseFloat(arg, 64)
		if err != nil || ratio < 0 || ratio > 1 {
			return &config.Error{Var: "OTEL_TRACES_SAMPLER_ARG", Reason: fmt.Sprintf("%q is not a sampling ratio from 0 to 1", arg)}
		}
		return nil
	}
	return &config.Error{Var: "OTEL_TRACES_SAMPLER", Reason: fmt.Sprintf("%q is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio", sampler)}
}
