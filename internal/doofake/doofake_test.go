package doofake

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	hex40  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

func TestAPIKey_missingOrWrongIsForbiddenWithoutEnvelope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tests := []struct {
		name, method, path, key, route string
	}{
		{"token without key", http.MethodPost, "/v1/oauth", "", RouteToken},
		{"list with wrong key", http.MethodGet, "/v1/team/1/webhooks", "nope", RouteList},
		{"create with wrong key", http.MethodPost, "/v1/team/1/webhooks", "nope", RouteCreate},
		{"delete without key", http.MethodDelete, "/v1/webhooks/x", "", RouteDelete},
		{"organizations without key", http.MethodGet, "/v1/organizers/current/organizations", "", RouteOrganizations},
	}
	for _, tt := range tests {
		h := map[string]string{}
		if tt.key != "" {
			h["x-api-key"] = tt.key
		}
		a := e.raw(tt.method, tt.path, "{}", h)
		if a.status != http.StatusForbidden || strings.TrimSpace(string(a.body)) != `{"message":"Forbidden"}` {
			t.Errorf("%s: HTTP %d %s, want 403 {\"message\":\"Forbidden\"}", tt.name, a.status, a.body)
		}
	}
	for _, tt := range tests {
		if e.fake.Count(tt.route) != 1 {
			t.Errorf("route %s recorded %d times, want 1", tt.route, e.fake.Count(tt.route))
		}
	}
}

func TestToken_issuesRandomHexAndRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{ClientID: "id", ClientSecret: "secret"})
	a := e.keyed(http.MethodPost, "/v1/oauth", tokenBody("id", "secret"))
	env := a.envelope(t)
	if a.status != http.StatusOK || env.DeveloperMessage != "Success" || env.Links["self"].Href == "" {
		t.Fatalf("token: HTTP %d %s", a.status, a.body)
	}
	var data map[string]any
	if err := json.Unmarshal(mustData(t, a), &data); err != nil {
		t.Fatal(err)
	}
	tok, _ := data["access_token"].(string)
	if !hex40.MatchString(tok) {
		t.Errorf("access_token %q is not 40 lowercase hex", tok)
	}
	if v, ok := data["refresh_token"]; !ok || v != nil {
		t.Errorf("refresh_token = %v (present %v), want null", v, ok)
	}
	if second := e.token(); second == tok {
		t.Error("two token requests got the same token")
	}
	if got := e.fake.IssuedTokens(); len(got) != 2 || got[0] != tok {
		t.Errorf("IssuedTokens = %v", got)
	}

	tests := []struct {
		name, body string
		status     int
		title      string
	}{
		// oauth2-server-php's errors, as api-tools-oauth2 renders them: title = the OAuth2 error code.
		{"wrong secret", tokenBody("id", "wrong"), http.StatusBadRequest, "invalid_client"},
		{"wrong id", tokenBody("other", "secret"), http.StatusBadRequest, "invalid_client"},
		{"no secret", `{"client_id":"id","grant_type":"client_credentials"}`, http.StatusBadRequest, "invalid_client"},
		{"no grant", `{"client_id":"id","client_secret":"secret"}`, http.StatusBadRequest, "invalid_request"},
		{"wrong grant", `{"client_id":"id","client_secret":"secret","grant_type":"password"}`, http.StatusBadRequest, "unsupported_grant_type"},
		{"not JSON", `client_id=id`, http.StatusBadRequest, "Bad Request"},
	}
	for _, tt := range tests {
		a := e.keyed(http.MethodPost, "/v1/oauth", tt.body)
		if a.status != tt.status {
			t.Errorf("%s: HTTP %d, want %d", tt.name, a.status, tt.status)
			continue
		}
		if p := a.problem(t); p.Title != tt.title {
			t.Errorf("%s: title %q, want %q", tt.name, p.Title, tt.title)
		}
	}
	a = e.keyed(http.MethodGet, "/v1/oauth", "")
	if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST, OPTIONS" || a.problem(t).Title != "invalid_request" {
		t.Errorf("GET /v1/oauth: HTTP %d Allow %q %s", a.status, a.header.Get("Allow"), a.body)
	}
}

func TestBearer_requiredEverywhereExceptDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	tests := []struct {
		name, method, path, body string
		noToken, badToken, good  int
	}{
		{"organizations", http.MethodGet, "/v1/organizers/current/organizations", "", 401, 401, 200},
		{"list", http.MethodGet, "/v1/team/1/webhooks", "", 401, 401, 200},
		{"create", http.MethodPost, "/v1/team/1/webhooks", plainBody("b"), 401, 401, 200},
		{"delete", http.MethodDelete, "/v1/webhooks/whatever", "", 204, 204, 204},
	}
	for _, tt := range tests {
		if a := e.keyed(tt.method, tt.path, tt.body); a.status != tt.noToken {
			t.Errorf("%s without token: HTTP %d, want %d", tt.name, a.status, tt.noToken)
		} else if a.status == 401 {
			if p := a.problem(t); p.Title != "Unauthorized" {
				t.Errorf("%s without token: title %q", tt.name, p.Title)
			}
		}
		if a := e.authed(strings.Repeat("0", 40), tt.method, tt.path, tt.body); a.status != tt.badToken {
			t.Errorf("%s with an unknown token: HTTP %d, want %d", tt.name, a.status, tt.badToken)
		}
		if a := e.authed(tok, tt.method, tt.path, tt.body); a.status != tt.good {
			t.Errorf("%s with a token: HTTP %d, want %d", tt.name, a.status, tt.good)
		}
	}
}

