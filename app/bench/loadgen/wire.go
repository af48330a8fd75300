package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// The closed-loop load shares the machine's cores with the server it
// measures, so its own cost per request is taken from the server's share:
// net/http's client spends a Request, header maps and a hand-off between two
// goroutines per connection on every request. wireConn writes requests built
// once and reads only what it needs of each answer (the status code and
// Content-Length; the body is discarded). Anything it cannot read that way
// (a chunked body, an answer without a length) is an error, so the figures
// never count an answer the driver did not read to its end.

var errUnsupported = errors.New("answer without Content-Length (chunked or read-until-close): the load generator reads only sized bodies")

// wireRequests are the two requests of the closed loop, as bytes on the wire.
type wireRequests struct {
	addr      string
	get, post []byte
}

func newWireRequests(base, id, token string, body []byte) (wireRequests, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return wireRequests{}, fmt.Errorf("-url %q: want http://host:port (the load generator speaks plain HTTP/1.1)", base)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	get := fmt.Sprintf("GET %s/v1/items/%s HTTP/1.1\r\nHost: %s\r\n\r\n", u.Path, url.PathEscape(id), u.Host)
	post := fmt.Sprintf("POST %s/v1/items HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s",
		u.Path, u.Host, token, len(body), body)
	return wireRequests{addr: addr, get: []byte(get), post: []byte(post)}, nil
}

// wireConn is one keep-alive connection, dialled on first use and again
// after an error or an answer that closes it.
type wireConn struct {
	addr string
	conn net.Conn
	r    *bufio.Reader
}

// do sends req and reads its answer; it returns the status code.
func (w *wireConn) do(req []byte) (int, error) {
	if w.conn == nil {
		c, err := net.DialTimeout("tcp", w.addr, 5*time.Second)
		if err != nil {
			return 0, err
		}
		w.conn, w.r = c, bufio.NewReaderSize(c, 16<<10)
	}
	if _, err := w.conn.Write(req); err != nil {
		w.close()
		return 0, err
	}
	status, closing, err := readAnswer(w.r)
	if err != nil || closing {
		w.close()
	}
	return status, err
}

func (w *wireConn) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn, w.r = nil, nil
	}
}

// readAnswer reads one HTTP/1.1 answer from r, body included, and returns its
// status code and whether the server closes the connection after it.
func readAnswer(r *bufio.Reader) (status int, closing bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("not an HTTP/1.x status line: %q", line)
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, false, fmt.Errorf("no status code in %q", line)
		}
		status = status*10 + int(d-'0')
	}
	length := -1
	for {
		h, err := r.ReadSlice('\n')
		if err != nil {
			return status, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return status, false, fmt.Errorf("malformed header line %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return status, false, fmt.Errorf("bad Content-Length %q", value)
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return status, false, errUnsupported
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	if length < 0 {
		// Only these answers have no body by definition (RFC 9112, 6.3).
		if status == 204 || status == 304 || (status >= 100 && status < 200) {
			return status, closing, nil
		}
		return status, false, errUnsupported
	}
	if _, err := r.Discard(length); err != nil {
		return status, false, err
	}
	return status, closing, nil
}
