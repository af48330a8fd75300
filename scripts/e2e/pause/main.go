// Command pause is the sandbox ("pause") image of the test nodes: it holds a
// pod's namespaces and does nothing until it is told to stop, like
// registry.k8s.io/pause, which cannot be pulled on the test machines.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
