package doofake

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// everySetting sets every field of Settings away from its default, to a value both paths keep exactly.
// A new field must get a value here, or TestSettings_everyFieldIsCovered fails.
func everySetting() Settings {
	return Settings{
		PageSize:               7,
		RequestsPerSecond:      2.5,
		DailyQuota:             900,
		CreateStatus:           http.StatusCreated,
		Latency:                Milliseconds(3 * time.Millisecond),
		TokenTTL:               Seconds(90 * time.Second),
		OmitEventIDsInList:     true,
		OAuth2BearerChallenges: true,
		PageSizeParam:          PageSizeParam{Name: "page_size", Max: 100, Clamp: true},
		EnvelopeErrors:         true,
		LegacyEmptyList:        true,
		ExtraListFields:        true,
		EchoRequestInErrors:    true,
		CreateAnswersObject:    true,
		IgnoreDeletes:          true,
		UnstableOrder:          true,
		OmitDescriptionInList:  true,
		IgnorePageParam:        4,
		NumericIDs:             true,
	}
}

// settingNames maps each field of Settings to its JSON name, failing the test for a field without one.
func settingNames(t *testing.T) []string {
	t.Helper()
	typ := reflect.TypeFor[Settings]()
	names := make([]string, typ.NumField())
	seen := map[string]string{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			t.Errorf("Settings.%s has no JSON name: POST /_fake/config cannot set it", f.Name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("Settings.%s and Settings.%s share the JSON name %q", other, f.Name, name)
		}
		seen[name], names[i] = f.Name, name
	}
	return names
}

// postConfig posts body to /_fake/config and returns the answer.
func postConfig(e *env, body string) answer {
	e.t.Helper()
	return e.raw(http.MethodPost, "/_fake/config", body, nil)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSettings_everyFieldIsCovered(t *testing.T) {
	t.Parallel()
	settingNames(t)
	want, def := reflect.ValueOf(everySetting()), reflect.ValueOf(New(Options{}).Settings())
	for i := range want.NumField() {
		if reflect.DeepEqual(want.Field(i).Interface(), def.Field(i).Interface()) {
			t.Errorf("everySetting leaves Settings.%s at its default: give it a value so the round trips cover it",
				want.Type().Field(i).Name)
		}
	}
}

// TestSettings_roundTripThroughEveryPath sets every field through Options, Update and POST
// /_fake/config, and reads each back the same way from Settings, Options and the config answer.
func TestSettings_roundTripThroughEveryPath(t *testing.T) {
	t.Parallel()
	want := everySetting()
	if got := New(Options{Settings: want}).Settings(); got != want {
		t.Errorf("through Options: %+v, want %+v", got, want)
	}
	viaGo := New(Options{})
	viaGo.Update(func(st *Settings) { *st = want })
	if got := viaGo.Settings(); got != want {
		t.Errorf("through Update: %+v, want %+v", got, want)
	}
	if got := viaGo.Options().Settings; got != want {
		t.Errorf("Options().Settings: %+v, want %+v", got, want)
	}

	e := newEnv(t, Options{})
	a := postConfig(e, mustJSON(t, want))
	if a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	if got := e.fake.Settings(); got != want {
		t.Errorf("through /_fake/config: %+v, want %+v", got, want)
	}
	var answered Settings
	if err := json.Unmarshal(a.body, &answered); err != nil || answered != want {
		t.Errorf("the config answer reads back %+v (%v), want %+v", answered, err, want)
	}
}

// TestSettings_eachFieldAlone sets one field at a time on a default emulator, by its JSON name over
// HTTP and by its Go name with Update: each reaches its own field only, and both read back the same.
func TestSettings_eachFieldAlone(t *testing.T) {
	t.Parallel()
	names := settingNames(t)
	want := reflect.ValueOf(everySetting())
	var wantJSON map[string]json.RawMessage
	if err := json.Unmarshal([]byte(mustJSON(t, everySetting())), &wantJSON); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		field := want.Type().Field(i).Name
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Options{})
			expected := e.fake.Settings()
			reflect.ValueOf(&expected).Elem().Field(i).Set(want.Field(i))

			if a := postConfig(e, `{"`+name+`":`+string(wantJSON[name])+`}`); a.status != http.StatusOK {
				t.Fatalf("config %s: HTTP %d %s", name, a.status, a.body)
			}
			if got := e.fake.Settings(); got != expected {
				t.Errorf("POST {%q: %s} gave %+v, want %+v", name, wantJSON[name], got, expected)
			}

			viaGo := New(Options{})
			viaGo.Update(func(st *Settings) { reflect.ValueOf(st).Elem().Field(i).Set(want.Field(i)) })
			if got := viaGo.Settings(); got != expected {
				t.Errorf("Update of %s gave %+v, want %+v", field, got, expected)
			}
			var back map[string]json.RawMessage
			if err := json.Unmarshal([]byte(mustJSON(t, viaGo.Settings())), &back); err != nil {
				t.Fatal(err)
			}
			if string(back[name]) != string(wantJSON[name]) {
				t.Errorf("%s set from Go reads back as %s: %s, want %s", field, name, back[name], wantJSON[name])
			}
		})
	}
}

