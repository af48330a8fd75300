package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"goapi/internal/config"
)

// healthcheck asks the API on this machine whether it is ready: the image
// has no shell or curl, so container health checks (compose) run this.
// Exit 0 when /readyz answers 200, 1 otherwise, 2 on a bad PORT.
func healthcheck() int {
	port, err := config.LoadPort(os.LookupEnv)
	if err != nil {
		return configFailed(err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/readyz")
	if err != nil {
		fmt.Fprintf(os.Stderr, "healthcheck: %v\n", err)
		return exitFailed
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "healthcheck: /readyz answered %d\n", resp.StatusCode)
		return exitFailed
	}
	return exitOK
}
