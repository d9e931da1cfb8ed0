package doofake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Tests of the dialect switches and of the faults added with them; every one is off by default.

func TestCreate_422ListsEveryFailingField(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	body := `{"description":5,"hooks":[
		{"type":"order_created","endpoint":"nope"},
		{"method":"TRACE","endpoint":"https://x.example/` + strings.Repeat("a", 1000) + `"},
		{"type":"event_created","endpoint":"https://x.example/h","origin":{"endpoint":"https://gql.doo.net"}}],
		"authentication":{"grant_type":"password","credentials":{"client_id":"doo"},"header_value_format":"Bearer"}}`
	a := e.authed(e.token(), http.MethodPost, teamPath(1), body)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d %s, want 422", a.status, a.body)
	}
	p := a.problem(t)
	want := map[string]any{
		"name":        map[string]any{"isEmpty": msgIsEmpty},
		"description": map[string]any{"stringLengthInvalid": msgStringType},
		"hooks": map[string]any{
			"0": map[string]any{"endpoint": map[string]any{"notUri": msgNotURI}},
			"1": map[string]any{
				"type":     map[string]any{"isEmpty": msgIsEmpty},
				"method":   map[string]any{"notInArray": msgNotInArray},
				"endpoint": map[string]any{"stringLengthTooLong": "The input is more than 1000 characters long"},
			},
			"2": map[string]any{"origin": map[string]any{"body": map[string]any{"isEmpty": msgIsEmpty}}},
		},
		"authentication": map[string]any{
			"grant_type":          map[string]any{"notInArray": msgNotInArray},
			"endpoint":            map[string]any{"isEmpty": msgIsEmpty},
			"credentials":         map[string]any{"client_secret": map[string]any{"isEmpty": msgIsEmpty}},
			"header_value_format": map[string]any{"regexNotMatch": "The input does not match against pattern '/%ACCESS_TOKEN%/'"},
		},
	}
	if !jsonEqual(p.ValidationMessages, want) {
		t.Errorf("validation_messages\n got %s\nwant %s", compact(p.ValidationMessages), compact(want))
	}
	if n := len(e.fake.Webhooks(1)); n != 0 {
		t.Errorf("an invalid create stored %d configurations", n)
	}
}

func TestDeleteBetweenPages_page2Gets409(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	var ids []string
	for i := range 26 {
		ids = append(ids, e.fake.Seed(1, plainWebhook("w"+string(rune('a'+i%26)))))
	}
	e.fake.DeleteBetweenPages(1, ids[3])
	if n := e.fake.PendingDeletions(1); n != 1 {
		t.Fatalf("PendingDeletions = %d", n)
	}
	p1 := e.list(tok, 1, "")
	if p1.PageCount != 2 || len(p1.ids()) != 25 || p1.ids()[3] != ids[3] {
		t.Fatalf("page 1 answered before the delete: %d pages, %d items", p1.PageCount, len(p1.ids()))
	}
	a := e.authed(tok, http.MethodGet, teamPath(1)+"?page=2", "")
	if p := a.problem(t); a.status != http.StatusConflict || p.Detail != "Invalid page provided" {
		t.Errorf("page 2 after another writer's delete: HTTP %d %s, want the 409 problem", a.status, a.body)
	}
	if d := e.fake.DeletionsBetweenPages(); len(d) != 1 || d[0] != (Deletion{TeamID: 1, ID: ids[3]}) {
		t.Errorf("DeletionsBetweenPages = %+v", d)
	}
	if n := len(e.fake.Webhooks(1)); n != 25 || e.fake.PendingDeletions(1) != 0 {
		t.Errorf("%d stored, %d pending, want 25 and 0", n, e.fake.PendingDeletions(1))
	}

	single := newEnv(t, Options{})
	id := single.fake.Seed(1, plainWebhook("only"))
	single.fake.DeleteBetweenPages(1, id)
	single.list(single.token(), 1, "")
	if single.fake.PendingDeletions(1) != 1 || len(single.fake.Webhooks(1)) != 1 {
		t.Error("a one-page listing fired DeleteBetweenPages")
	}
	single.fake.Disarm()
	if single.fake.PendingDeletions(1) != 0 {
		t.Error("Disarm left DeleteBetweenPages armed")
	}
}

