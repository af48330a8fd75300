package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type item struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func (a *api) send(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// State lives in the database, not in the process: what one pod writes,
// another reads, pages included.
func TestTwoProcessesShareTheDatabase(t *testing.T) {
	url := pg.Schema(t)
	migrateSchema(t, url)
	a, b := startAPI(t, "DATABASE_URL="+url), startAPI(t, "DATABASE_URL="+url)
	waitFor(t, "both ready", 5*time.Second, func() bool { return a.status("/readyz") == 200 && b.status("/readyz") == 200 })

	resp, body := a.send(t, "POST", "/v1/items", `{"name":"written on a"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("POST on a: %d %s", resp.StatusCode, body)
	}
	created := decodeJSON[item](t, body)
	resp, body = b.send(t, "GET", resp.Header.Get("Location"), "")
	if resp.StatusCode != 200 || decodeJSON[item](t, body) != created {
		t.Fatalf("GET of a's Location on b: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.send(t, "PATCH", "/v1/items/"+created.ID, `{"description":"patched on b"}`); resp.StatusCode != 200 {
		t.Fatalf("PATCH on b: %d %s", resp.StatusCode, body)
	}
	if _, body := a.send(t, "GET", "/v1/items/"+created.ID, ""); decodeJSON[item](t, body).Description != "patched on b" {
		t.Fatalf("a does not see b's change: %s", body)
	}

	for _, n := range []string{"2", "3"} {
		if resp, _ := b.send(t, "POST", "/v1/items", `{"name":"item `+n+`"}`); resp.StatusCode != 201 {
			t.Fatalf("POST on b: %d", resp.StatusCode)
		}
	}
	type page struct {
		Items      []item `json:"items"`
		NextCursor string `json:"nextCursor"`
	}
	_, body = a.send(t, "GET", "/v1/items?limit=2", "")
	first := decodeJSON[page](t, body)
	_, body = b.send(t, "GET", "/v1/items?limit=2&cursor="+first.NextCursor, "")
	second := decodeJSON[page](t, body)
	if len(first.Items) != 2 || first.NextCursor == "" || len(second.Items) != 1 || second.Items[0].Name != "item 3" || second.NextCursor != "" {
		t.Fatalf("a cursor from a must page on b: %+v then %+v", first, second)
	}
}

// The database stops under traffic and comes back: while it is down every
// request that needs it answers 503 JSON with Retry-After and readiness fails
// (liveness does not); nothing answers 500 or drops the connection; when it
// is back, the same process serves again without a restart.
func TestDatabaseOutageUnderTraffic(t *testing.T) {
	url := pg.Schema(t)
	migrateSchema(t, url)
	a := startAPI(t, "DATABASE_URL="+url, "DB_STATEMENT_TIMEOUT=1s")
	waitFor(t, "ready", 5*time.Second, func() bool { return a.status("/readyz") == 200 })
	resp, body := a.send(t, "POST", "/v1/items", `{"name":"before the outage"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	id := decodeJSON[item](t, body).ID

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		problems []string
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	record := func(status int, problem string) {
		mu.Lock()
		defer mu.Unlock()
		statuses[status]++
		if problem != "" && len(problems) < 10 {
			problems = append(problems, problem)
		}
	}
	for w := range 4 {
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				req, _ := http.NewRequest("GET", a.base+"/v1/items/"+id, nil)
				if (w+n)%3 == 0 {
					req, _ = http.NewRequest("POST", a.base+"/v1/items", bytes.NewReader([]byte(`{"name":"during"}`)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				if err != nil {
					record(-1, err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				problem := ""
				switch resp.StatusCode {
				case 200, 201:
				case 503:
					if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/json" ||
						!strings.Contains(string(b), `"code":"unavailable"`) {
						problem = "503 without Retry-After or JSON: " + string(b)
					}
				default:
					problem = resp.Status + ": " + string(b)
				}
				record(resp.StatusCode, problem)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	count := func(status int) int {
		mu.Lock()
		defer mu.Unlock()
		return statuses[status]
	}

	waitFor(t, "traffic", 5*time.Second, func() bool { return count(200) > 20 })
	t.Cleanup(func() { _ = pg.Resume() }) // for the next tests, should this one fail while it is down
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "503s while the database is down", 10*time.Second, func() bool { return count(503) > 20 })
	waitFor(t, "readiness to fail", 5*time.Second, func() bool { return a.status("/readyz") == 503 })
	if got := a.status("/healthz"); got != 200 {
		t.Fatalf("liveness during the outage: %d", got)
	}
	okBefore := count(200)

	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "readiness after the database returns", 10*time.Second, func() bool { return a.status("/readyz") == 200 })
	waitFor(t, "requests served again", 10*time.Second, func() bool { return count(200) > okBefore+20 })
	stop.Store(true)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("statuses over the outage: %v", statuses)
	if len(problems) > 0 || statuses[500] > 0 || statuses[-1] > 0 {
		t.Fatalf("answers other than 200, 201 and 503 JSON: %v\n%s", statuses, strings.Join(problems, "\n"))
	}
	if out := a.logs.String(); strings.Contains(out, "panic") {
		t.Fatalf("a panic was logged:\n%s", out)
	}
	if err := a.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}
