package api

import (
	"net/http"

	"goapi/internal/httpjson"
	"goapi/internal/version"
)

// indexResponse is what GET / answers: the stack's url output points here,
// so it says what the service is and where to go next.
type indexResponse struct {
	Service string            `json:"service"`
	Version string            `json:"version"`
	Links   map[string]string `json:"links"`
}

var indexLinks = map[string]string{
	"items":     "/v1/items",
	"version":   "/version",
	"liveness":  "/healthz",
	"readiness": "/readyz",
	"startup":   "/startupz",
}

func (a *API) index(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, indexResponse{Service: "goapi", Version: version.Get().Version, Links: indexLinks})
}

type statusResponse struct {
	Status string `json:"status"`
}

// healthz answers while the process can serve at all; it checks no
// dependency, so a slow dependency never gets the pod restarted.
func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, statusResponse{"ok"})
}

// readyz fails as soon as the drain starts, so endpoints stop routing here
// before the listener closes, and while the database does not answer (or
// lacks this version's schema), so no pod takes requests it can only refuse.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if !a.ready.Load() {
		httpjson.Write(w, http.StatusServiceUnavailable, statusResponse{"draining"})
		return
	}
	if a.database.Check(r.Context()) != nil {
		httpjson.Write(w, http.StatusServiceUnavailable, statusResponse{"database_unavailable"})
		return
	}
	httpjson.Write(w, http.StatusOK, statusResponse{"ready"})
}

// startupz answers 200 once the server has served at all and keeps doing so
// through the drain, so a startup probe never restarts a stopping pod.
func (a *API) startupz(w http.ResponseWriter, _ *http.Request) {
	if !a.started.Load() {
		httpjson.Write(w, http.StatusServiceUnavailable, statusResponse{"starting"})
		return
	}
	httpjson.Write(w, http.StatusOK, statusResponse{"started"})
}

func (a *API) version(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, version.Get())
}