func TestCreate_statusKnobAndIDShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   Options
		set    int
		status int
	}{
		{"default", Options{}, 0, http.StatusOK},
		{"option 201", Options{Settings: Settings{CreateStatus: http.StatusCreated}}, 0, http.StatusCreated},
		{"setter 201", Options{}, http.StatusCreated, http.StatusCreated},
		{"setter back to 200", Options{Settings: Settings{CreateStatus: http.StatusCreated}}, http.StatusOK, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts)
			if tt.set != 0 {
				e.fake.Update(func(st *Settings) { st.CreateStatus = tt.set })
			}
			a := e.authed(e.token(), http.MethodPost, "/v1/team/1/webhooks", plainBody("s"))
			if a.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", a.status, tt.status, a.body)
			}
			var id string
			if err := json.Unmarshal(mustData(t, a), &id); err != nil || !uuidRE.MatchString(id) {
				t.Errorf("data %s is not a UUID-like id (%v)", mustData(t, a), err)
			}
			if got := e.fake.Webhooks(1); len(got) != 1 || got[0].ID != id || got[0].Name != "s" {
				t.Errorf("stored %+v, want one configuration %q", got, id)
			}
		})
	}
}

func TestCreate_validationNamesTheField(t *testing.T) {
	// Each case: the path of validation_messages that must hold a message (field, index, field...).
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	hook := func(extra string) string {
		return `{"name":"n","hooks":[{"type":"order_created","endpoint":"https://x.example/h"` + extra + `}]}`
	}
	auth := func(a string) string {
		return `{"name":"n","hooks":[{"type":"order_created","endpoint":"https://x.example/h"}],"authentication":` + a + `}`
	}
	for _, tt := range []struct{ name, body string }{
		{"null", `null`},
		{"a string", `"x"`},
		{"broken JSON", `{"name":`},
	} {
		a := e.authed(tok, http.MethodPost, "/v1/team/1/webhooks", tt.body)
		if a.status != http.StatusBadRequest || !strings.HasPrefix(a.problem(t).Detail, "JSON decoding error: ") {
			t.Errorf("%s: HTTP %d %s, want 400 JSON decoding error", tt.name, a.status, a.body)
		}
	}
	tests := []struct{ name, body, field string }{
		{"not an object", `[1,2]`, "name"},
		{"name missing", `{"hooks":[{"type":"order_created","endpoint":"https://x.example/h"}]}`, "name"},
		{"name too long", `{"name":"` + strings.Repeat("é", 256) + `","hooks":[{"type":"order_created","endpoint":"https://x.example/h"}]}`, "name"},
		{"name not a string", `{"name":5,"hooks":[]}`, "name"},
		{"no hooks", `{"name":"n","hooks":[]}`, "hooks"},
		{"type missing", `{"name":"n","hooks":[{"endpoint":"https://x.example/h"}]}`, "hooks[0].type"},
		{"type with on_ prefix", `{"name":"n","hooks":[{"type":"on_order_created","endpoint":"https://x.example/h"}]}`, "hooks[0].type"},
		{"type not lowercase", `{"name":"n","hooks":[{"type":"OrderCreated","endpoint":"https://x.example/h"}]}`, "hooks[0].type"},
		{"type with suffix digits", `{"name":"n","hooks":[{"type":"event_created_92bd","endpoint":"https://x.example/h"}]}`, "hooks[0].type"},
		{"bad method", hook(`,"method":"TRACE"`), "hooks[0].method"},
		{"endpoint missing", `{"name":"n","hooks":[{"type":"order_created"}]}`, "hooks[0].endpoint"},
		{"endpoint relative", `{"name":"n","hooks":[{"type":"order_created","endpoint":"/h"}]}`, "hooks[0].endpoint"},
		{"endpoint ftp", `{"name":"n","hooks":[{"type":"order_created","endpoint":"ftp://x.example/h"}]}`, "hooks[0].endpoint"},
		{"endpoint too long", `{"name":"n","hooks":[{"type":"order_created","endpoint":"https://x.example/` + strings.Repeat("a", 1000) + `"}]}`, "hooks[0].endpoint"},
		{"origin without body", hook(`,"origin":{"method":"POST","endpoint":"https://gql.doo.net"}`), "hooks[0].origin.body"},
		{"origin without endpoint", hook(`,"origin":{"method":"POST","body":"{}"}`), "hooks[0].origin.endpoint"},
		{"auth without endpoint", auth(`{"credentials":{"client_id":"doo","client_secret":"s"}}`), "authentication.endpoint"},
		{"auth without secret", auth(`{"endpoint":"https://x.example/t","credentials":{"client_id":"doo"}}`), "authentication.credentials.client_secret"},
		{"header format without placeholder", auth(`{"endpoint":"https://x.example/t","credentials":{"client_secret":"s"},"header_value_format":"Bearer"}`), "authentication.header_value_format"},
		{"wrong grant type", auth(`{"grant_type":"password","endpoint":"https://x.example/t","credentials":{"client_secret":"s"}}`), "authentication.grant_type"},
	}
	for _, tt := range tests {
		a := e.authed(tok, http.MethodPost, "/v1/team/1/webhooks", tt.body)
		if a.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: HTTP %d, want 422: %s", tt.name, a.status, a.body)
			continue
		}
		p := a.problem(t)
		if p.Title != "Unprocessable Entity" || p.Detail != "Failed Validation" {
			t.Errorf("%s: %s", tt.name, a.body)
		}
		var at any = p.ValidationMessages
		for _, step := range strings.FieldsFunc(tt.field, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
			m, _ := at.(map[string]any)
			at = m[step]
		}
		if m, ok := at.(map[string]any); !ok || len(m) == 0 {
			t.Errorf("%s: validation_messages %v hold no rule → message at %s", tt.name, p.ValidationMessages, tt.field)
		}
	}
	if n := len(e.fake.Webhooks(1)); n != 0 {
		t.Errorf("invalid bodies stored %d configurations", n)
	}
}

