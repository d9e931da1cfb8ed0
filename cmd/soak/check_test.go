package main

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// kinds lists the kind and id of each violation, for comparison.
func kinds(vs []violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Kind+" "+v.ID)
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	names := map[string]bool{"a": true, "b": true}
	cur := func(id, name string) stateObject {
		return stateObject{Address: `doo_webhook.plain["` + name + `"]`, ID: id, Name: name, TeamID: 1}
	}
	dep := func(id, name string) stateObject {
		o := cur(id, name)
		o.Deposed = true
		return o
	}
	doo := func(pairs ...string) []stored {
		var out []stored
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, stored{ID: pairs[i], Name: pairs[i+1], TeamID: 1})
		}
		return out
	}
	tests := []struct {
		name string
		in   checkInput
		want []string
	}{
		{"consistent", checkInput{Succeeded: true, State: []stateObject{cur("1", "a"), cur("2", "b")},
			Doo: doo("1", "a", "2", "b", "9", "other-1"), Unmanaged: map[string]bool{"9": true}}, []string{}},
		{"lost after success", checkInput{Succeeded: true, State: []stateObject{cur("1", "a")},
			ProviderDeleted: map[string]bool{"1": true}}, []string{"lost 1"}},
		{"unconfirmed delete after a failure", checkInput{State: []stateObject{cur("1", "a")},
			ProviderDeleted: map[string]bool{"1": true}}, []string{}},
		{"out-of-band delete not yet refreshed after a failure", checkInput{State: []stateObject{cur("1", "a")},
			RemovedOutOfBand: map[string]bool{"1": true}}, []string{}},
		{"lost after a failure", checkInput{State: []stateObject{cur("1", "a")}}, []string{"lost 1"}},
		{"undecided create kept without an id after a failure", checkInput{State: []stateObject{cur("", "a")}}, []string{}},
		{"undecided create still without an id after success", checkInput{Succeeded: true, State: []stateObject{cur("", "a")}}, []string{"lost "}},
		{"deposed object lost", checkInput{Succeeded: true, State: []stateObject{cur("2", "a"), dep("1", "a")},
			Doo: doo("2", "a")}, []string{"lost 1"}},
		{"duplicate after success", checkInput{Succeeded: true, State: []stateObject{cur("1", "a")},
			Doo: doo("1", "a", "2", "a")}, []string{"duplicated 1", "orphaned 2"}},
		{"half-done create_before_destroy after a failure", checkInput{State: []stateObject{cur("2", "a"), dep("1", "a")},
			Doo: doo("1", "a", "2", "a")}, []string{}},
		{"half-done create_before_destroy after success", checkInput{Succeeded: true, State: []stateObject{cur("2", "a"), dep("1", "a")},
			Doo: doo("1", "a", "2", "a")}, []string{"duplicated 1"}},
		{"orphan allowed after a failure", checkInput{State: []stateObject{cur("1", "a")},
			Doo: doo("1", "a", "2", "a", "3", "b")}, []string{}},
		{"two current objects of one name after a failure", checkInput{State: []stateObject{cur("1", "a"), cur("2", "a")},
			Doo: doo("1", "a", "2", "a")}, []string{"duplicated 1"}},
		{"orphan after success", checkInput{Succeeded: true, Doo: doo("3", "b")}, []string{"orphaned 3"}},
		{"hand-made lookalike of a managed name", checkInput{Succeeded: true, State: []stateObject{cur("1", "a")},
			Doo: doo("1", "a", "7", "a"), Unmanaged: map[string]bool{"7": true}}, []string{}},
		{"hand-made adopted", checkInput{Succeeded: true, State: []stateObject{cur("7", "a")},
			Doo: doo("7", "a"), Unmanaged: map[string]bool{"7": true}}, []string{"hand-made or adopted 7"}},
		{"hand-made deleted", checkInput{Doo: doo(), Unmanaged: map[string]bool{"7": true}}, []string{"hand-made or adopted 7"}},
		{"hand-made removed by the soak", checkInput{Succeeded: true, Doo: doo(), Unmanaged: map[string]bool{"7": false}}, []string{}},
		{"unmanaged name never checked for orphans", checkInput{Succeeded: true, Doo: doo("5", "someone-else")}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.in.ManagedNames == nil {
				tt.in.ManagedNames = names
			}
			got := kinds(check(tt.in))
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.Replace(w, "hand-made or adopted", kindUnmanaged, 1)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("check = %v, want %v", got, want)
			}
		})
	}
}

