package doofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Tests of the knobs that make the emulator play doo's gateway badly but plausibly.

func TestFault_rawBodyAnswersA2xxWithoutEmbedded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.create(tok, plainBody("kept"))
	e.fake.SetFaultRule(RouteList, Fault{Status: http.StatusOK, Body: "{}", Count: 1})
	a := e.authed(tok, http.MethodGet, teamPath(1), "")
	if a.status != http.StatusOK || string(a.body) != "{}" || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("raw-body fault: HTTP %d %q Content-Type %q, want 200 {} application/json", a.status, a.body, a.header.Get("Content-Type"))
	}
	if p := e.list(tok, 1, ""); len(p.ids()) != 1 || p.TotalItems != 1 {
		t.Errorf("after the one-off fault: %+v, want the stored configuration", p)
	}
	if got := e.fake.Requests(); got[len(got)-2].Status != http.StatusOK || got[len(got)-2].Route != RouteList {
		t.Errorf("the raw-body answer was recorded as %+v", got[len(got)-2])
	}
}

func TestFault_locationHeaderOnARedirectStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	target := "https://elsewhere.example.com/v1/team/1/webhooks"
	e.fake.SetFaultRule(RouteCreate, Fault{Status: http.StatusTemporaryRedirect, Location: target, Count: 1})
	noFollow := *e.srv.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+teamPath(1), strings.NewReader(plainBody("redirected")))
	req.Header.Set("x-api-key", DefaultAPIKey)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != target {
		t.Errorf("HTTP %d Location %q, want 307 to %s", res.StatusCode, res.Header.Get("Location"), target)
	}
	if n := len(e.fake.Webhooks(1)); n != 0 {
		t.Errorf("a redirected create stored %d configurations, want 0", n)
	}
}

func TestFault_oneOffAnswersBeforeTheHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		route  string
		status int
		send   func(e *env, tok string) answer
	}{
		{"404 listing", RouteList, http.StatusNotFound, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodGet, teamPath(1), "")
		}},
		{"404 token", RouteToken, http.StatusNotFound, func(e *env, _ string) answer {
			o := e.fake.Options()
			return e.keyed(http.MethodPost, "/v1/oauth", tokenBody(o.ClientID, o.ClientSecret))
		}},
		{"404 create", RouteCreate, http.StatusNotFound, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodPost, teamPath(1), plainBody("f"))
		}},
		{"502 create", RouteCreate, http.StatusBadGateway, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodPost, teamPath(1), plainBody("f"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			tok := e.token()
			e.fake.SetFaultRule(tt.route, Fault{Status: tt.status, Count: 1})
			if a := tt.send(e, tok); a.status != tt.status || a.problem(t).Status != tt.status {
				t.Errorf("first call: HTTP %d %s, want a %d problem", a.status, a.body, tt.status)
			}
			if n := len(e.fake.Webhooks(1)); n != 0 {
				t.Errorf("a refused call stored %d configurations", n)
			}
			if a := tt.send(e, tok); a.status != http.StatusOK {
				t.Errorf("second call: HTTP %d %s, want 200 (the fault is one-off)", a.status, a.body)
			}
			wantStored := 0
			if tt.route == RouteCreate {
				wantStored = 1
			}
			if n := len(e.fake.Webhooks(1)); n != wantStored {
				t.Errorf("stored %d configurations after the second call, want %d", n, wantStored)
			}
		})
	}
}

// seedNames stores one configuration per name in team 1 and returns their ids.
func seedNames(fake *Server, names ...string) []string {
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = fake.Seed(1, plainWebhook(n))
	}
	return ids
}

