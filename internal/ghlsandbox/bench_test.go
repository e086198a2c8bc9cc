package ghlsandbox_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// BenchmarkCapacity measures mixed API traffic over real loopback TCP with
// rate limits off: 40% GET contact, 25% search, 20% upsert, 15% create task.
// It reports requests per second.
func BenchmarkCapacity(b *testing.B) {
	sb, err := ghlsandbox.New(ghlsandbox.Options{Seed: 1, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	locs, err := sb.Seed(ghlsandbox.SeedOptions{Seed: 1, Locations: 4, ContactsPerLocation: 500})
	if err != nil {
		b.Fatal(err)
	}
	type target struct {
		loc, token string
		ids        []string
	}
	var targets []target
	for _, l := range locs {
		tok, err := sb.IssuePrivateToken(l.ID)
		if err != nil {
			b.Fatal(err)
		}
		tg := target{loc: l.ID, token: tok}
		for _, c := range sb.Contacts(l.ID) {
			tg.ids = append(tg.ids, c.ID)
		}
		targets = append(targets, tg)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var seq, failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			tg := targets[n%int64(len(targets))]
			id := tg.ids[(n*7919)%int64(len(tg.ids))]
			var method, path, body string
			switch k := n % 20; {
			case k < 8:
				method, path = "GET", "/contacts/"+id
			case k < 13:
				method, path, body = "POST", "/contacts/search", fmt.Sprintf(`{"locationId":%q,"pageLimit":20,"filters":[{"field":"tags","operator":"eq","value":"vip"}]}`, tg.loc)
			case k < 17:
				method, path, body = "POST", "/contacts/upsert", fmt.Sprintf(`{"locationId":%q,"email":"bench%d@example.com","firstName":"Bench"}`, tg.loc, n%5000)
			default:
				method, path, body = "POST", "/contacts/"+id+"/tasks", `{"title":"bench","dueDate":"2026-06-01T00:00:00Z","completed":false}`
			}
			req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+tg.token)
			req.Header.Set("Version", "2021-07-28")
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				failures.Add(1)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode >= 300 {
				failures.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d of %d requests failed", f, b.N)
	}
}
