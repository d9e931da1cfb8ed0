package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestHookTypeProblem(t *testing.T) {
	cases := []struct {
		typ     string
		allow   bool
		wantSub string // "" means accepted
	}{
		{"order_created", false, ""},
		{"attendee_checkin", false, ""},
		{"order_craeted", false, `Did you mean "order_created"`},
		{"atendee_checkin", false, `Did you mean "attendee_checkin"`},
		{"on_order_created", false, `drop the on_ prefix and write "order_created"`},
		{"on_order_created", true, "drop the on_ prefix"},
		{"contact_created", false, "allow_undocumented_type"},
		{"contact_created", true, ""},
		{"Order-Created", true, "lowercase words"},
		{"", true, "lowercase words"},
	}
	for _, tc := range cases {
		got := hookTypeProblem(tc.typ, tc.allow)
		if tc.wantSub == "" && got != "" {
			t.Errorf("hookTypeProblem(%q, %v) = %q, want accepted", tc.typ, tc.allow, got)
		}
		if tc.wantSub != "" && !strings.Contains(got, tc.wantSub) {
			t.Errorf("hookTypeProblem(%q, %v) = %q, want it to say %q", tc.typ, tc.allow, got, tc.wantSub)
		}
	}
}

func TestCheckSecureURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://rest.doo.net":        true,
		"http://127.0.0.1:8080":       true,
		"http://localhost:1234/x":     true,
		"http://[::1]:80":             true,
		"http://rest.doo.net":         false,
		"http://10.0.0.1":             false,
		"rest.doo.net":                false,
		"ftp://rest.doo.net":          false,
		"https://integration.doo.net": true,
	} {
		if got := checkSecureURL(url) == ""; got != ok {
			t.Errorf("checkSecureURL(%q) accepted=%v, want %v", url, got, ok)
		}
	}
}

func FuzzParseImportID(f *testing.F) {
	for _, s := range []string{"7/0f5566bb-d35b-11e7-bde8-0206116776d2", "1/12", "0/x", "/x", "7/", "a/b", "7/a/b", "99999999999999999999/x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		team, id, err := parseImportID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "<team_id>/<webhook_id>") {
				t.Fatalf("error %q does not show the expected form", err)
			}
			return
		}
		if team < 1 || id == "" || strings.Contains(id, "/") {
			t.Fatalf("parseImportID(%q) = %d, %q: accepted an invalid id", s, team, id)
		}
		if got := strings.SplitN(s, "/", 2)[1]; got != id {
			t.Fatalf("parseImportID(%q) id = %q, want %q", s, id, got)
		}
	})
}

func TestReceiverURL_warnsOnPlainHTTP(t *testing.T) {
	for _, tc := range []struct {
		v            validator.String
		url, warning string
	}{
		{receiverURL("the payload"), "http://crm.example.com/doo", "payload in clear"},
		{receiverURL("the receiver's client secret"), "http://crm.example.com/token", "client secret in clear"},
		{receiverURL("the payload"), "https://crm.example.com/doo", ""},
	} {
		var resp validator.StringResponse
		tc.v.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("endpoint"), ConfigValue: types.StringValue(tc.url),
		}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s: unexpected error %v", tc.url, resp.Diagnostics)
		}
		got := ""
		for _, d := range resp.Diagnostics.Warnings() {
			got += d.Detail()
		}
		if (tc.warning == "") != (got == "") || !strings.Contains(got, tc.warning) {
			t.Errorf("%s: warning %q, want one saying %q", tc.url, got, tc.warning)
		}
	}
}