func TestLateCommit_504ThenStoredAfterTheDelay(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, Options{Now: clock.Now})
	tok := e.token()
	e.fake.LateCommitNextCreate(5 * time.Second)
	a := e.authed(tok, http.MethodPost, teamPath(1), plainBody("late"))
	if a.status != http.StatusGatewayTimeout || a.problem(t).Title != "Gateway Time-out" {
		t.Fatalf("HTTP %d %s, want the 504 problem", a.status, a.body)
	}
	if n := len(e.fake.Webhooks(1)); n != 0 || e.fake.PendingLateCommits() != 1 {
		t.Fatalf("at answer time: %d stored, %d pending, want 0 and 1", n, e.fake.PendingLateCommits())
	}
	clock.Advance(4 * time.Second)
	if p := e.list(tok, 1, ""); p.TotalItems != 0 {
		t.Errorf("before the delay the listing shows %d", p.TotalItems)
	}
	clock.Advance(time.Second)
	w := e.fake.Webhooks(1)
	if len(w) != 1 || w[0].Name != "late" {
		t.Fatalf("after the delay Webhooks = %+v, want the late configuration", w)
	}
	lc := e.fake.LateCommits()
	if len(lc) != 1 || lc[0].ID != w[0].ID || lc[0].CommittedAt.Sub(lc[0].AnsweredAt) != 5*time.Second {
		t.Errorf("LateCommits = %+v", lc)
	}
	if p := e.list(tok, 1, ""); len(p.ids()) != 1 || p.ids()[0] != w[0].ID {
		t.Errorf("the listing shows %v", p.ids())
	}
	// The next create is normal again.
	e.create(tok, plainBody("normal"))

	// A request, not only a reader, stores a due commit.
	other := newEnv(t, Options{Now: clock.Now})
	otok := other.token()
	other.fake.LateCommitNextCreate(0)
	other.authed(otok, http.MethodPost, teamPath(1), plainBody("due at once"))
	if p := other.list(otok, 1, ""); p.TotalItems != 1 {
		t.Errorf("a zero-delay late commit is not listed by the next request: %+v", p)
	}
}

func TestEchoRequestInErrors_escapedBodyInDetail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	body := `{"name":"","hooks":[{"type":"order_created","endpoint":"https://x.example/h?a=1&b=<2>"}],
		"authentication":{"endpoint":"https://x.example/t","credentials":{"client_secret":"s3cr&t<x>"}}}`
	if a := e.authed(tok, http.MethodPost, teamPath(1), body); strings.Contains(a.problem(t).Detail, "s3cr") {
		t.Fatalf("off by default, the detail echoes the body: %s", a.body)
	}
	e.fake.Update(func(st *Settings) { st.EchoRequestInErrors = true })
	a := e.authed(tok, http.MethodPost, teamPath(1), body)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.problem(t).Detail, body) {
		t.Errorf("the 422 detail does not hold the raw body: %s", a.body)
	}
	if !bytes.Contains(a.body, []byte(`s3cr\u0026t\u003cx\u003e`)) || bytes.Contains(a.body, []byte("s3cr&t")) {
		t.Errorf("the body is not JSON-escaped by encoding/json on the wire: %s", a.body)
	}
	e.fake.SetFaultRule(RouteCreate, Fault{Status: http.StatusInternalServerError, Count: 1})
	if a := e.authed(tok, http.MethodPost, teamPath(1), plainBody("x&y")); !strings.Contains(a.problem(t).Detail, plainBody("x&y")) {
		t.Errorf("a create fault does not echo the body: %s", a.body)
	}
	if a := e.authed(tok, http.MethodGet, teamPath(99), ""); strings.Contains(string(a.body), "request body") {
		t.Errorf("a listing error echoes: %s", a.body)
	}
	e.fake.Update(func(st *Settings) { st.EnvelopeErrors = true })
	a = e.authed(tok, http.MethodPost, teamPath(1), body)
	if env := a.envelope(t); !strings.Contains(env.DeveloperMessage, body) || !bytes.Contains(a.body, []byte(`\u0026`)) {
		t.Errorf("the envelope's developer_message does not echo the body: %s", a.body)
	}
}

func TestCreateAnswersObject_dataIsTheStoredConfiguration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.Update(func(st *Settings) { st.CreateAnswersObject = true })
	body := `{"name":"obj","hooks":[{"type":"order_created","endpoint":"https://x.example/h"}],
		"authentication":{"endpoint":"https://x.example/t","credentials":{"client_id":"doo","client_secret":"in-data"}}}`
	a := e.authed(tok, http.MethodPost, teamPath(1), body)
	var data map[string]any
	if err := json.Unmarshal(mustData(t, a), &data); err != nil || a.status != http.StatusOK {
		t.Fatalf("HTTP %d %s: %v", a.status, a.body, err)
	}
	stored := e.fake.Webhooks(1)
	if len(stored) != 1 || data["id"] != stored[0].ID || data["name"] != "obj" ||
		dig(t, data, "authentication", "credentials", "client_secret") != "in-data" {
		t.Errorf("data = %v, want the stored object with its id and secret", data)
	}
}

