package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"goapi/internal/config"
)

var otelVars = []string{
	"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
}

// setEnv gives the test exactly these OTEL_* variables.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, name := range otelVars {
		t.Setenv(name, env[name])
	}
}

func setup(t *testing.T, env map[string]string) (*Tracing, error) {
	t.Helper()
	setEnv(t, env)
	tr, err := Setup(context.Background(), slog.New(slog.DiscardHandler))
	if tr != nil {
		t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	}
	return tr, err
}

const endpoint = "http://127.0.0.1:4318"

func TestTracingIsOffUnlessAnEndpointIsSet(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no endpoint":      {"OTEL_TRACES_SAMPLER": "always_on"},
		"SDK disabled":     {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SDK_DISABLED": "true"},
		"exporter none":    {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_EXPORTER": "none"},
		"blank endpoint":   {"OTEL_EXPORTER_OTLP_ENDPOINT": "  "},
		"blank both kinds": {"OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ""},
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := setup(t, env)
			if tr != nil || err != nil {
				t.Fatalf("got %v, %v; want tracing off", tr, err)
			}
		})
	}
}

func TestTracingIsOnWithAnEndpoint(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"endpoint":                   {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint},
		"traces endpoint":            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint + "/v1/traces"},
		"parent-based ratio":         {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
		"ratio bounds":               {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"},
		"the protocol it exports":    {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
		"SDK explicitly not off":     {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SDK_DISABLED": "false"},
		"exporter explicitly otlp":   {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_EXPORTER": "otlp"},
		"sampler in any letter case": {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_SAMPLER": "ParentBased_Always_On"},
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := setup(t, env)
			if tr == nil || err != nil {
				t.Fatalf("got %v, %v; want tracing on", tr, err)
			}
		})
	}
}

// What the SDK would only warn about, and replace by a default, stops the
// process like any other bad setting: a config.Error naming the variable.
func TestBadTracingSettingsAreConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		env      map[string]string
		variable string
	}{
		{map[string]string{"OTEL_TRACES_SAMPLER": "sometimes"}, "OTEL_TRACES_SAMPLER"},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "ten percent"}, "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.01"}, "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "-0.01"}, "OTEL_TRACES_SAMPLER_ARG"},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"},
	} {
		t.Run(tc.variable, func(t *testing.T) {
			tc.env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
			tr, err := setup(t, tc.env)
			var ce *config.Error
			if tr != nil || !errors.As(err, &ce) || ce.Var != tc.variable {
				t.Fatalf("got %v, %v; want a config.Error for %s", tr, err, tc.variable)
			}
		})
	}
}