func TestCreate_acceptsUnknownTypesAndFieldsAndDefaultsMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	body := `{"name":"n","id":"chosen","unknown":{"x":1},"hooks":[{"type":"contact_created","endpoint":"http://x.example/h","extra":true}],
		"authentication":{"endpoint":"https://x.example/t","credentials":{"client_secret":"s"}}}`
	id := e.create(e.token(), body)
	got := e.fake.Webhooks(1)
	if len(got) != 1 || id == "chosen" || got[0].Hooks[0].Method != http.MethodPost || got[0].Hooks[0].Type != "contact_created" {
		t.Errorf("stored %+v with id %q, want method POST, type contact_created and a fresh id", got, id)
	}
}

func TestTeams_foreignIsForbiddenAndNonNumericNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.wantStatuses(tok, plainBody("t"), []statusCase{
		{http.MethodPost, "/v1/team/99/webhooks", http.StatusForbidden},
		{http.MethodGet, "/v1/team/99/webhooks", http.StatusForbidden},
		{http.MethodPost, "/v1/team/abc/webhooks", http.StatusNotFound},
		{http.MethodGet, "/v1/team/-1/webhooks", http.StatusNotFound},
		{http.MethodGet, "/v1/team/2/webhooks", http.StatusOK},
	})
}

func TestList_paginatesInCreationOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 2}})
	tok := e.token()
	var ids []string
	for i := range 5 {
		ids = append(ids, e.create(tok, plainBody(fmt.Sprintf("w%d", i))))
	}
	e.fake.Seed(2, plainWebhook("other team"))
	tests := []struct {
		query string
		page  int
		want  []string
	}{
		{"", 1, ids[0:2]},
		{"?page=1", 1, ids[0:2]},
		{"?page=2", 2, ids[2:4]},
		{"?page=3", 3, ids[4:5]},
		{"?page=3.7", 3, ids[4:5]}, // PHP's (int) of a numeric string
	}
	for _, tt := range tests {
		p := e.list(tok, 1, tt.query)
		if p.Page != tt.page || p.PageCount != 3 || p.PageSize != 2 || p.TotalItems != 5 {
			t.Errorf("%q: page %d/%d size %d total %d, want page %d of 3, size 2, total 5", tt.query, p.Page, p.PageCount, p.PageSize, p.TotalItems, tt.page)
		}
		if strings.Join(p.ids(), ",") != strings.Join(tt.want, ",") {
			t.Errorf("%q: ids %v, want %v", tt.query, p.ids(), tt.want)
		}
		if p.Embedded.Webhooks == nil {
			t.Errorf("%q: _embedded.webhooks is absent or null, want a list", tt.query)
		}
		if p.Links["self"].Href != fmt.Sprintf("https://integration.doo.net/v1/team/1/webhooks?page=%d", tt.page) ||
			p.Links["last"].Href != "https://integration.doo.net/v1/team/1/webhooks?page=3" ||
			p.Links["first"].Href != "https://integration.doo.net/v1/team/1/webhooks" ||
			(p.Links["prev"].Href != "") != (tt.page > 1) || (p.Links["next"].Href != "") != (tt.page < 3) {
			t.Errorf("%q: links %v", tt.query, p.Links)
		}
	}
	for query, want := range map[string]string{
		// api-tools-rest hands ?page= to api-tools-hal's Collection::setPage, which refuses these.
		"?page=0":    `Page must be a positive integer; received "0"`,
		"?page=-2":   `Page must be a positive integer; received "-2"`,
		"?page=abc":  `Page must be an integer; received "string"`,
		"?page=":     `Page must be an integer; received "string"`,
		"?page[]=1":  `Page must be an integer; received "array"`,
		"?page=1%2F": `Page must be an integer; received "string"`,
	} {
		a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks"+query, "")
		if a.status != http.StatusBadRequest || a.problem(t).Detail != want {
			t.Errorf("%s: HTTP %d %s, want 400 %q", query, a.status, a.body, want)
		}
	}
	a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks?page=4", "")
	if p := a.problem(t); a.status != http.StatusConflict || p.Title != "Conflict" || p.Detail != "Invalid page provided" {
		t.Errorf("page=4 of 3: HTTP %d %s, want the 409 problem", a.status, a.body)
	}
	e.fake.Update(func(st *Settings) { st.PageSize = 10 })
	if p := e.list(tok, 1, ""); p.PageCount != 1 || len(p.ids()) != 5 {
		t.Errorf("after a page size of 10: %d pages, %d items", p.PageCount, len(p.ids()))
	}
	empty := newEnv(t, Options{})
	etok := empty.token()
	for _, query := range []string{"", "?page=1", "?page=7"} {
		p := empty.list(etok, 1, query)
		if p.PageCount != 0 || p.Page != 0 || p.TotalItems != 0 || p.PageSize != 25 || p.Embedded.Webhooks == nil ||
			len(p.Embedded.Webhooks) != 0 || len(p.Links) != 1 || p.Links["self"].Href != "https://integration.doo.net/v1/team/1/webhooks" {
			t.Errorf("empty team %q: %+v, want page_count 0, page 0, total 0, size 25, only a self link", query, p)
		}
	}
}

