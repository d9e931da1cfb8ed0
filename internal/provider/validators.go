package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// documentedHookTypes are the webhook types doo's public docs name.
var documentedHookTypes = []string{
	"event_created", "event_updated", "event_removed",
	"order_created", "order_updated", "order_removed", "order_cancelled",
	"attendee_pending", "attendee_validated", "attendee_cancelled", "attendee_checkin",
}

// stringCheck adapts a function that describes a value's problem ("" when fine) to a validator.
// Null and unknown values are left to Required and to apply time.
type stringCheck struct {
	description string
	check       func(string) (problem string, warning string)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	problem, warning := v.check(req.ConfigValue.ValueString())
	if problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), problem)
	}
	if warning != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Insecure "+req.Path.String(), warning)
	}
}

// receiverURL accepts the absolute http(s) URL of a receiver (at most 1000 characters), and warns
// on http:// because doo would then send what travels there in clear.
func receiverURL(whatTravels string) validator.String {
	return stringCheck{
		description: "an absolute http(s) URL of at most 1000 characters",
		check: func(s string) (string, string) {
			if problem := checkAbsoluteURL(s); problem != "" {
				return problem, ""
			}
			if strings.HasPrefix(strings.ToLower(s), "http://") {
				return "", fmt.Sprintf("%q uses http://: doo would send %s in clear. Use https://.", s, whatTravels)
			}
			return "", ""
		},
	}
}

func checkAbsoluteURL(s string) string {
	if len(s) > 1000 {
		return fmt.Sprintf("The URL is %d characters long; doo accepts at most 1000.", len(s))
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("%q is not an absolute http(s) URL; write it like https://crm.example.com/doo.", s)
	}
	return ""
}

// secureURL accepts https URLs, and http only for loopback hosts (local emulators and tests).
func secureURL() validator.String {
	return stringCheck{
		description: "an https URL (http only for loopback hosts)",
		check:       func(s string) (string, string) { return checkSecureURL(s), "" },
	}
}

// apiBaseURL is secureURL for the API host, which every path is appended to, starting with /v1.
func apiBaseURL() validator.String {
	return stringCheck{
		description: "an https URL of the API host, without /v1 (http only for loopback hosts)",
		check:       func(s string) (string, string) { return checkAPIBaseURL(s), "" },
	}
}

func checkAPIBaseURL(s string) string {
	if problem := checkSecureURL(s); problem != "" {
		return problem
	}
	if trimmed := strings.TrimRight(s, "/"); strings.HasSuffix(trimmed, "/v1") {
		return fmt.Sprintf("%q ends with /v1, which the provider adds to every path itself; write %q.", s, strings.TrimSuffix(trimmed, "/v1"))
	}
	return ""
}

func checkSecureURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("%q is not an absolute https URL such as https://rest.doo.net.", s)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Sprintf("%q uses http:// on a host that is not loopback: the API key and credentials would travel in clear. Use https://.", s)
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// jsonText accepts a string holding one JSON value, such as the output of jsonencode().
func jsonText() validator.String {
	return stringCheck{
		description: "a JSON text, e.g. built with jsonencode()",
		check: func(s string) (string, string) {
			var v any
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return fmt.Sprintf("The GraphQL request body must be JSON (%v). Build it with jsonencode({ query = ..., variables = { id = \"%%EVENT_ID%%\" } }).", err), ""
			}
			return "", ""
		},
	}
}

// accessTokenPlaceholder requires %ACCESS_TOKEN%, which doo replaces with the receiver's token.
func accessTokenPlaceholder() validator.String {
	return stringCheck{
		description: "must contain %ACCESS_TOKEN%",
		check: func(s string) (string, string) {
			if !strings.Contains(s, "%ACCESS_TOKEN%") {
				return fmt.Sprintf("%q lacks the %%ACCESS_TOKEN%% placeholder that doo replaces with the receiver's token; write e.g. \"Bearer %%ACCESS_TOKEN%%\".", s), ""
			}
			return "", ""
		},
	}
}

// hookTypeProblem explains why a hook type is refused, or returns "".
// Undocumented types are refused unless allowed, because a typo would otherwise reach doo.
func hookTypeProblem(t string, allowUndocumented bool) string {
	for _, d := range documentedHookTypes {
		if t == d {
			return ""
		}
	}
	if strings.HasPrefix(t, "on_") {
		return fmt.Sprintf("%q has the on_ prefix of doo's type table; the API expects the name without it: drop the on_ prefix and write %q.", t, strings.TrimPrefix(t, "on_"))
	}
	if t == "" || strings.Trim(t, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return fmt.Sprintf("%q is not a webhook type: types are lowercase words joined by underscores, such as order_created.", t)
	}
	if allowUndocumented {
		return ""
	}
	msg := fmt.Sprintf("%q is not one of doo's documented webhook types (%s).", t, strings.Join(documentedHookTypes, ", "))
	if s := closest(t, documentedHookTypes); s != "" {
		msg += fmt.Sprintf(" Did you mean %q?", s)
	}
	return msg + " If doo supports this type but documents it elsewhere (e.g. contacts or invitees), set allow_undocumented_type = true on this hook."
}

// closest returns the candidate nearest to s by edit distance, when near enough to be a typo.
func closest(s string, candidates []string) string {
	best, bestDist := "", len(s)/2+2
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if d := levenshtein.Distance(s, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
