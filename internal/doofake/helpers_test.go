package doofake

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for the emulator.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock(t time.Time) *testClock { return &testClock{now: t} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is an emulator mounted on an httptest server.
type env struct {
	t    *testing.T
	fake *Server
	srv  *httptest.Server
}

// answer is one HTTP answer as a test sees it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// envelopeOf decodes the doo envelope of the answer.
func (a answer) envelope(t *testing.T) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("answer %d is not an envelope: %v: %s", a.status, err, a.body)
	}
	if e.ResponseStatus != a.status {
		t.Errorf("response_status %d differs from the HTTP status %d", e.ResponseStatus, a.status)
	}
	return e
}

// problemDoc is a decoded ApiProblem document.
type problemDoc struct {
	Type               string         `json:"type"`
	Title              string         `json:"title"`
	Status             int            `json:"status"`
	Detail             string         `json:"detail"`
	ValidationMessages map[string]any `json:"validation_messages"`
}

// problem decodes the answer as an ApiProblem, checking its Content-Type, status and required members.
func (a answer) problem(t *testing.T) problemDoc {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != ContentTypeProblem {
		t.Errorf("HTTP %d: Content-Type %q, want %q: %s", a.status, ct, ContentTypeProblem, a.body)
	}
	var p problemDoc
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("answer %d is not a problem document: %v: %s", a.status, err, a.body)
	}
	if p.Status != a.status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Errorf("problem %s lacks a member or its status differs from HTTP %d", a.body, a.status)
	}
	return p
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	fake := New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &env{t: t, fake: fake, srv: srv}
}

// raw sends a request with exactly the given headers.
func (e *env) raw(method, path, body string, header map[string]string) answer {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

// keyed sends a request with the right API key and no token.
func (e *env) keyed(method, path, body string) answer {
	e.t.Helper()
	return e.raw(method, path, body, map[string]string{"x-api-key": e.fake.Options().APIKey, "Content-Type": "application/json"})
}

// token fetches a fresh access token.
func (e *env) token() string {
	e.t.Helper()
	o := e.fake.Options()
	a := e.keyed(http.MethodPost, "/v1/oauth", tokenBody(o.ClientID, o.ClientSecret))
	if a.status != http.StatusOK {
		e.t.Fatalf("token: HTTP %d %s", a.status, a.body)
	}
	var data struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(mustData(e.t, a), &data); err != nil {
		e.t.Fatal(err)
	}
	return data.AccessToken
}

// authed sends a request with the API key and a bearer token.
func (e *env) authed(tok, method, path, body string) answer {
	e.t.Helper()
	return e.raw(method, path, body, map[string]string{
		"x-api-key": e.fake.Options().APIKey, "Authorization": "Bearer " + tok, "Content-Type": "application/json",
	})
}

// create posts body to team 1 and returns the new id, failing the test on anything but success.
func (e *env) create(tok, body string) string {
	e.t.Helper()
	a := e.authed(tok, http.MethodPost, teamPath(1), body)
	if a.status != http.StatusOK && a.status != http.StatusCreated {
		e.t.Fatalf("create: HTTP %d %s", a.status, a.body)
	}
	var id string
	if err := json.Unmarshal(mustData(e.t, a), &id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// list fetches one page of a team.
func (e *env) list(tok string, team int64, query string) page {
	e.t.Helper()
	a := e.authed(tok, http.MethodGet, teamPath(team)+query, "")
	if a.status != http.StatusOK {
		e.t.Fatalf("list: HTTP %d %s", a.status, a.body)
	}
	var p page
	if err := json.Unmarshal(a.body, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// page is a decoded list answer, kept loose so tests see every field the emulator sent.
type page struct {
	Links    map[string]link `json:"_links"`
	Embedded struct {
		Webhooks []map[string]any `json:"webhooks"`
	} `json:"_embedded"`
	PageCount  int `json:"page_count"`
	PageSize   int `json:"page_size"`
	TotalItems int `json:"total_items"`
	Page       int `json:"page"`
}

func (p page) ids() []string {
	var out []string
	for _, w := range p.Embedded.Webhooks {
		id, _ := w["id"].(string)
		out = append(out, id)
	}
	return out
}

func mustData(t *testing.T, a answer) json.RawMessage {
	t.Helper()
	var e struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, a.body)
	}
	return e.Data
}

func tokenBody(id, secret string) string {
	b, _ := json.Marshal(map[string]string{"client_id": id, "client_secret": secret, "grant_type": "client_credentials"})
	return string(b)
}

func teamPath(team int64) string {
	b, _ := json.Marshal(team)
	return "/v1/team/" + string(b) + "/webhooks"
}

// plainBody is a valid configuration with one plain hook.
func plainBody(name string) string {
	return `{"name":"` + name + `","hooks":[{"type":"order_created","method":"POST","endpoint":"https://crm.example.com/doo"}]}`
}

// plainWebhook is a valid configuration for Seed.
func plainWebhook(name string) Webhook {
	return Webhook{Name: name, Hooks: []Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/" + name}}}
}

// dig walks decoded JSON by map keys (string) and slice indexes (int), failing the test on a wrong shape.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, step := range path {
		switch k := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: %T is not an object", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: %T is not an array that long", k, v)
			}
			v = l[k]
		}
	}
	return v
}

// statusCase is a request and the HTTP status it must get.
type statusCase struct {
	method, path string
	status       int
}

// wantStatuses sends body with tok to each case and checks its status; an answer other than
// 200 must also be an ApiProblem document.
func (e *env) wantStatuses(tok, body string, tests []statusCase) {
	e.t.Helper()
	for _, tt := range tests {
		a := e.authed(tok, tt.method, tt.path, body)
		if a.status != tt.status {
			e.t.Errorf("%s %s: HTTP %d, want %d", tt.method, tt.path, a.status, tt.status)
			continue
		}
		if tt.status != http.StatusOK {
			a.problem(e.t)
		}
	}
}
