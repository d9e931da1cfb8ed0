package doofake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// Settings are the emulator's persistent settings: each one stays as it is until it is changed again.
// The zero value is the default emulator, which speaks Laminas API Tools' dialect as doo's API page
// shows it; every behaviour the API page and the framework do not show is a fault switch, off when
// zero.
//
// Settings are given to New in Options and changed at run time in one way, from Go with Update and
// over HTTP with POST /_fake/config (whose JSON field names are the json tags below), so both paths
// apply the same rules: a page size that is not positive means DefaultPageSize, a create status other
// than 201 means 200, negative numbers and durations mean 0 (off), a negative PageSizeParam.Max means
// no maximum, and a change of RequestsPerSecond refills every API key's bucket.
//
// One-shot actions (faults, lost and late creates, replacements and deletions between pages, token
// expiry) are not settings: they are methods of Server, which POST /_fake/config calls too (see Actions).
type Settings struct {
	// PageSize is the number of configurations a list page holds (DefaultPageSize, 25, doo's documented
	// size, when not positive).
	PageSize int `json:"page_size"`
	// RequestsPerSecond throttles each API key with a token bucket (0 = off; doo documents 1): a request
	// beyond it gets the gateway's 429 {"message"} with Retry-After. A change refills every bucket.
	RequestsPerSecond float64 `json:"requests_per_second"`
	// DailyQuota is the number of requests each API key may make per UTC day (0 = unlimited; doo
	// documents 1000); requests already made today count when it is lowered.
	DailyQuota int `json:"daily_quota"`
	// CreateStatus is the status of a successful create: 200 (the default, and what any value but 201
	// means) or 201, a variant the documentation allows (the gateway once answered 201).
	CreateStatus int `json:"create_status"`
	// Latency is added before every answer (0 = none); a client that goes away meanwhile is recorded
	// with StatusClientClosed.
	Latency Milliseconds `json:"latency_ms"`
	// TokenTTL is the lifetime of an access token, issued ones included (0 = tokens never expire; doo
	// does not document one).
	TokenTTL Seconds `json:"token_ttl_seconds"`
	// OmitEventIDsInList makes list items leave out event_id and event_guide_id: a variant the
	// documentation allows, since it does not say whether the list echoes them.
	OmitEventIDsInList bool `json:"omit_event_ids_in_list"`
	// OAuth2BearerChallenges answers bearer failures as api-tools-mvc-auth's OAuth2 adapter does when no
	// listener turns them into problems (a variant the framework allows): a request without a token is a
	// guest and gets the 403 "Forbidden" problem, a bad or expired token gets 401 with an empty body;
	// both carry WWW-Authenticate. Off, both get the 401 "Unauthorized" problem of the answer files.
	OAuth2BearerChallenges bool `json:"oauth2_bearer_challenges"`
	// PageSizeParam lets clients choose the list page size with a query parameter, as api-tools-rest
	// does where a service sets page_size_param (a variant the framework allows; off while Name is "").
	PageSizeParam PageSizeParam `json:"page_size_param"`

	// EnvelopeErrors is a fault switch: errors answer doo's own envelope (response_status,
	// developer_message = the detail and every validation message, user_message = the title, data null)
	// instead of ApiProblem documents; the gateway's {"message"} answers stay.
	EnvelopeErrors bool `json:"envelope_errors"`
	// LegacyEmptyList is a fault switch: a team without configurations answers the shape the emulator
	// used to invent (page_count 1, page 1, with first and last links) instead of api-tools-hal's
	// page_count 0, page 0 and a self link.
	LegacyEmptyList bool `json:"legacy_empty_list"`
	// ExtraListFields is a fault switch: list items carry fields neither the API page nor the answers
	// show (status, created_at, hooks[].active), which clients must ignore.
	ExtraListFields bool `json:"extra_list_fields"`
	// EchoRequestInErrors is a fault switch: every 4xx or 5xx answer to a create carries the raw request
	// body in its detail (developer_message), as a careless server echoes input; encoding/json writes
	// its &, < and > as \u0026, \u003c and \u003e.
	EchoRequestInErrors bool `json:"echo_request_in_errors"`
	// CreateAnswersObject is a fault switch: a successful create answers the stored configuration,
	// secrets included, in data instead of its id.
	CreateAnswersObject bool `json:"create_answers_object"`
	// IgnoreDeletes is a fault switch: DELETE answers 204 without deleting (doo never confirms a delete).
	IgnoreDeletes bool `json:"ignore_deletes"`
	// UnstableOrder is a fault switch: every request for page 1 of a team moves its first configuration
	// to the end of the team's order, so each listing is consistent in itself but two listings disagree
	// on the order.
	UnstableOrder bool `json:"unstable_order"`
	// OmitDescriptionInList is a fault switch: list items leave out description entirely.
	OmitDescriptionInList bool `json:"omit_description_in_list"`
	// IgnorePageParam is a fault switch: above 0, every list request answers page 1's items with that
	// page_count, whatever its page parameter says, as a gateway that drops the query would (0 = off).
	IgnorePageParam int `json:"ignore_page_param"`
	// NumericIDs is a fault switch: configurations stored from now on get decimal ids above 2^53
	// (FirstNumericID, then +1 each), which the create answer and list items send as JSON numbers;
	// DELETE takes the decimal text.
	NumericIDs bool `json:"numeric_ids"`
}

