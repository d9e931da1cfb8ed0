package doo_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// A configuration id is escaped exactly once on its way into a DELETE's path: doo must see the id it
// listed, whatever characters it holds, or the configuration can never be deleted.
func TestDeleteWebhook_pathEscapesTheIDOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string // the escaped paths doo received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.EscapedPath())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	c, err := doo.New(doo.Config{BaseURL: srv.URL, APIKey: "delete-path-key", AccessToken: "delete-path-token",
		RequestsPerSecond: 1000, HTTPClient: srv.Client(), GateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"a b", "50%", "x/y", "plain-7"}
	for _, id := range ids {
		if err := c.DeleteWebhook(t.Context(), id); err != nil {
			t.Fatalf("DeleteWebhook(%q): %v", id, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != len(ids) {
		t.Fatalf("doo received %d requests, want %d: %q", len(seen), len(ids), seen)
	}
	for i, id := range ids {
		segment, ok := strings.CutPrefix(seen[i], "/v1/webhooks/")
		if !ok || strings.Contains(segment, "/") {
			t.Errorf("DELETE of %q reached path %q, want /v1/webhooks/ and one segment", id, seen[i])
			continue
		}
		if got, err := url.PathUnescape(segment); err != nil || got != id {
			t.Errorf("DELETE of %q reached path %q: doo reads the id as %q (%v)", id, seen[i], got, err)
		}
	}
}
