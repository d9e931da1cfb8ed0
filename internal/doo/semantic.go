package doo

import (
	"encoding/json"
	"io"
	"reflect"
	"regexp"
	"strings"
)

// suffixed matches a GraphQL hook type as doo lists it: the configured type, "_", 32 lowercase hex digits.
var suffixed = regexp.MustCompile(`^(.+)_[0-9a-f]{32}$`)

// BaseHookType returns the configured type of a listed hook type, without doo's "_<32 hex>" suffix.
func BaseHookType(listed string) string {
	if m := suffixed.FindStringSubmatch(listed); m != nil {
		return m[1]
	}
	return listed
}

// HookTypeMatches reports whether a listed hook type is the configured one, suffix or not.
func HookTypeMatches(configured, listed string) bool {
	return listed == configured || BaseHookType(listed) == configured
}

// JSONEqual reports whether two texts hold the same JSON value: whitespace and key order do not count,
// but numbers compare exactly as written (1 is not 1.0, and large integers keep every digit). Texts that
// are not JSON compare as text.
func JSONEqual(a, b string) bool {
	if a == b {
		return true
	}
	va, okA := decodeExact(a)
	vb, okB := decodeExact(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

// decodeExact decodes one JSON value with numbers kept as their text, and nothing after it.
func decodeExact(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// HookEquivalent reports whether a listed hook is the configured one: type up to the suffix,
// method with its POST default, endpoint, and origin with its body compared as JSON.
func HookEquivalent(configured, listed Hook) bool {
	if !HookTypeMatches(configured.Type, listed.Type) || configured.Endpoint != listed.Endpoint ||
		orDefault(configured.Method, "POST") != orDefault(listed.Method, "POST") {
		return false
	}
	if (configured.Origin == nil) != (listed.Origin == nil) {
		return false
	}
	if configured.Origin == nil {
		return true
	}
	return configured.Origin.Endpoint == listed.Origin.Endpoint &&
		orDefault(configured.Origin.Method, "POST") == orDefault(listed.Origin.Method, "POST") &&
		JSONEqual(configured.Origin.Body, listed.Origin.Body)
}

// HooksEquivalent matches two hook lists as multisets, since doo may list hooks in another order.
func HooksEquivalent(configured, listed []Hook) bool {
	if len(configured) != len(listed) {
		return false
	}
	used := make([]bool, len(listed))
	for _, h := range configured {
		found := false
		for i, l := range listed {
			if !used[i] && HookEquivalent(h, l) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// AuthenticationEquivalent compares two authentication blocks with their documented defaults.
func AuthenticationEquivalent(configured, listed *Authentication) bool {
	if configured == nil || listed == nil {
		return configured == nil && listed == nil
	}
	return orDefault(configured.GrantType, "client_credentials") == orDefault(listed.GrantType, "client_credentials") &&
		configured.Endpoint == listed.Endpoint &&
		configured.Credentials.ClientID == listed.Credentials.ClientID &&
		configured.Credentials.ClientSecret == listed.Credentials.ClientSecret &&
		orDefault(configured.HeaderFormat, "Authorization") == orDefault(listed.HeaderFormat, "Authorization") &&
		orDefault(configured.HeaderValueFormat, "Bearer %ACCESS_TOKEN%") == orDefault(listed.HeaderValueFormat, "Bearer %ACCESS_TOKEN%")
}

// Equivalent reports whether a listed configuration is the one that was sent. Event scopes and the
// description count only when doo echoes them, since the list may omit them.
func Equivalent(sent, listed Webhook) bool {
	if sent.Name != listed.Name || (!listed.DescriptionOmitted && sent.Description != listed.Description) {
		return false
	}
	if listed.EventID != "" && listed.EventID != sent.EventID {
		return false
	}
	if listed.EventGuideID != "" && listed.EventGuideID != sent.EventGuideID {
		return false
	}
	return HooksEquivalent(sent.Hooks, listed.Hooks) && AuthenticationEquivalent(sent.Authentication, listed.Authentication)
}
