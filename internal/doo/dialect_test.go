package doo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// answerFile returns one of doo's answers as the emulator's tests keep them (copied from the API page
// and from what Laminas API Tools renders; see DESIGN.md, "What we know about doo").
func answerFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "doofake", "testdata", "doo-answers", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rewriteLists wraps the emulator so that every list answer it gives is decoded, changed by edit and
// re-encoded: a way to show the client the shapes doo might use where nothing tells which it does.
func rewriteLists(edit func(page map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/webhooks") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			var page map[string]any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if rec.Code == http.StatusOK && dec.Decode(&page) == nil {
				edit(page)
				body, _ = json.Marshal(page)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// set returns an edit that sets fields of the page (nil deletes the field).
func set(fields map[string]any) func(map[string]any) {
	return func(page map[string]any) {
		for k, v := range fields {
			if v == nil {
				delete(page, k)
			} else {
				page[k] = v
			}
		}
	}
}

// An empty team has no documented shape: Laminas API Tools renders page_count 0 and page 0 with only a
// self link; a server counting from 1 would say 1. Every such shape must lead to the same conclusions:
// a complete, empty listing; absence proven by two listings; a first create that is sent.
func TestEmptyTeam_everyPlausibleShapeIsACompleteEmptyListing(t *testing.T) {
	t.Parallel()
	onlySelf := func(page map[string]any) {
		links, _ := page["_links"].(map[string]any)
		delete(links, "first")
		delete(links, "last")
	}
	shapes := map[string]func(map[string]any){
		"laminas: page_count 0, page 0, self link only": func(p map[string]any) {
			set(map[string]any{"page_count": 0, "page": 0})(p)
			onlySelf(p)
		},
		"page_count 1, page 1": set(map[string]any{"page_count": 1, "page": 1}),
		"page_count 0, page 1": set(map[string]any{"page_count": 0, "page": 1}),
		"page_count 1, page 0": set(map[string]any{"page_count": 1, "page": 0}),
		"no page field":        set(map[string]any{"page_count": 0, "page": nil}),
		"page_size 0":          set(map[string]any{"page_count": 0, "page": 0, "page_size": 0}),
		"no _links at all":     set(map[string]any{"page_count": 0, "page": 0, "_links": nil}),
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, rewriteLists(shape))
			ctx := context.Background()
			items, err := env.Client.ListWebhooks(ctx, testTeam)
			if err != nil || len(items) != 0 {
				t.Fatalf("ListWebhooks = %v, %v; want a complete empty listing", items, err)
			}
			if _, err := env.Client.FindWebhook(ctx, testTeam, "absent"); !doo.IsNotFound(err) {
				t.Errorf("FindWebhook = %v, want proven absent", err)
			}
			wantCount(t, env.Fake, doofake.RouteList, 2, "one listing, then a second one to prove the absence")
			id := mustCreate(t, env.Client, webhook("first"))
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "one POST")
			if got := storedIDs(env.Fake); len(got) != 1 || got[0] != id {
				t.Errorf("the emulator holds %v, want exactly [%s]", got, id)
			}
		})
	}
}

// Answers that only look like an empty team prove nothing: each is an error, never an empty listing and
// never "not found", and nothing is created on its strength.
func TestEmptyLookingAnswers_proveNothing(t *testing.T) {
	t.Parallel()
	shapes := map[string]func(map[string]any){
		"an empty object": func(p map[string]any) {
			for k := range p {
				delete(p, k)
			}
		},
		"no total_items":             set(map[string]any{"total_items": nil}),
		"no page_count":              set(map[string]any{"page_count": nil}),
		"no _embedded":               set(map[string]any{"_embedded": nil}),
		"_embedded without the list": set(map[string]any{"_embedded": map[string]any{}}),
		"0 items over 2 pages":       set(map[string]any{"page_count": 2}),
		"0 items but one listed": set(map[string]any{"_embedded": map[string]any{"webhooks": []any{
			map[string]any{"id": "ghost", "name": "ghost", "hooks": []any{}}}}}),
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, rewriteLists(shape))
			ctx := context.Background()
			if items, err := env.Client.ListWebhooks(ctx, testTeam); err == nil {
				t.Fatalf("ListWebhooks = %v, want an error", items)
			}
			_, err := env.Client.FindWebhook(ctx, testTeam, "absent")
			if err == nil || doo.IsNotFound(err) {
				t.Errorf("FindWebhook = %v, want an error that proves nothing", err)
			}
			if doo.ReasonOf(err) != doo.ReasonInconsistentList {
				t.Errorf("reason = %q, want %q", doo.ReasonOf(err), doo.ReasonInconsistentList)
			}
			if res, err := env.Client.CreateWebhook(ctx, testTeam, webhook("first")); err == nil {
				t.Errorf("create = %+v, want it refused: nothing may be sent without a listing of the team before it", res)
			}
			wantCount(t, env.Fake, doofake.RouteCreate, 0, "no create without a proven listing")
		})
	}
}

