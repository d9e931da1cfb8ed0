package doo_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// A configuration id is escaped exactly once on its way into a DELETE's path: doo must see the id it
// listed, whatever characters it holds, or the configuration can never be deleted.
func TestDeleteWebhook_pathEscapesTheIDOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string // the escaped paths doo received
	// The emulator's ids are its own; these DELETEs are answered by the wrapper, as doo answers every
	// delete (204), and the confirming listings by the emulator (an empty team).
	env := newTestEnv(t, doofake.Options{}, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodDelete {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			seen = append(seen, r.URL.EscapedPath())
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})
	})
	ids := []string{"a b", "50%", "x/y", "plain-7"}
	for _, id := range ids {
		if err := env.Client.DeleteWebhook(t.Context(), testTeam, id); err != nil {
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