func TestParseShowJSON(t *testing.T) {
	t.Parallel()
	out := `{"format_version":"1.0","values":{"root_module":{"resources":[
	  {"address":"doo_webhook.cbd[\"k1\"]","mode":"managed","type":"doo_webhook","index":"k1","values":{"id":"new","name":"soak-cbd-1","team_id":2}},
	  {"address":"doo_webhook.cbd[\"k1\"]","mode":"managed","type":"doo_webhook","index":"k1","deposed_key":"00ab12cd","values":{"id":"old","name":"soak-cbd-1","team_id":2}},
	  {"address":"data.doo_webhooks.t","mode":"data","type":"doo_webhooks","values":{"team_id":2}}]}}}`
	got, err := parseShowJSON([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []stateObject{
		{Address: `doo_webhook.cbd["k1"]`, ID: "new", Name: "soak-cbd-1", TeamID: 2},
		{Address: `doo_webhook.cbd["k1"]`, ID: "old", Name: "soak-cbd-1", TeamID: 2, Deposed: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed %+v, want %+v", got, want)
	}
	if got, err := parseShowJSON([]byte(`{"format_version":"1.0"}`)); err != nil || len(got) != 0 {
		t.Errorf("empty state: %v %v", got, err)
	}
	if _, err := parseShowJSON([]byte("Warning: something")); err == nil {
		t.Error("non-JSON output was accepted")
	}
}

func TestModel_namesUniqueTemplatesShareTheBodyAndVarsRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	m := newModel()
	a := m.add(rng, groupPlain, nil)
	tmpl := m.get(a)
	b := m.add(rng, groupCBD, &tmpl)
	sa, sb := m.get(a), m.get(b)
	if sa.Name == sb.Name || !m.names[sa.Name] || !m.names[sb.Name] {
		t.Errorf("names %q %q not unique or not recorded", sa.Name, sb.Name)
	}
	sb.Name = sa.Name
	if !reflect.DeepEqual(sa, sb) {
		t.Errorf("a templated key differs from its template but for the name: %+v vs %+v", sa, sb)
	}
	edited := edit(rng, sa, 9)
	if reflect.DeepEqual(edited, sa) || edited.Name != sa.Name || edited.TeamID != sa.TeamID {
		t.Errorf("edit %+v of %+v must change something but the name and team", edited, sa)
	}
	if reflect.DeepEqual(m.get(a), edited) {
		t.Error("edit changed the model's spec in place")
	}
	m.remove(a)
	if m.size() != 1 || !m.names[sa.Name] {
		t.Error("remove must drop the key but remember its name")
	}
	vars, err := m.tfvars("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		BaseURL string          `json:"base_url"`
		Plain   map[string]spec `json:"plain"`
		CBD     map[string]spec `json:"cbd"`
	}
	if err := json.Unmarshal(vars, &back); err != nil || back.BaseURL != "http://127.0.0.1:1" || len(back.Plain) != 0 || len(back.CBD) != 1 {
		t.Errorf("tfvars %s (%v)", vars, err)
	}
	if w := webhookOf(m.get(b)); w.Name != m.get(b).Name || len(w.Hooks) != len(m.get(b).Hooks) || w.Hooks[0].Method != "POST" {
		t.Errorf("webhookOf = %+v", w)
	}
	if got := (key{groupCBD, "k2"}).address(); got != `doo_webhook.cbd["k2"]` {
		t.Errorf("address = %s", got)
	}
}
