package doo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// FuzzListPageDecoding feeds arbitrary bytes to the client as the first page of a team's list.
// A tiny httptest handler stands in for the emulator here on purpose: the emulator only ever
// answers well-formed pages, and this test is about garbage.
func FuzzListPageDecoding(f *testing.F) {
	for _, seed := range []string{
		`{"_embedded":{"webhooks":[{"id":"1","name":"a","hooks":[{"type":"order_created","endpoint":"https://x"}]}]},"page_count":1,"page_size":25,"total_items":1,"page":1}`,
		`{"_embedded":{"webhooks":[{"id":"1"},{"id":"2"}]},"page_count":3,"total_items":2,"page":1}`,
		`{"_embedded":{"webhooks":[{"id":"1"}]},"page_count":1000000000,"total_items":1}`,
		`{"_embedded":{"webhooks":[]},"page_count":0,"total_items":0}`,
		`{"_embedded":{"webhooks":null}}`,
		`{"_embedded":{"webhooks":[{"id":12}]}}`,
		`{"_embedded":{"webhooks":[{"id":"1","hooks":"nope"}]}}`,
		`{"_embedded":{"webhooks":[{"id":"1","authentication":null,"hooks":[{"origin":null}]}]},"page_count":-1}`,
		`{"_embedded":[]}`,
		`{"page_count":"1"}`,
		`[]`,
		`null`,
		``,
		`{`,
		"\x00\xff",
		`<html>Bad gateway</html>`,
	} {
		f.Add([]byte(seed))
	}

	var (
		mu   sync.Mutex
		body []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") != "1" {
			// Later pages are empty, so a garbage page_count cannot make one input take thousands of requests.
			_, _ = w.Write([]byte(`{"_embedded":{"webhooks":[]},"page_count":1,"total_items":0}`))
			return
		}
		mu.Lock()
		b := body
		mu.Unlock()
		_, _ = w.Write(b)
	}))
	f.Cleanup(srv.Close)
	c, err := doo.New(doo.Config{BaseURL: srv.URL, APIKey: "fuzz-key", AccessToken: "fuzz-token",
		RequestsPerSecond: 1e6, HTTPClient: srv.Client(), DisableCache: true, Clock: newFakeClock(), GateDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, page []byte) {
		mu.Lock()
		body = page
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		items, err := c.ListWebhooks(ctx, 7)
		if ctx.Err() != nil {
			t.Fatalf("ListWebhooks did not finish within 10 s for %q", page)
		}
		if err == nil && items == nil {
			t.Fatalf("ListWebhooks returned neither items nor an error for %q", page)
		}
		if err != nil && items != nil {
			t.Fatalf("ListWebhooks returned both items and error %v for %q", err, page)
		}
	})
}
