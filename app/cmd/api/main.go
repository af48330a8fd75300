// Command api serves the items API, and with "migrate" brings the database
// schema to this build's version. Configuration comes from the environment
// (see app/README.md); a bad value or usage exits with code 2 before
// anything starts.
package main

import (
	"fmt"
	"os"
	"strings"
)

const usage = "usage: api [serve | migrate | healthcheck]"

func main() {
	os.Exit(run(os.Args[1:]))
}

// Exit codes, the same for every subcommand.
const (
	exitOK     = 0
	exitFailed = 1 // a runtime failure: see the last log line
	exitUsage  = 2 // bad configuration or arguments: one line on stderr
)

func run(args []string) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	if len(args) > 1 {
		fmt.Fprintln(os.Stderr, usage)
		return exitUsage
	}
	switch cmd {
	case "serve":
		return serve()
	case "migrate":
		return migrate()
	case "healthcheck":
		return healthcheck()
	}
	fmt.Fprintln(os.Stderr, usage)
	return exitUsage
}

// configFailed prints each configuration problem on a line of its own,
// naming its variable.
func configFailed(err error) int {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(os.Stderr, "config: %s\n", line)
	}
	return exitUsage
}