func TestReplaceBetweenPages_shiftsEveryLaterItemOnePlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	ids := seedNames(e.fake, "a", "b", "c", "d", "e")
	e.fake.ReplaceBetweenPages(1, ids[1])

	p1 := e.list(tok, 1, "?page=1")
	p2 := e.list(tok, 1, "?page=2")
	p3 := e.list(tok, 1, "?page=3")
	if got := p1.ids(); !reflect.DeepEqual(got, ids[:2]) {
		t.Errorf("page 1 = %v, want %v (answered before the replacement)", got, ids[:2])
	}
	if got := p2.ids(); !reflect.DeepEqual(got, ids[3:5]) {
		t.Errorf("page 2 = %v, want %v: c shifted onto page 1 and is missed", got, ids[3:5])
	}
	reps := e.fake.Replacements()
	if len(reps) != 1 || reps[0].TeamID != 1 || reps[0].OldID != ids[1] || reps[0].NewID == ids[1] || reps[0].NewID == "" {
		t.Fatalf("Replacements = %+v, want b replaced under a new id", reps)
	}
	if got := p3.ids(); !reflect.DeepEqual(got, []string{reps[0].NewID}) {
		t.Errorf("page 3 = %v, want the copy %s", got, reps[0].NewID)
	}
	if p1.TotalItems != 5 || p3.TotalItems != 5 {
		t.Errorf("total_items %d then %d, want 5 both times", p1.TotalItems, p3.TotalItems)
	}
	stored := e.fake.Webhooks(1)
	last := stored[len(stored)-1]
	if len(stored) != 5 || last.ID != reps[0].NewID || last.Name != "b" || !reflect.DeepEqual(last.Hooks, plainWebhook("b").Hooks) {
		t.Errorf("stored %+v, want a..e with b's copy last", stored)
	}
	for _, w := range stored {
		if w.ID == ids[1] {
			t.Errorf("the replaced id %s is still stored", ids[1])
		}
	}
	if got := e.list(tok, 1, "").ids(); !reflect.DeepEqual(got, []string{ids[0], ids[2]}) {
		t.Errorf("next listing page 1 = %v: the replacement is one-shot", got)
	}
	if n := len(e.fake.Replacements()); n != 1 {
		t.Errorf("%d replacements, want 1", n)
	}
}

func TestReplaceBetweenPages_waitsForAMultiPageListing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	ids := seedNames(e.fake, "only")
	e.fake.ReplaceBetweenPages(1, ids[0])
	e.list(tok, 1, "")
	e.list(tok, 2, "")
	if n := e.fake.PendingReplacements(1); n != 1 || len(e.fake.Replacements()) != 0 {
		t.Fatalf("a one-page listing fired the replacement (pending %d)", n)
	}
	seedNames(e.fake, "two", "three")
	e.list(tok, 1, "?page=2")
	if n := e.fake.PendingReplacements(1); n != 1 {
		t.Fatalf("a page-2 request fired the replacement (pending %d)", n)
	}
	e.list(tok, 1, "")
	if n := e.fake.PendingReplacements(1); n != 0 || len(e.fake.Replacements()) != 1 {
		t.Errorf("page 1 of a two-page listing left %d pending, %d done", n, len(e.fake.Replacements()))
	}
}

func TestReplaceBetweenPagesNamed_picksTheFirstMatchOrNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	ids := seedNames(e.fake, "managed-1", "handmade-1", "handmade-2")
	e.fake.ReplaceBetweenPagesNamed(1, "handmade")
	e.list(tok, 1, "")
	if reps := e.fake.Replacements(); len(reps) != 1 || reps[0].OldID != ids[1] {
		t.Fatalf("Replacements = %+v, want handmade-1 (%s) replaced", reps, ids[1])
	}

	none := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	seedNames(none.fake, "a", "b", "c")
	before := none.fake.Webhooks(1)
	none.fake.ReplaceBetweenPagesMatching(1, func(w Webhook) bool { return w.Name == "nobody" })
	none.list(none.token(), 1, "")
	if !reflect.DeepEqual(none.fake.Webhooks(1), before) || len(none.fake.Replacements()) != 0 || none.fake.PendingReplacements(1) != 0 {
		t.Error("with no matching configuration the listing must consume the arm and change nothing")
	}

	gone := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	gids := seedNames(gone.fake, "a", "b", "c")
	gone.fake.ReplaceBetweenPages(1, "missing")
	gone.list(gone.token(), 1, "")
	if got := gone.fake.Webhooks(1); len(got) != 3 || got[2].ID != gids[2] || len(gone.fake.Replacements()) != 0 {
		t.Errorf("an unknown id changed the store: %+v", got)
	}
}