// An id may come as a JSON string (documented) or a number (one example shows "12"): same conclusion.
func TestListedID_stringOrNumberIsTheSameID(t *testing.T) {
	t.Parallel()
	asNumber := func(p map[string]any) {
		emb, _ := p["_embedded"].(map[string]any)
		items, _ := emb["webhooks"].([]any)
		for _, it := range items {
			item, _ := it.(map[string]any)
			item["id"] = json.Number("12")
		}
	}
	for name, edit := range map[string]func(map[string]any){"string": func(map[string]any) {}, "number": asNumber} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, rewriteLists(func(p map[string]any) {
				emb, _ := p["_embedded"].(map[string]any)
				items, _ := emb["webhooks"].([]any)
				for _, it := range items {
					item, _ := it.(map[string]any)
					item["id"] = "12"
				}
				edit(p)
			}))
			seed(t, env.Fake, 1)
			if w := mustFind(t, env.Client, "12"); w.ID != "12" || w.Name != "seeded-000" {
				t.Errorf("found %+v, want configuration 12", w)
			}
		})
	}
}

// A 409 "Invalid page provided" is what Laminas answers for a page that no longer exists: another writer
// shrank the team while it was paged. The listing starts over and completes; nothing is concluded from
// the partial one.
func TestListing_409PageStartsTheListingOver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 26)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusConflict, Skip: 1, Count: 1,
		Body: answerFile(t, "list-page-out-of-range-409.json")})
	items := mustList(t, env.Client)
	if len(items) != len(ids) {
		t.Fatalf("listed %d configurations, want %d", len(items), len(ids))
	}
	wantCount(t, env.Fake, doofake.RouteList, 4, "page 1, page 2 (409), then pages 1 and 2 again")
	if s := env.Clock.Sleeps(); len(s) != 1 || s[0] != 500*time.Millisecond {
		t.Errorf("pauses = %v, want one pause of 0.5 s before the restart", s)
	}
}

// A 409 on every try is an error that proves nothing, never "not found".
func TestListing_persistent409IsAnErrorNotAnAbsence(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 26)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusConflict, Fraction: 1,
		Body: answerFile(t, "list-page-out-of-range-409.json")})
	_, err := env.Client.FindWebhook(context.Background(), testTeam, "absent")
	if err == nil || doo.IsNotFound(err) {
		t.Fatalf("FindWebhook = %v, want an error that proves nothing", err)
	}
	if doo.ReasonOf(err) != doo.ReasonInconsistentList || !strings.Contains(err.Error(), "Invalid page provided") {
		t.Errorf("error = %v (reason %q), want an inconsistent listing that quotes doo", err, doo.ReasonOf(err))
	}
}