func TestList_graphQLHooksGetAnUnpredictableSuffix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	gql := `{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id } }"}`
	body, _ := json.Marshal(Webhook{Name: "g", Hooks: []Hook{
		{Type: "event_created", Method: "POST", Endpoint: "https://x.example/h", Origin: &Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: gql}},
		{Type: "order_created", Method: "POST", Endpoint: "https://x.example/h"},
		{Type: "event_created", Method: "POST", Endpoint: "https://x.example/h2", Origin: &Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: gql}},
	}})
	e.create(tok, string(body))
	item := e.list(tok, 1, "").Embedded.Webhooks[0]
	suffixRE := regexp.MustCompile(`^event_created_([0-9a-f]{32})$`)
	sum := md5.Sum([]byte(gql))
	var suffixes []string
	for _, i := range []int{0, 2} {
		typ, _ := dig(t, item, "hooks", i, "type").(string)
		m := suffixRE.FindStringSubmatch(typ)
		if m == nil {
			t.Fatalf("hook %d type %q is not event_created_<32 hex>", i, typ)
		}
		if m[1] == hex.EncodeToString(sum[:]) {
			t.Errorf("hook %d suffix is the md5 of the GraphQL body", i)
		}
		suffixes = append(suffixes, m[1])
	}
	if suffixes[0] == suffixes[1] {
		t.Error("two GraphQL hooks of one configuration share a suffix")
	}
	if typ := dig(t, item, "hooks", 1, "type"); typ != "order_created" {
		t.Errorf("plain hook type %v, want order_created unchanged", typ)
	}
	again := dig(t, e.list(tok, 1, "").Embedded.Webhooks[0], "hooks", 0, "type")
	if again != "event_created_"+suffixes[0] {
		t.Errorf("suffix changed between lists: %v", again)
	}
	if stored := e.fake.Webhooks(1)[0].Hooks[0].Type; stored != "event_created" {
		t.Errorf("Webhooks shows type %q, want the configured one", stored)
	}
}

func TestList_itemsEchoOrOmitEventIDs(t *testing.T) {
	t.Parallel()
	body := `{"name":"n","event_id":"ev-1","event_guide_id":"g-2","hooks":[{"type":"order_created","endpoint":"https://x.example/h"}],
		"authentication":{"grant_type":"client_credentials","endpoint":"https://x.example/t","credentials":{"client_id":"doo","client_secret":"plain-secret"},
		"header_format":"Authorization","header_value_format":"Bearer %ACCESS_TOKEN%"}}`
	tests := []struct {
		name    string
		opts    Options
		setOmit *bool
		echoed  bool
	}{
		{"default echoes", Options{}, nil, true},
		{"option omits", Options{Settings: Settings{OmitEventIDsInList: true}}, nil, false},
		{"setter omits", Options{}, ptr(true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts)
			if tt.setOmit != nil {
				e.fake.Update(func(st *Settings) { st.OmitEventIDsInList = *tt.setOmit })
			}
			tok := e.token()
			id := e.create(tok, body)
			item := e.list(tok, 1, "").Embedded.Webhooks[0]
			for _, k := range []string{"id", "name", "description", "hooks", "authentication", "_links"} {
				if _, ok := item[k]; !ok {
					t.Errorf("item lacks %q: %v", k, item)
				}
			}
			for _, k := range []string{"created_at", "status"} {
				if _, ok := item[k]; ok {
					t.Errorf("item carries %q, which only ExtraListFields adds: %v", k, item)
				}
			}
			if item["description"] != "" {
				t.Errorf("description = %#v, want \"\" when not set", item["description"])
			}
			if self, _ := dig(t, item, "_links", "self", "href").(string); !strings.HasSuffix(self, "/v1/webhooks/"+id) {
				t.Errorf("self href %v", self)
			}
			secret := dig(t, item, "authentication", "credentials", "client_secret")
			if secret != "plain-secret" {
				t.Errorf("client_secret = %v, want it in plain text", secret)
			}
			_, hasEvent := item["event_id"]
			_, hasGuide := item["event_guide_id"]
			if hasEvent != tt.echoed || hasGuide != tt.echoed {
				t.Errorf("event_id present %v, event_guide_id present %v, want %v", hasEvent, hasGuide, tt.echoed)
			}
			if w := e.fake.Webhooks(1)[0]; w.EventID != "ev-1" || w.EventGuideID != "g-2" {
				t.Errorf("stored event ids %q %q", w.EventID, w.EventGuideID)
			}
		})
	}
}

func TestDelete_alwaysNoContent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	id := e.create(tok, plainBody("d"))
	for _, target := range []string{id, id, "missing", "12"} {
		a := e.keyed(http.MethodDelete, "/v1/webhooks/"+target, "")
		if a.status != http.StatusNoContent || len(a.body) != 0 {
			t.Errorf("DELETE %s: HTTP %d body %q, want 204 and no body", target, a.status, a.body)
		}
	}
	if n := len(e.fake.Webhooks(1)); n != 0 {
		t.Errorf("%d configurations left after delete", n)
	}
	if got := e.fake.Writes(); got != 5 {
		t.Errorf("Writes = %d, want 1 create + 4 deletes", got)
	}
}