func TestOmitDescriptionInList_leavesTheKeyOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.Seed(1, Webhook{Name: "described", Description: "text", Hooks: plainWebhook("x").Hooks})
	e.fake.Seed(1, plainWebhook("empty"))
	for _, item := range e.list(tok, 1, "").Embedded.Webhooks {
		if _, ok := item["description"]; !ok {
			t.Errorf("default: item %v lacks description (doo echoes it, possibly empty)", item["name"])
		}
	}
	e.fake.Update(func(st *Settings) { st.OmitDescriptionInList = true })
	for _, item := range e.list(tok, 1, "").Embedded.Webhooks {
		if v, ok := item["description"]; ok {
			t.Errorf("omitting: item %v has description %q", item["name"], v)
		}
	}
	if w := e.fake.Webhooks(1); w[0].Description != "text" {
		t.Errorf("stored description %q lost", w[0].Description)
	}
	e.fake.Update(func(st *Settings) { st.OmitDescriptionInList = false })
	if d := e.list(tok, 1, "").Embedded.Webhooks[0]["description"]; d != "text" {
		t.Errorf("turned off: description %v, want text", d)
	}
}

func TestIgnorePageParam_answersPageOneWithTheClaimedPageCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	ids := seedNames(e.fake, "a", "b", "c", "d", "e")
	e.fake.Update(func(st *Settings) { st.IgnorePageParam = 1000000 })
	for _, q := range []string{"", "?page=1", "?page=3", "?page=999999"} {
		p := e.list(tok, 1, q)
		if !reflect.DeepEqual(p.ids(), ids[:2]) || p.PageCount != 1000000 || p.Page != 1 || p.TotalItems != 5 {
			t.Errorf("%q: ids %v page %d/%d total %d, want page 1's items and page_count 1000000", q, p.ids(), p.Page, p.PageCount, p.TotalItems)
		}
	}
	e.fake.Update(func(st *Settings) { st.IgnorePageParam = 0 })
	if p := e.list(tok, 1, "?page=3"); !reflect.DeepEqual(p.ids(), ids[4:]) || p.PageCount != 3 {
		t.Errorf("turned off: page 3 = %v of %d", p.ids(), p.PageCount)
	}
}

func TestNumericIDs_areJSONNumbersAbove2To53(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 25}})
	tok := e.token()
	uuid := e.create(tok, plainBody("before"))
	e.fake.Update(func(st *Settings) { st.NumericIDs = true })
	var created []string
	for i := range 2 {
		a := e.authed(tok, http.MethodPost, teamPath(1), plainBody(fmt.Sprintf("n%d", i)))
		data := strings.TrimSpace(string(mustData(t, a)))
		want := strconv.FormatUint(FirstNumericID+uint64(i), 10)
		if a.status != http.StatusOK || data != want {
			t.Fatalf("create %d: HTTP %d data %s, want the JSON number %s", i, a.status, data, want)
		}
		created = append(created, data)
	}
	if created[0] != "9007199254740993" {
		t.Errorf("first numeric id %s, want 9007199254740993 (2^53 + 1)", created[0])
	}
	if f, _ := strconv.ParseFloat(created[0], 64); strconv.FormatFloat(f, 'f', 0, 64) == created[0] {
		t.Errorf("id %s survives float64: it does not prove a client keeps ids exact", created[0])
	}

	a := e.authed(tok, http.MethodGet, teamPath(1), "")
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	var p struct {
		Embedded struct {
			Webhooks []struct {
				ID   any    `json:"id"`
				Href string `json:"-"`
			} `json:"webhooks"`
		} `json:"_embedded"`
	}
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	want := []any{uuid, json.Number(created[0]), json.Number(created[1])}
	var got []any
	for _, w := range p.Embedded.Webhooks {
		got = append(got, w.ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listed ids %#v, want %#v (strings stay strings, numeric ids are numbers)", got, want)
	}
	if w := e.fake.Webhooks(1); w[1].ID != created[0] {
		t.Errorf("Webhooks id %q, want the decimal text %s", w[1].ID, created[0])
	}
	if id := e.fake.Seed(1, plainWebhook("seeded")); id != "9007199254740995" {
		t.Errorf("Seed id %s, want the next numeric id", id)
	}

	var buf bytes.Buffer
	if err := e.fake.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	restored := newEnv(t, Options{})
	if err := restored.fake.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	if id := restored.list(restored.token(), 1, "").Embedded.Webhooks[1]["id"]; id != float64(FirstNumericID) {
		t.Errorf("after a state round trip the id is %#v, want a JSON number", id)
	}

	if a := e.keyed(http.MethodDelete, "/v1/webhooks/"+created[0], ""); a.status != http.StatusNoContent {
		t.Fatalf("delete: HTTP %d", a.status)
	}
	for _, w := range e.fake.Webhooks(1) {
		if w.ID == created[0] {
			t.Errorf("DELETE with the decimal text left %s stored", created[0])
		}
	}
}

