package api

import (
	"net/http"

	"goapi/internal/httpjson"
	"goapi/internal/version"
)

type statusResponse struct {
	Status string `json:"status"`
}

// healthz answers while the process can serve at all; it checks no
// dependency, so a slow dependency never gets the pod restarted.
func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, statusResponse{"ok"})
}

// readyz fails as soon as the drain starts, so endpoints stop routing here
// before the listener closes.
func (a *API) readyz(w http.ResponseWriter, _ *http.Request) {
	if !a.ready.Load() {
		httpjson.Write(w, http.StatusServiceUnavailable, statusResponse{"draining"})
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