func TestNoGetByIDNoUpdateAndUnknownPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	id := e.create(tok, plainBody("u"))
	tests := []statusCase{
		{http.MethodGet, "/v1/webhooks/" + id, http.StatusMethodNotAllowed},
		{http.MethodPut, "/v1/webhooks/" + id, http.StatusMethodNotAllowed},
		{http.MethodPatch, "/v1/webhooks/" + id, http.StatusMethodNotAllowed},
		{http.MethodPut, "/v1/team/1/webhooks", http.StatusMethodNotAllowed},
		{http.MethodGet, "/v1/oauth", http.StatusMethodNotAllowed},
		{http.MethodGet, "/v1/nothing", http.StatusNotFound},
		{http.MethodGet, "/team/1/webhooks", http.StatusNotFound},
	}
	for _, tt := range tests {
		a := e.authed(tok, tt.method, tt.path, plainBody("changed"))
		if a.status != tt.status {
			t.Errorf("%s %s: HTTP %d, want %d", tt.method, tt.path, a.status, tt.status)
			continue
		}
		switch {
		case tt.status == http.StatusNotFound:
			if p := a.problem(t); p.Detail != "Page not found." {
				t.Errorf("%s %s: %s", tt.method, tt.path, a.body)
			}
		case tt.path == "/v1/oauth":
			a.problem(t)
		case len(a.body) != 0 || a.header.Get("Allow") == "":
			// api-tools-rest's OptionsListener: 405, an Allow header, no body.
			t.Errorf("%s %s: Allow %q body %q, want an Allow header and no body", tt.method, tt.path, a.header.Get("Allow"), a.body)
		}
	}
	if a := e.authed(tok, http.MethodOptions, "/v1/team/1/webhooks", ""); a.status != http.StatusOK || a.header.Get("Allow") != "GET,POST" {
		t.Errorf("OPTIONS: HTTP %d Allow %q", a.status, a.header.Get("Allow"))
	}
	if w := e.fake.Webhooks(1); len(w) != 1 || w[0].Name != "u" {
		t.Errorf("stored %+v, want the original only", w)
	}
	if n := e.fake.Count(RouteOther); n != len(tests)+1 {
		t.Errorf("Count(RouteOther) = %d, want %d", n, len(tests))
	}
}

func TestThrottle_429WithRetryAfterPerClock(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	e := newEnv(t, Options{Settings: Settings{RequestsPerSecond: 1}, Now: clock.Now})
	tok := e.token()
	a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
	if a.status != http.StatusTooManyRequests || strings.TrimSpace(string(a.body)) != `{"message":"Too Many Requests"}` {
		t.Fatalf("second request in the same second: HTTP %d %s, want 429", a.status, a.body)
	}
	if ra := a.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q, want 1", ra)
	}
	clock.Advance(time.Second)
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("after a second: HTTP %d, want 200", a.status)
	}
	e.fake.Update(func(st *Settings) { st.RequestsPerSecond = 0.25 })
	e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
	a = e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
	if ra, _ := strconv.Atoi(a.header.Get("Retry-After")); a.status != http.StatusTooManyRequests || ra != 4 {
		t.Errorf("at 0.25 rps: HTTP %d Retry-After %q, want 429 and 4", a.status, a.header.Get("Retry-After"))
	}
	e.fake.Update(func(st *Settings) { st.RequestsPerSecond = 0 })
	for range 5 {
		if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
			t.Fatalf("throttle off: HTTP %d", a.status)
		}
	}
}

func TestDailyQuota_429UntilUTCMidnight(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC))
	e := newEnv(t, Options{Settings: Settings{DailyQuota: 2}, Now: clock.Now})
	tok := e.token()
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Fatalf("second request: HTTP %d", a.status)
	}
	a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
	if a.status != http.StatusTooManyRequests || strings.TrimSpace(string(a.body)) != `{"message":"Limit Exceeded"}` {
		t.Fatalf("third request: HTTP %d %s, want 429 Limit Exceeded", a.status, a.body)
	}
	if ra := a.header.Get("Retry-After"); ra != "3600" {
		t.Errorf("Retry-After = %q, want 3600 (one hour to UTC midnight)", ra)
	}
	if !strings.Contains(a.header.Get("X-Doofake-Reason"), "daily quota") {
		t.Errorf("X-Doofake-Reason = %q, want it to name the daily quota", a.header.Get("X-Doofake-Reason"))
	}
	clock.Advance(time.Hour)
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("next day: HTTP %d, want 200", a.status)
	}
	if got := e.fake.Stats().StatusCounts["429"]; got != 1 {
		t.Errorf("status_counts[429] = %d, want 1", got)
	}
}

func TestFaults_fractionCountAndClear(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.SetFault(RouteList, 1, http.StatusServiceUnavailable)
	a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
	if a.status != http.StatusServiceUnavailable {
		t.Fatalf("faulted list: HTTP %d", a.status)
	}
	if p := a.problem(t); p.Title != "Service Unavailable" {
		t.Errorf("fault problem %s", a.body)
	}
	e.create(tok, plainBody("unaffected"))
	e.fake.SetFault("", 1, http.StatusInternalServerError)
	if a := e.keyed(http.MethodDelete, "/v1/webhooks/x", ""); a.status != http.StatusInternalServerError {
		t.Errorf("every-route fault: delete HTTP %d", a.status)
	}
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusServiceUnavailable {
		t.Errorf("the route's own fault wins: HTTP %d, want 503", a.status)
	}
	e.fake.ClearFaults()
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("after ClearFaults: HTTP %d", a.status)
	}

	e.fake.SetFaultRule(RouteList, Fault{Status: http.StatusTooManyRequests, Count: 2, RetryAfter: 3 * time.Second, UserMessage: "slow down"})
	for i := range 2 {
		a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", "")
		// A 429 is the gateway's: {"message": ...}, the fault's UserMessage when set.
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "3" || string(a.body) != `{"message":"slow down"}` {
			t.Errorf("counted fault %d: HTTP %d Retry-After %q %s", i, a.status, a.header.Get("Retry-After"), a.body)
		}
	}
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("after the counted faults: HTTP %d", a.status)
	}
}