func TestRequests_recordHostAndWhetherCredentialsWereSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.raw(http.MethodGet, teamPath(1), "", nil)
	e.keyed(http.MethodDelete, "/v1/webhooks/x", "")
	e.authed(tok, http.MethodGet, teamPath(1), "")
	e.raw(http.MethodGet, teamPath(1), "", map[string]string{"Authorization": "Bearer " + tok})
	host := strings.TrimPrefix(e.srv.URL, "http://")
	want := []struct{ key, auth bool }{{true, false}, {false, false}, {true, false}, {true, true}, {false, true}}
	reqs := e.fake.Requests()
	if len(reqs) != len(want) {
		t.Fatalf("recorded %d requests, want %d", len(reqs), len(want))
	}
	for i, w := range want {
		r := reqs[i]
		if r.Host != host || r.HasAPIKey != w.key || r.HasAuthorization != w.auth {
			t.Errorf("request %d: host %q key %v auth %v, want %q %v %v", i, r.Host, r.HasAPIKey, r.HasAuthorization, host, w.key, w.auth)
		}
		if dump := fmt.Sprintf("%+v", r); strings.Contains(dump, tok) || strings.Contains(dump, DefaultAPIKey) {
			t.Errorf("request %d records a credential: %s", i, dump)
		}
	}
}

// TestOtherHost_recordsWhatARedirectCarried shows the two-emulator pattern: the API's emulator answers a
// 307 to a second emulator, the "other host", whose Requests prove which credentials followed the redirect.
func TestOtherHost_recordsWhatARedirectCarried(t *testing.T) {
	t.Parallel()
	api := newEnv(t, Options{})
	other := New(Options{})
	otherSrv := httptest.NewServer(other)
	t.Cleanup(otherSrv.Close)
	// localhost instead of 127.0.0.1: another host name, as a client sees hosts, on the same loopback.
	u, _ := url.Parse(otherSrv.URL)
	otherHost := "localhost:" + u.Port()
	tok := api.token()
	api.fake.SetFaultRule(RouteList, Fault{Status: http.StatusTemporaryRedirect, Location: "http://" + otherHost + teamPath(1), Count: 1})

	// Go's default client follows the 307 and, on a change of host name, drops Authorization but keeps
	// every other header, x-api-key included: the leak a doo client must prevent.
	req, _ := http.NewRequest(http.MethodGet, api.srv.URL+teamPath(1), nil)
	req.Header.Set("x-api-key", DefaultAPIKey)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()

	got := other.Requests()
	if len(got) != 1 {
		t.Fatalf("the other host recorded %d requests, want 1", len(got))
	}
	if r := got[0]; r.Host != otherHost || r.Route != RouteList || !r.HasAPIKey || r.HasAuthorization {
		t.Errorf("other host recorded %+v, want host %s with x-api-key and without Authorization", r, otherHost)
	}
	if r := api.fake.Requests(); r[len(r)-1].Status != http.StatusTemporaryRedirect || !r[len(r)-1].HasAuthorization {
		t.Errorf("the API recorded %+v, want the 307 with both credentials", r[len(r)-1])
	}
}