// Errors carry doo's own words from either kind of body: an ApiProblem (detail, validation_messages) or
// doo's envelope (user_message, developer_message), or the gateway's message.
func TestErrors_carryDoosWordsFromEitherBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		reason doo.Reason
		want   []string
	}{
		{"422 ApiProblem with validation_messages", http.StatusUnprocessableEntity, "create-invalid-422.json",
			doo.ReasonInvalidConfiguration, []string{"HTTP 422", "Failed Validation",
				"name: Value is required and can't be empty", "hooks.0.endpoint: The input does not appear to be a valid Uri"}},
		{"400 envelope", http.StatusBadRequest,
			`{"response_status":400,"developer_message":"hooks[0].type is unknown","user_message":"Invalid webhook","data":null}`,
			doo.ReasonInvalidConfiguration, []string{"HTTP 400", "Invalid webhook", "hooks[0].type is unknown"}},
		{"403 ApiProblem", http.StatusForbidden, "forbidden-403.json", doo.ReasonForbidden, []string{"HTTP 403 Forbidden"}},
		{"problem with a title that says more", http.StatusBadRequest,
			`{"type":"about:blank","title":"invalid_request","status":400,"detail":"The hooks field is malformed"}`,
			doo.ReasonInvalidConfiguration, []string{"invalid_request", "The hooks field is malformed"}},
		{"gateway message", http.StatusRequestEntityTooLarge, `{"message":"Request Too Long"}`, "", []string{"HTTP 413", "Request Too Long"}},
		{"fields of unexpected types", http.StatusBadRequest, `{"detail":42,"validation_messages":{"name":{"x":7}},"user_message":"Bad name"}`,
			doo.ReasonInvalidConfiguration, []string{"Bad name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.MaxAttempts = 1 }, nil)
			body := tt.body
			if strings.HasSuffix(body, ".json") {
				body = answerFile(t, body)
			}
			mustList(t, env.Client)
			env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: tt.status, Count: 1, Body: body})
			_, err := env.Client.CreateWebhook(context.Background(), testTeam, webhook("refused"))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if got := doo.ReasonOf(err); got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "a refused create is sent once")
		})
	}
}

// closedURL returns the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	_ = l.Close()
	return u
}

// A host that cannot be reached is a setting to fix: a few quick tries, then an error that names the URL.
func TestUnreachableHost_failsFastNamingTheURL(t *testing.T) {
	t.Parallel()
	closed := closedURL(t)
	tests := []struct {
		name   string
		mutate func(*doo.Config)
		reason doo.Reason
		named  string
	}{
		{"base URL", func(c *doo.Config) { c.BaseURL, c.AccessToken, c.ClientSecret = closed, "static", "" }, doo.ReasonAPIUnreachable, closed},
		{"token URL", func(c *doo.Config) { c.TokenURL = closed + "/auth/token" }, doo.ReasonTokenEndpointUnreachable, closed + "/auth/token"},
		{"token URL derived from the base URL", func(c *doo.Config) { c.BaseURL = closed }, doo.ReasonAPIUnreachable, closed + "/v1/oauth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.HTTPClient = nil; tt.mutate(c) }, nil)
			_, err := env.Client.ListWebhooks(context.Background(), testTeam)
			if doo.ReasonOf(err) != tt.reason {
				t.Fatalf("err = %v (reason %q), want reason %q", err, doo.ReasonOf(err), tt.reason)
			}
			if !strings.Contains(err.Error(), tt.named) {
				t.Errorf("error %q does not name %s", err, tt.named)
			}
			var total time.Duration
			for _, s := range env.Clock.Sleeps() {
				total += s
			}
			if len(env.Clock.Sleeps()) != 2 || total > 2*time.Second {
				t.Errorf("waited %v before giving up, want two short pauses", env.Clock.Sleeps())
			}
		})
	}
}

// A token URL that answers with an error is named as configured, not as doo's default path.
func TestTokenURL_errorNamesTheURLCalled(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.MaxAttempts = 1 }, nil)
	custom := env.URL + "/custom/token"
	c, err := doo.New(func() doo.Config { cfg := env.Config; cfg.TokenURL = custom; return cfg }())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListWebhooks(context.Background(), testTeam)
	if err == nil || !strings.Contains(err.Error(), custom) {
		t.Errorf("error %v does not name %s", err, custom)
	}
	var e *doo.Error
	if errors.As(err, &e) && strings.Contains(e.Error(), "team") {
		t.Errorf("error %q speaks of the team, which a token request has nothing to do with", err)
	}
}