// TestSettings_bothPathsApplyTheSameRules gives both paths values out of range: each is normalized the
// same way, to the default or off.
func TestSettings_bothPathsApplyTheSameRules(t *testing.T) {
	t.Parallel()
	odd := Settings{PageSize: -3, RequestsPerSecond: -1, DailyQuota: -5, CreateStatus: http.StatusNoContent,
		Latency: Milliseconds(-time.Second), TokenTTL: Seconds(-time.Second), IgnorePageParam: -2,
		PageSizeParam: PageSizeParam{Name: "size", Max: -1}}
	want := Settings{PageSize: DefaultPageSize, CreateStatus: http.StatusOK, PageSizeParam: PageSizeParam{Name: "size"}}
	if got := New(Options{Settings: odd}).Settings(); got != want {
		t.Errorf("through Options: %+v, want %+v", got, want)
	}
	viaGo := New(Options{})
	viaGo.Update(func(st *Settings) { *st = odd })
	if got := viaGo.Settings(); got != want {
		t.Errorf("through Update: %+v, want %+v", got, want)
	}
	e := newEnv(t, Options{})
	if a := postConfig(e, mustJSON(t, odd)); a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	if got := e.fake.Settings(); got != want {
		t.Errorf("through /_fake/config: %+v, want %+v", got, want)
	}
}

// TestConfig_mergesOntoTheCurrentSettings: absent fields keep their value, page_size_param is replaced
// whole, and a body with any error changes nothing.
func TestConfig_mergesOntoTheCurrentSettings(t *testing.T) {
	t.Parallel()
	start := everySetting()
	e := newEnv(t, Options{Settings: start})
	if a := postConfig(e, `{}`); a.status != http.StatusOK || e.fake.Settings() != start {
		t.Errorf("{}: HTTP %d, settings %+v, want unchanged", a.status, e.fake.Settings())
	}
	if a := postConfig(e, `{"page_size": null, "latency_ms": null, "token_ttl_seconds": null, "page_size_param": null}`); a.status != http.StatusOK || e.fake.Settings() != start {
		t.Errorf("nulls: HTTP %d, settings %+v, want unchanged", a.status, e.fake.Settings())
	}
	for _, bad := range []string{
		`{"page_size": 3, "unknown": 1}`,
		`{"page_size": 3, "page_size_param": {"name": "x", "maximum": 5}}`,
		`{"page_size": 3, "latency_ms": 1.5}`,
		`{"page_size": 3, "fault_status": "x"}`,
		`[]`,
	} {
		if a := postConfig(e, bad); a.status != http.StatusBadRequest || e.fake.Settings() != start {
			t.Errorf("%s: HTTP %d, settings %+v; want 400 and nothing changed", bad, a.status, e.fake.Settings())
		}
	}
	want := start
	want.UnstableOrder, want.PageSizeParam = false, PageSizeParam{Name: "per_page"}
	if a := postConfig(e, `{"unstable_order": false, "page_size_param": {"name": "per_page"}}`); a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	if got := e.fake.Settings(); got != want {
		t.Errorf("got %+v, want %+v (page_size_param replaced whole, the rest kept)", got, want)
	}
}