func TestPageSizeParam_offByDefaultThenHonouredAndChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	for range 12 {
		e.fake.Seed(1, plainWebhook("p"))
	}
	if p := e.list(tok, 1, "?page_size=5"); p.PageSize != 25 || p.PageCount != 1 {
		t.Errorf("off: page_size %d, %d pages, want the fixed 25", p.PageSize, p.PageCount)
	}
	e.fake.Update(func(st *Settings) { st.PageSizeParam = PageSizeParam{Name: "page_size", Max: 10} })
	p := e.list(tok, 1, "?page_size=5&page=2")
	if p.PageSize != 5 || p.PageCount != 3 || len(p.ids()) != 5 || p.Page != 2 ||
		p.Links["next"].Href != "https://integration.doo.net/v1/team/1/webhooks?page=3&page_size=5" {
		t.Errorf("page_size=5: %+v", p)
	}
	if p := e.list(tok, 1, ""); p.PageSize != 25 {
		t.Errorf("without the parameter: page_size %d, want 25", p.PageSize)
	}
	if p := e.list(tok, 1, "?page_size=-1"); p.PageSize != -1 || p.PageCount != 1 || len(p.ids()) != 12 {
		t.Errorf("page_size=-1 (no pagination): %+v", p)
	}
	a := e.authed(tok, http.MethodGet, teamPath(1)+"?page_size=11", "")
	if pr := a.problem(t); a.status != http.StatusRequestedRangeNotSatisfiable || pr.Detail != "Page size is out of range, maximum page size is 10" {
		t.Errorf("above max: HTTP %d %s, want api-tools-rest's 416", a.status, a.body)
	}
	a = e.authed(tok, http.MethodGet, teamPath(1)+"?page_size=0", "")
	if a.status != http.StatusBadRequest || !strings.HasPrefix(a.problem(t).Detail, "size must be a positive integer or -1") {
		t.Errorf("page_size=0: HTTP %d %s, want 400", a.status, a.body)
	}
	e.fake.Update(func(st *Settings) { st.PageSizeParam = PageSizeParam{Name: "page_size", Max: 10, Clamp: true} })
	if p := e.list(tok, 1, "?page_size=100"); p.PageSize != 10 || p.PageCount != 2 {
		t.Errorf("clamped: page_size %d, %d pages, want 10 and 2", p.PageSize, p.PageCount)
	}
	e.fake.Update(func(st *Settings) { st.PageSizeParam = PageSizeParam{} })
	if p := e.list(tok, 1, "?page_size=5"); p.PageSize != 25 {
		t.Errorf("switched off again: page_size %d", p.PageSize)
	}
}

func TestEnvelopeErrors_everyErrorInDoosEnvelope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.Update(func(st *Settings) { st.EnvelopeErrors = true })
	for range 3 {
		e.fake.Seed(1, plainWebhook("x"))
	}
	tests := []struct {
		name   string
		send   func() answer
		status int
	}{
		{"401", func() answer { return e.keyed(http.MethodGet, teamPath(1), "") }, http.StatusUnauthorized},
		{"403 team", func() answer { return e.authed(tok, http.MethodGet, teamPath(99), "") }, http.StatusForbidden},
		{"404", func() answer { return e.authed(tok, http.MethodGet, "/v1/nothing", "") }, http.StatusNotFound},
		{"405", func() answer { return e.authed(tok, http.MethodGet, "/v1/webhooks/x", "") }, http.StatusMethodNotAllowed},
		{"409", func() answer { return e.authed(tok, http.MethodGet, teamPath(1)+"?page=2", "") }, http.StatusConflict},
		{"422", func() answer { return e.authed(tok, http.MethodPost, teamPath(1), `{"name":""}`) }, http.StatusUnprocessableEntity},
		{"token 400", func() answer { return e.keyed(http.MethodPost, "/v1/oauth", tokenBody("a", "b")) }, http.StatusBadRequest},
	}
	for _, tt := range tests {
		a := tt.send()
		if a.status != tt.status || a.header.Get("Content-Type") != ContentTypeJSON {
			t.Errorf("%s: HTTP %d Content-Type %q %s", tt.name, a.status, a.header.Get("Content-Type"), a.body)
			continue
		}
		env := a.envelope(t)
		if env.Data != nil || env.DeveloperMessage == "" || env.UserMessage == "" {
			t.Errorf("%s: %s lacks messages or has data", tt.name, a.body)
		}
	}
	a := e.authed(tok, http.MethodPost, teamPath(1), `{"name":""}`)
	if env := a.envelope(t); !strings.Contains(env.DeveloperMessage, "hooks: Value is required") {
		t.Errorf("422 envelope does not list the fields: %q", env.DeveloperMessage)
	}
	if a := e.raw(http.MethodGet, teamPath(1), "", nil); a.status != http.StatusForbidden || string(a.body) != `{"message":"Forbidden"}` {
		t.Errorf("the gateway's 403 changed: HTTP %d %s", a.status, a.body)
	}
}