// normalized returns st with the rules of every path applied (see Settings).
func (st Settings) normalized() Settings {
	if st.PageSize <= 0 {
		st.PageSize = DefaultPageSize
	}
	if st.CreateStatus != http.StatusCreated {
		st.CreateStatus = http.StatusOK
	}
	st.RequestsPerSecond = max(st.RequestsPerSecond, 0)
	st.DailyQuota = max(st.DailyQuota, 0)
	st.Latency = max(st.Latency, 0)
	st.TokenTTL = max(st.TokenTTL, 0)
	st.IgnorePageParam = max(st.IgnorePageParam, 0)
	st.PageSizeParam.Max = max(st.PageSizeParam.Max, 0)
	return st
}

// Settings returns the current settings, with the defaults filled in.
func (s *Server) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set
}

// Update is the one way to change settings at run time: change gets a copy of the current settings,
// and what it leaves there is normalized and applied at once (see Settings). change runs with the
// emulator locked: it must not call the Server.
//
//	fake.Update(func(st *doofake.Settings) { st.UnstableOrder = true })
func (s *Server) Update(change func(*Settings)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.set
	change(&next)
	s.applyLocked(next)
}

// applyLocked makes next the settings; New and Update both come here. s.mu must be held.
func (s *Server) applyLocked(next Settings) {
	next = next.normalized()
	if next.RequestsPerSecond != s.set.RequestsPerSecond {
		s.buckets = map[string]*bucket{}
	}
	s.set = next
}

// Milliseconds is a duration that JSON writes as a whole number of milliseconds (e.g. latency_ms).
type Milliseconds time.Duration

// MarshalJSON writes d in whole milliseconds.
func (d Milliseconds) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Milliseconds())
}

// UnmarshalJSON reads a whole number of milliseconds; null changes nothing.
func (d *Milliseconds) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var ms int64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*d = Milliseconds(time.Duration(ms) * time.Millisecond)
	return nil
}

// Seconds is a duration that JSON writes as a number of seconds, fractions allowed (e.g. token_ttl_seconds).
type Seconds time.Duration

// MarshalJSON writes d in seconds.
func (d Seconds) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Seconds())
}

// UnmarshalJSON reads a number of seconds; null changes nothing.
func (d *Seconds) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var sec float64
	if err := json.Unmarshal(b, &sec); err != nil {
		return err
	}
	*d = Seconds(time.Duration(sec * float64(time.Second)))
	return nil
}

// UnmarshalJSON replaces p whole, as POST /_fake/config always did: a field the object leaves out is
// zero, so {"name":""} turns the parameter off and clears Max and Clamp; null changes nothing.
func (p *PageSizeParam) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	type plain PageSizeParam // without this method
	var v plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	*p = PageSizeParam(v)
	return nil
}

func isNull(b []byte) bool {
	return string(bytes.TrimSpace(b)) == "null"
}