func TestFaults_fractionIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	pattern := func(seed int64) string {
		e := newEnv(t, Options{})
		e.fake.SetSeed(seed)
		e.fake.SetFault(RouteDelete, 0.5, http.StatusServiceUnavailable)
		var b strings.Builder
		for range 40 {
			if e.keyed(http.MethodDelete, "/v1/webhooks/x", "").status == http.StatusNoContent {
				b.WriteByte('.')
			} else {
				b.WriteByte('X')
			}
		}
		return b.String()
	}
	a, b, c := pattern(7), pattern(7), pattern(8)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c || !strings.Contains(a, "X") || !strings.Contains(a, ".") {
		t.Errorf("fraction 0.5 gave %s (seed 8: %s)", a, c)
	}
}

func TestLostCreate_storedButUnanswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	e.fake.LoseNextCreateResponse()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/team/1/webhooks", strings.NewReader(plainBody("lost")))
	req.Header.Set("x-api-key", DefaultAPIKey)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := e.srv.Client().Do(req)
	if err == nil {
		_ = res.Body.Close()
		t.Fatalf("a lost create answered HTTP %d", res.StatusCode)
	}
	if w := e.fake.Webhooks(1); len(w) != 1 || w[0].Name != "lost" {
		t.Errorf("stored %+v, want the lost configuration", w)
	}
	e.fake.LoseNextCreateWithStatus(http.StatusGatewayTimeout)
	a := e.authed(tok, http.MethodPost, "/v1/team/1/webhooks", plainBody("timed out"))
	if a.status != http.StatusGatewayTimeout || a.problem(t).Title != "Gateway Time-out" {
		t.Errorf("HTTP %d %s, want a 504 problem", a.status, a.body)
	}
	e.create(tok, plainBody("normal"))
	if n := len(e.fake.Webhooks(1)); n != 3 {
		t.Errorf("stored %d, want 3", n)
	}
	reqs := e.fake.Requests()
	var statuses []int
	for _, r := range reqs {
		if r.Route == RouteCreate {
			statuses = append(statuses, r.Status)
		}
	}
	if fmt.Sprint(statuses) != fmt.Sprint([]int{StatusNoResponse, 504, 200}) {
		t.Errorf("recorded create statuses %v", statuses)
	}
}

func TestTokens_expireByTTLAndOnDemand(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, Options{Settings: Settings{TokenTTL: Seconds(time.Minute)}, Now: clock.Now})
	tok := e.token()
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Fatalf("fresh token: HTTP %d", a.status)
	}
	clock.Advance(time.Minute)
	if a := e.authed(tok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusUnauthorized {
		t.Errorf("expired token: HTTP %d, want 401", a.status)
	}
	tok2 := e.token()
	e.fake.ExpireTokens()
	if a := e.authed(tok2, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusUnauthorized {
		t.Errorf("after ExpireTokens: HTTP %d, want 401", a.status)
	}
	if a := e.authed(e.token(), http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("new token after ExpireTokens: HTTP %d", a.status)
	}
	if n := len(e.fake.IssuedTokens()); n != 3 {
		t.Errorf("IssuedTokens has %d, want 3", n)
	}
}

func TestRequests_recordEverythingButHeaders(t *testing.T) {
	t.Parallel()
	clock := newTestClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, Options{Now: clock.Now, ClientSecret: "very-secret-client"})
	e.raw(http.MethodGet, "/v1/team/1/webhooks", "", nil)
	tok := e.token()
	e.create(tok, plainBody("r"))
	e.list(tok, 1, "?page=1")
	e.keyed(http.MethodDelete, "/v1/webhooks/x", "")
	reqs := e.fake.Requests()
	want := []struct {
		route  string
		status int
		team   int64
	}{{RouteList, 403, 1}, {RouteToken, 200, 0}, {RouteCreate, 200, 1}, {RouteList, 200, 1}, {RouteDelete, 204, 0}}
	if len(reqs) != len(want) {
		t.Fatalf("recorded %d requests, want %d: %+v", len(reqs), len(want), reqs)
	}
	for i, w := range want {
		r := reqs[i]
		if r.Route != w.route || r.Status != w.status || r.TeamID != w.team || !r.At.Equal(clock.Now()) {
			t.Errorf("request %d = %+v, want route %s status %d team %d", i, r, w.route, w.status, w.team)
		}
		if (r.Body != "") != (w.route == RouteCreate) {
			t.Errorf("request %d body %q: only creates keep their body", i, r.Body)
		}
		dump := fmt.Sprintf("%+v", r)
		for _, secret := range []string{tok, DefaultAPIKey, "very-secret-client"} {
			if strings.Contains(dump, secret) {
				t.Errorf("request %d records a secret: %s", i, dump)
			}
		}
	}
	if reqs[2].Path != "/v1/team/1/webhooks" || reqs[2].Method != http.MethodPost {
		t.Errorf("create recorded as %s %s", reqs[2].Method, reqs[2].Path)
	}
	counts := e.fake.Counts()
	if counts[RouteList] != 2 || counts[RouteToken] != 1 || e.fake.Count(RouteCreate) != 1 || e.fake.Writes() != 2 {
		t.Errorf("Counts = %v, Writes = %d", counts, e.fake.Writes())
	}
	e.fake.ResetRequests()
	if len(e.fake.Requests()) != 0 || e.fake.Writes() != 0 || len(e.fake.Counts()) != 0 {
		t.Error("ResetRequests left requests behind")
	}
	if len(e.fake.Webhooks(1)) != 1 {
		t.Error("ResetRequests removed stored configurations")
	}
}

func TestConcurrentCreatesAndLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{PageSize: 7}})
	tok := e.token()
	const n = 50
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/team/1/webhooks", strings.NewReader(plainBody(fmt.Sprintf("c%d", i))))
			req.Header.Set("x-api-key", DefaultAPIKey)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer func() { _ = res.Body.Close() }()
			var env struct{ Data string }
			if err := json.NewDecoder(res.Body).Decode(&env); err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("create %d: HTTP %d %v", i, res.StatusCode, err)
			}
			ids[i] = env.Data
		})
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/team/1/webhooks?page=2", nil)
			req.Header.Set("x-api-key", DefaultAPIKey)
			req.Header.Set("Authorization", "Bearer "+tok)
			if res, err := e.srv.Client().Do(req); err == nil {
				_ = res.Body.Close()
			}
			_ = e.fake.Webhooks(1)
			_ = e.fake.Counts()
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Errorf("id %q empty or repeated", id)
		}
		seen[id] = true
	}
	stored := e.fake.Webhooks(1)
	if len(stored) != n || e.fake.Count(RouteCreate) != n || e.fake.Count(RouteList) != n {
		t.Errorf("stored %d, counted %d creates and %d lists, want %d each", len(stored), e.fake.Count(RouteCreate), e.fake.Count(RouteList), n)
	}
	for _, w := range stored {
		if !seen[w.ID] {
			t.Errorf("stored id %q was never answered", w.ID)
		}
	}
}

func TestLatency_appliedAndCancellable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Settings: Settings{Latency: Milliseconds(50 * time.Millisecond)}})
	start := time.Now()
	e.keyed(http.MethodDelete, "/v1/webhooks/x", "")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %s, want at least the 50 ms latency", d)
	}
	e.fake.Update(func(st *Settings) { st.Latency = Milliseconds(time.Minute) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, e.srv.URL+"/v1/webhooks/x", nil)
	req.Header.Set("x-api-key", DefaultAPIKey)
	start = time.Now()
	if res, err := e.srv.Client().Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatal("a request cancelled during latency got an answer")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled request took %s", d)
	}
}

func TestOutOfBand_seedEditRemoveAndDeepCopies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id := e.fake.Seed(1, plainWebhook("seeded"))
	fixed := e.fake.Seed(1, Webhook{ID: "12", Name: "fixed", Hooks: plainWebhook("x").Hooks})
	if fixed != "12" || !uuidRE.MatchString(id) {
		t.Errorf("Seed ids %q %q", id, fixed)
	}
	if dup := e.fake.Seed(1, Webhook{ID: "12", Name: "dup", Hooks: plainWebhook("x").Hooks}); dup == "12" {
		t.Error("Seed reused a taken id")
	}
	if len(e.fake.Requests()) != 0 {
		t.Error("Seed recorded a request")
	}
	got := e.fake.Webhooks(1)
	got[0].Hooks[0].Endpoint = "https://mutated.example"
	if e.fake.Webhooks(1)[0].Hooks[0].Endpoint == "https://mutated.example" {
		t.Error("Webhooks returned shared storage")
	}
	if !e.fake.EditWebhook(id, func(w *Webhook) { w.Name = "edited"; w.ID = "ignored" }) {
		t.Fatal("EditWebhook did not find the id")
	}
	tok := e.token()
	item := e.list(tok, 1, "").Embedded.Webhooks[0]
	if item["name"] != "edited" || item["id"] != id {
		t.Errorf("listed %v after edit", item)
	}
	if e.fake.EditWebhook("missing", func(*Webhook) {}) || e.fake.RemoveWebhook("missing") {
		t.Error("EditWebhook or RemoveWebhook found a missing id")
	}
	if !e.fake.RemoveWebhook(id) || len(e.fake.Webhooks(1)) != 2 {
		t.Error("RemoveWebhook did not remove")
	}
}