func TestLegacyEmptyList_theOldInventedShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.fake.Update(func(st *Settings) { st.LegacyEmptyList = true })
	tok := e.token()
	p := e.list(tok, 1, "")
	if p.PageCount != 1 || p.Page != 1 || p.TotalItems != 0 || len(p.Embedded.Webhooks) != 0 || p.Links["first"].Href == "" || p.Links["last"].Href == "" {
		t.Errorf("legacy empty page: %+v", p)
	}
	if a := e.authed(tok, http.MethodGet, teamPath(1)+"?page=2", ""); a.status != http.StatusConflict {
		t.Errorf("page 2 of the one legacy page: HTTP %d", a.status)
	}
}

func TestExtraListFields_addsFieldsClientsIgnore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.create(tok, plainBody("x"))
	e.fake.Update(func(st *Settings) { st.ExtraListFields = true })
	item := e.list(tok, 1, "").Embedded.Webhooks[0]
	if item["status"] != "active" || item["created_at"] == nil || dig(t, item, "hooks", 0, "active") != true {
		t.Errorf("extra fields missing: %v", item)
	}
}

func TestOAuth2BearerChallenges_guest403AndEmpty401(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.fake.Update(func(st *Settings) { st.OAuth2BearerChallenges = true })
	a := e.keyed(http.MethodGet, teamPath(1), "")
	if a.status != http.StatusForbidden || a.problem(t).Detail != "Forbidden" || a.header.Get("WWW-Authenticate") != `Bearer realm="Service"` {
		t.Errorf("no token: HTTP %d %q %s", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
	a = e.authed(strings.Repeat("0", 40), http.MethodGet, teamPath(1), "")
	if a.status != http.StatusUnauthorized || len(a.body) != 0 || !strings.Contains(a.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("bad token: HTTP %d %q %q", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
}

func TestAdmin_newKnobs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ids := seedNames(e.fake, "a", "b")
	a := e.raw(http.MethodPost, "/_fake/config", `{"envelope_errors":true,"echo_request_in_errors":true,"create_answers_object":true,
		"legacy_empty_list":true,"extra_list_fields":true,"oauth2_bearer_challenges":true,
		"page_size_param":{"name":"page_size","max":50,"clamp":true},"late_commit_next_create_seconds":2.5,
		"delete_between_pages":{"team_id":1,"id":"`+ids[0]+`"},"replace_between_pages":{"team_id":1,"name_prefix":"b"}}`, nil)
	if a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	var knobs map[string]any
	if err := json.Unmarshal(a.body, &knobs); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"envelope_errors", "echo_request_in_errors", "create_answers_object", "legacy_empty_list",
		"extra_list_fields", "oauth2_bearer_challenges"} {
		if knobs[k] != true {
			t.Errorf("knob %s = %v, want true", k, knobs[k])
		}
	}
	if knobs["late_commits_pending"] != 1.0 || knobs["deletions_armed"] != 1.0 || knobs["replacements_armed"] != 1.0 ||
		dig(t, knobs, "page_size_param", "max") != 50.0 {
		t.Errorf("knobs = %v", knobs)
	}
	e.fake.Update(func(st *Settings) { st.PageSize = 1 })
	e.list(e.token(), 1, "")
	if r := e.fake.Replacements(); len(r) != 1 || r[0].OldID != ids[1] {
		t.Errorf("name_prefix b replaced %+v, want %s", r, ids[1])
	}
	for _, ep := range []string{"deletions", "late_commits"} {
		if a := e.raw(http.MethodGet, "/_fake/"+ep, "", nil); a.status != http.StatusOK || !json.Valid(a.body) {
			t.Errorf("GET /_fake/%s: HTTP %d %s", ep, a.status, a.body)
		}
	}
}
