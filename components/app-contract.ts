// What the Go API in app/ expects from its pod: ports, probe paths, the user
// its image runs as. Tests hold these against app/ so the two never drift.

export const apiPort = 8080;
export const metricsPort = 9090;
export const probePaths = { startup: "/startupz", liveness: "/healthz", readiness: "/readyz" } as const;
/** distroless "nonroot"; the Dockerfile's USER. */
export const appUid = 65532;
/** Key of the token in the Secret and name of the variable the app reads. */
export const tokenEnv = "API_TOKEN";
/** Headroom after drain + shutdown before the kubelet kills the container. */
export const terminationSlackSeconds = 5;