func TestOrganizations_seedShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.authed(e.token(), http.MethodGet, "/v1/organizers/current/organizations", "")
	want := `{"organizations":[{"id":1,"name":"Organization 1","canEdit":true,"teams":[{"id":1,"name":null,"role":"team_admin"}]},` +
		`{"id":2,"name":"Organization 2","canEdit":true,"teams":[{"id":2,"name":null,"role":"team_admin"}]}],` +
		`"active_team":{"permissions":["Booking:View","Booking:ViewDeleted","Event:ViewSettings"],"id":1,"name":null,"organization_id":1,` +
		`"user_id":123,"role":"team_admin","is_all_events_team":true,"show_info_box":null,"user_count":null,"live_events_count":null},` +
		`"_links":{"self":{"href":"https://integration.doo.net/v1/organizers/current/organizations"}}}`
	if a.status != http.StatusOK || string(a.body) != want {
		t.Errorf("HTTP %d\n got %s\nwant %s", a.status, a.body, want)
	}

	name := "Ops"
	custom := newEnv(t, Options{Organizations: []Organization{{ID: 9, Name: "Nine", Teams: []Team{{ID: 7, Name: &name, Role: "member"}}}}})
	ctok := custom.token()
	if a := custom.authed(ctok, http.MethodGet, "/v1/team/7/webhooks", ""); a.status != http.StatusOK {
		t.Errorf("custom team 7: HTTP %d", a.status)
	}
	if a := custom.authed(ctok, http.MethodGet, "/v1/team/1/webhooks", ""); a.status != http.StatusForbidden {
		t.Errorf("team 1 outside the custom organizations: HTTP %d, want 403", a.status)
	}
	if at := custom.fake.Options().ActiveTeam; at.ID != 7 || at.OrganizationID != 9 || at.Name == nil || *at.Name != "Ops" {
		t.Errorf("derived active team %+v", at)
	}
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	admin := func(method, path, body string) answer { return e.raw(method, path, body, nil) }
	a := admin(http.MethodPost, "/_fake/seed?team=1&count=3", "")
	var ids []string
	if err := json.Unmarshal(a.body, &ids); err != nil || a.status != http.StatusOK || len(ids) != 3 {
		t.Fatalf("seed: HTTP %d %s", a.status, a.body)
	}
	var stored []Webhook
	a = admin(http.MethodGet, "/_fake/webhooks?team=1", "")
	if err := json.Unmarshal(a.body, &stored); err != nil || len(stored) != 3 || stored[0].ID != ids[0] || stored[2].Name != "seeded-3" {
		t.Errorf("webhooks: %s", a.body)
	}
	tok := e.token()
	e.list(tok, 1, "")
	e.keyed(http.MethodDelete, "/v1/webhooks/"+ids[0], "")
	e.raw(http.MethodGet, "/v1/team/1/webhooks", "", nil)

	var st Stats
	a = admin(http.MethodGet, "/_fake/stats", "")
	if err := json.Unmarshal(a.body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Total != 4 || st.Writes != 1 || st.Counts[RouteList] != 2 || st.Counts[RouteToken] != 1 || st.StatusCounts["403"] != 1 || st.StatusCounts["204"] != 1 {
		t.Errorf("stats %+v", st)
	}
	a = admin(http.MethodPost, "/_fake/config", `{"requests_per_second":0.5,"page_size":2,"daily_quota":100,"fault_fraction":1,"fault_status":502}`)
	if a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	o := e.fake.Options()
	if o.RequestsPerSecond != 0.5 || o.PageSize != 2 || o.DailyQuota != 100 {
		t.Errorf("config not applied: %+v", o)
	}
	if a := e.keyed(http.MethodDelete, "/v1/webhooks/x", ""); a.status != http.StatusBadGateway {
		t.Errorf("configured fault: HTTP %d, want 502", a.status)
	}
	admin(http.MethodPost, "/_fake/config", `{"fault_fraction":0,"requests_per_second":0}`)
	if a := e.keyed(http.MethodDelete, "/v1/webhooks/x", ""); a.status != http.StatusNoContent {
		t.Errorf("after clearing the fault: HTTP %d", a.status)
	}
	if e.fake.Options().PageSize != 2 {
		t.Error("an absent field changed its knob")
	}
	if a := admin(http.MethodPost, "/_fake/reset", ""); a.status != http.StatusNoContent || len(e.fake.Requests()) != 0 {
		t.Errorf("reset: HTTP %d, %d requests left", a.status, len(e.fake.Requests()))
	}
	for _, bad := range []struct{ method, path, body string }{
		{http.MethodGet, "/_fake/nothing", ""},
		{http.MethodGet, "/_fake/seed?team=1", ""},
		{http.MethodPost, "/_fake/seed?team=x", ""},
		{http.MethodPost, "/_fake/config", `{"unknown":1}`},
	} {
		if a := admin(bad.method, bad.path, bad.body); a.status < 400 {
			t.Errorf("%s %s: HTTP %d, want an error", bad.method, bad.path, a.status)
		}
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Errorf("admin requests were recorded: %d", n)
	}
}

func TestState_roundTripKeepsIDsOrderAndSuffixes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.fake.Seed(1, plainWebhook("a"))
	e.fake.Seed(2, Webhook{Name: "g", Hooks: []Hook{{Type: "event_created", Method: "POST", Endpoint: "https://x.example/h",
		Origin: &Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: "{}"}}}})
	var buf bytes.Buffer
	if err := e.fake.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	restored := newEnv(t, Options{})
	if err := restored.fake.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, team := range []int64{1, 2} {
		if !reflect.DeepEqual(e.fake.Webhooks(team), restored.fake.Webhooks(team)) {
			t.Errorf("team %d differs after a round trip", team)
		}
	}
	typ := func(x *env) any {
		return dig(t, x.list(x.token(), 2, "").Embedded.Webhooks[0], "hooks", 0, "type")
	}
	if typ(e) != typ(restored) {
		t.Error("the GraphQL suffix changed across a state round trip")
	}
	if err := restored.fake.LoadState(strings.NewReader(`{"webhooks":[{"webhook":{"name":"no id"}}]}`)); err == nil {
		t.Error("a state entry without id was accepted")
	}
}

func ptr[T any](v T) *T { return &v }

func TestIgnoreDeletes_answers204AndKeepsTheConfiguration(t *testing.T) {
	fake := New(Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	id := fake.Seed(1, Webhook{Name: "kept", Hooks: []Hook{{Type: "order_created", Method: "POST", Endpoint: "https://a.example.com"}}})
	fake.Update(func(st *Settings) { st.IgnoreDeletes = true })
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/v1/webhooks/"+id, nil)
	req.Header.Set("x-api-key", DefaultAPIKey)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || len(fake.Webhooks(1)) != 1 {
		t.Fatalf("status %d, %d stored; want 204 and the configuration kept", resp.StatusCode, len(fake.Webhooks(1)))
	}
}