// TestConfig_actionsCallTheirMethods: every action of POST /_fake/config arms what the Server method
// it names arms, and settings are not touched by them.
func TestConfig_actionsCallTheirMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ids := seedNames(e.fake, "a", "b")
	tok := e.token()
	before := e.fake.Settings()
	a := postConfig(e, `{"expire_tokens": true, "lose_next_create_status": 0, "late_commit_next_create_seconds": 1,
		"replace_between_pages": {"team_id": 1, "id": "`+ids[0]+`"}, "delete_between_pages": {"team_id": 2, "id": "`+ids[1]+`"},
		"fault_route": "delete", "fault_status": 502, "fault_count": 2}`)
	if a.status != http.StatusOK {
		t.Fatalf("config: HTTP %d %s", a.status, a.body)
	}
	if f, ok := e.fake.FaultRule(RouteDelete); !ok || f.Status != http.StatusBadGateway || f.Count != 2 {
		t.Errorf("fault: %+v %v", f, ok)
	}
	if e.fake.PendingLostCreates() != 1 || e.fake.PendingLateCommits() != 1 || e.fake.PendingReplacements(1) != 1 ||
		e.fake.PendingDeletions(2) != 1 {
		t.Errorf("armed: lost %d, late %d, replacements %d, deletions %d; want 1 each", e.fake.PendingLostCreates(),
			e.fake.PendingLateCommits(), e.fake.PendingReplacements(1), e.fake.PendingDeletions(2))
	}
	if a := e.authed(tok, http.MethodGet, teamPath(1), ""); a.status != http.StatusUnauthorized {
		t.Errorf("expire_tokens: HTTP %d, want 401", a.status)
	}
	if got := e.fake.Settings(); got != before {
		t.Errorf("actions changed settings: %+v, want %+v", got, before)
	}
	var answer map[string]any
	if err := json.Unmarshal(a.body, &answer); err != nil {
		t.Fatal(err)
	}
	if answer["lost_creates_armed"] != 1.0 || answer["replacements_armed"] != 1.0 || answer["deletions_armed"] != 1.0 ||
		answer["late_commits_pending"] != 1.0 || dig(t, answer, "faults", RouteDelete, "status") != 502.0 {
		t.Errorf("answer %s", a.body)
	}
}

// TestStats_isTheOneTally: Count, Counts, Writes and GET /_fake/stats agree with the recorded requests.
func TestStats_isTheOneTally(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.token()
	id := e.create(tok, plainBody("a"))
	e.list(tok, 1, "")
	e.keyed(http.MethodDelete, "/v1/webhooks/"+id, "")
	e.keyed(http.MethodPut, "/v1/webhooks/"+id, "")
	e.raw(http.MethodGet, "/_fake/requests", "", nil)

	reqs := e.fake.Requests()
	st := e.fake.Stats()
	if st.Total != len(reqs) || st.Total != 5 {
		t.Errorf("Total %d, %d requests recorded; want 5 (admin requests are not recorded)", st.Total, len(reqs))
	}
	if !reflect.DeepEqual(e.fake.Counts(), st.Counts) || e.fake.Writes() != st.Writes || st.Writes != 2 {
		t.Errorf("Counts %v Writes %d, Stats %+v; want the same, 2 writes", e.fake.Counts(), e.fake.Writes(), st)
	}
	for _, route := range []string{RouteToken, RouteCreate, RouteList, RouteDelete, RouteOther} {
		if e.fake.Count(route) != 1 || st.Counts[route] != 1 {
			t.Errorf("Count(%s) = %d, Stats %d; want 1", route, e.fake.Count(route), st.Counts[route])
		}
	}
	var overHTTP Stats
	if err := json.Unmarshal(e.raw(http.MethodGet, "/_fake/stats", "", nil).body, &overHTTP); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(overHTTP, st) {
		t.Errorf("GET /_fake/stats %+v, Stats() %+v", overHTTP, st)
	}
}
