package doofake

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Tests that the default emulator reproduces every answer file of testdata/doo-answers: same status,
// Content-Type and JSON structure (keys and types); the values the framework fixes (page figures,
// problem members, validation messages, list links) must match too, ids and names need not.

// answerTeam is the team the answer files show.
const answerTeam = 7

// exactKeys are members whose values the framework or the scenario fixes, compared as well as typed.
var exactKeys = map[string]bool{
	"page_count": true, "page_size": true, "total_items": true, "page": true,
	"type": true, "title": true, "status": true, "detail": true, "validation_messages": true,
	"response_status": true, "developer_message": true, "user_message": true,
}

func answerEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, Options{Organizations: []Organization{{ID: 1, Name: "O", CanEdit: true, Teams: []Team{{ID: answerTeam, Role: "team_admin"}}}}})
}

func TestAnswerFiles_reproducedByTheDefaultEmulator(t *testing.T) {
	t.Parallel()
	seed26 := func(e *env) {
		for i := range 26 {
			e.fake.Seed(answerTeam, Webhook{Name: fmt.Sprintf("Orders to CRM %d", i), Hooks: []Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}})
		}
	}
	tests := []struct {
		file        string
		status      int
		contentType string
		send        func(e *env, tok string) answer
		// exactLinks compares the top-level _links hrefs too.
		exactLinks bool
	}{
		{"create-success.json", http.StatusOK, ContentTypeJSON, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodPost, teamPath(answerTeam), plainBody("Orders to CRM"))
		}, false},
		{"list-page-2-of-2.json", http.StatusOK, ContentTypeHAL, func(e *env, tok string) answer {
			seed26(e)
			return e.authed(tok, http.MethodGet, teamPath(answerTeam)+"?page=2", "")
		}, true},
		{"list-empty-team.json", http.StatusOK, ContentTypeHAL, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodGet, teamPath(answerTeam), "")
		}, true},
		{"list-page-out-of-range-409.json", http.StatusConflict, ContentTypeProblem, func(e *env, tok string) answer {
			seed26(e)
			return e.authed(tok, http.MethodGet, teamPath(answerTeam)+"?page=3", "")
		}, false},
		{"create-invalid-422.json", http.StatusUnprocessableEntity, ContentTypeProblem, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodPost, teamPath(answerTeam), `{"name":"","hooks":[{"type":"order_created","endpoint":"crm.example.com doo"}]}`)
		}, false},
		{"unauthorized-401.json", http.StatusUnauthorized, ContentTypeProblem, func(e *env, _ string) answer {
			return e.keyed(http.MethodGet, teamPath(answerTeam), "")
		}, false},
		{"forbidden-403.json", http.StatusForbidden, ContentTypeProblem, func(e *env, tok string) answer {
			return e.authed(tok, http.MethodGet, teamPath(99), "")
		}, false},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "doo-answers", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("answer file %s has no scenario in this test", f)
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", "doo-answers", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("%s: %v", tt.file, err)
			}
			e := answerEnv(t)
			a := tt.send(e, e.token())
			if a.status != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", a.status, tt.status, a.body)
			}
			if mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); mt != tt.contentType {
				t.Errorf("Content-Type %q, want %q", a.header.Get("Content-Type"), tt.contentType)
			}
			var got any
			if err := json.Unmarshal(a.body, &got); err != nil {
				t.Fatalf("answer is not JSON: %v: %s", err, a.body)
			}
			for _, diff := range sameShape("", want, got, tt.exactLinks) {
				t.Error(diff)
			}
		})
	}
}

// sameShape lists the differences between want and got: missing or extra keys, other JSON types, and
// other values where exactKeys (or, with exactLinks, the top-level _links) says they must match.
func sameShape(path string, want, got any, exactLinks bool) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s, want an object", orRoot(path), kind(got))}
		}
		for _, k := range unionKeys(w, g) {
			p := path + "." + k
			wv, inWant := w[k]
			gv, inGot := g[k]
			switch {
			case !inGot:
				out = append(out, fmt.Sprintf("%s: missing", p))
			case !inWant:
				out = append(out, fmt.Sprintf("%s: not in the answer file", p))
			case exactKeys[k] || (exactLinks && p == "._links"):
				if !jsonEqual(wv, gv) {
					out = append(out, fmt.Sprintf("%s: %s, want %s", p, compact(gv), compact(wv)))
				}
			default:
				out = append(out, sameShape(p, wv, gv, exactLinks)...)
			}
		}
	case []any:
		g, ok := got.([]any)
		switch {
		case !ok:
			return []string{fmt.Sprintf("%s: %s, want an array", orRoot(path), kind(got))}
		case len(w) == 0 && len(g) != 0:
			return []string{fmt.Sprintf("%s: %d items, want none", path, len(g))}
		case len(w) != 0 && len(g) == 0:
			return []string{fmt.Sprintf("%s: no items, want some", path)}
		}
		for i, gv := range g {
			out = append(out, sameShape(fmt.Sprintf("%s[%d]", path, i), w[min(i, len(w)-1)], gv, exactLinks)...)
		}
	default:
		if kind(want) != kind(got) {
			out = append(out, fmt.Sprintf("%s: %s, want %s", orRoot(path), kind(got), kind(want)))
		}
	}
	return out
}

func unionKeys(a, b map[string]any) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonEqual(a, b any) bool { return compact(a) == compact(b) }

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

func TestSameShape_reportsDifferences(t *testing.T) {
	t.Parallel()
	var want, got any
	_ = json.Unmarshal([]byte(`{"a":1,"b":{"c":"x"},"l":[{"k":true}],"page":2}`), &want)
	_ = json.Unmarshal([]byte(`{"a":"1","b":{"d":"x"},"l":[{"k":false},{"z":1}],"page":3}`), &got)
	diffs := strings.Join(sameShape("", want, got, false), "\n")
	for _, part := range []string{".a: string, want number", ".b.c: missing", ".b.d: not in the answer file",
		".l[1].k: missing", ".l[1].z: not in the answer file", ".page: 3, want 2"} {
		if !strings.Contains(diffs, part) {
			t.Errorf("differences lack %q:\n%s", part, diffs)
		}
	}
	if d := sameShape("", want, want, true); len(d) != 0 {
		t.Errorf("a document differs from itself: %v", d)
	}
}