func TestAdminConfig_newKnobs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	ids := seedNames(e.fake, "a", "b", "c")
	admin := func(body string) {
		t.Helper()
		if a := e.raw(http.MethodPost, "/_fake/config", body, nil); a.status != http.StatusOK {
			t.Fatalf("config %s: HTTP %d %s", body, a.status, a.body)
		}
	}
	admin(`{"fault_route":"list","fault_status":200,"fault_body":"{}","fault_count":1}`)
	if a := e.authed(tok, http.MethodGet, teamPath(1), ""); string(a.body) != "{}" {
		t.Errorf("fault_body: %s", a.body)
	}
	// A 409 rather than a 3xx: the test client would follow a redirect.
	admin(`{"fault_route":"create","fault_status":409,"fault_location":"https://x.example/","fault_count":1}`)
	if a := e.authed(tok, http.MethodPost, teamPath(1), plainBody("r")); a.status != 409 || a.header.Get("Location") != "https://x.example/" {
		t.Errorf("fault_location: HTTP %d %q", a.status, a.header.Get("Location"))
	}
	admin(`{"omit_description_in_list":true,"ignore_page_param":7,"replace_between_pages":{"team_id":1,"id":"` + ids[0] + `"}}`)
	p := e.list(tok, 1, "?page=2")
	if _, has := p.Embedded.Webhooks[0]["description"]; has || p.PageCount != 7 || len(e.fake.Replacements()) != 1 {
		t.Errorf("omit/ignore/replace: %+v, %d replacements", p, len(e.fake.Replacements()))
	}
	if a := e.raw(http.MethodGet, "/_fake/replacements", "", nil); !strings.Contains(string(a.body), ids[0]) {
		t.Errorf("/_fake/replacements: %s", a.body)
	}
	admin(`{"numeric_ids":true,"lose_next_create_status":504}`)
	if a := e.authed(tok, http.MethodPost, teamPath(1), plainBody("lost")); a.status != http.StatusGatewayTimeout {
		t.Errorf("lose_next_create_status: HTTP %d", a.status)
	}
	if w := e.fake.Webhooks(1); w[len(w)-1].ID != strconv.FormatUint(FirstNumericID, 10) {
		t.Errorf("numeric_ids: stored %+v", w[len(w)-1])
	}
	admin(`{"ignore_deletes":true}`)
	e.keyed(http.MethodDelete, "/v1/webhooks/"+ids[1], "")
	if len(e.fake.Webhooks(1)) != 4 {
		t.Error("ignore_deletes: the delete removed the configuration")
	}
}

func TestDisarm_removesFaultsLostCreatesAndReplacements(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 1}})
	tok := e.token()
	ids := seedNames(e.fake, "a", "b")
	e.fake.SetFaultRule(RouteList, Fault{Status: http.StatusNotFound, Count: 1})
	e.fake.SetFault(RouteCreate, 0.5, http.StatusServiceUnavailable)
	e.fake.LoseNextCreateResponse()
	e.fake.LoseNextCreateWithStatus(http.StatusGatewayTimeout)
	e.fake.ReplaceBetweenPages(1, ids[0])
	if f, ok := e.fake.FaultRule(RouteList); !ok || f.Count != 1 || f.Status != http.StatusNotFound {
		t.Errorf("FaultRule(list) = %+v %v", f, ok)
	}
	if n := e.fake.PendingLostCreates(); n != 2 {
		t.Errorf("PendingLostCreates = %d, want 2", n)
	}
	e.fake.Disarm()
	if _, ok := e.fake.FaultRule(RouteList); ok || e.fake.PendingLostCreates() != 0 || e.fake.PendingReplacements(1) != 0 {
		t.Fatal("Disarm left something armed")
	}
	e.list(tok, 1, "")
	e.create(tok, plainBody("c"))
	if len(e.fake.Replacements()) != 0 || len(e.fake.Webhooks(1)) != 3 {
		t.Error("a disarmed emulator still misbehaved")
	}
	e.fake.SetFaultRule(RouteList, Fault{Status: http.StatusNotFound, Count: 1})
	e.authed(tok, http.MethodGet, teamPath(1), "")
	if _, ok := e.fake.FaultRule(RouteList); ok {
		t.Error("a spent one-off fault is still reported")
	}
}

func TestFault_skipLetsTheFirstCallsThrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.SetFaultRule(RouteList, Fault{Status: http.StatusNotFound, Fraction: 1, Skip: 2})
	for i := range 2 {
		if a := e.authed(tok, http.MethodGet, teamPath(1), ""); a.status != http.StatusOK {
			t.Errorf("call %d: HTTP %d, want 200 (skipped)", i+1, a.status)
		}
	}
	if a := e.authed(tok, http.MethodGet, teamPath(1), ""); a.status != http.StatusNotFound {
		t.Errorf("third call: HTTP %d, want the fault's 404", a.status)
	}
}
