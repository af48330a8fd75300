package server

import (
	"net"
	"net/http"
	"sync"
)

// conns tracks the state of every API connection, so a shutdown that times
// out can tell requests it cut from connections that never sent one:
// http.Server.Shutdown waits up to 5s for a new connection's first request,
// and a client's spare keep-alive connection is no request in flight.
type conns struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func (c *conns) track(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = map[net.Conn]http.ConnState{}
	}
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(c.state, conn)
	default:
		c.state[conn] = s
	}
}

// active counts connections serving a request now.
func (c *conns) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.state {
		if s == http.StateActive {
			n++
		}
	}
	return n
}
