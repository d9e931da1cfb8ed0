package doofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// adminPrefix is the path prefix of the emulator's own endpoints: no auth, never recorded.
const adminPrefix = "/_fake/"

// maxSeed is the most configurations one /_fake/seed call may create.
const maxSeed = 100000

// Stats is the answer of GET /_fake/stats.
type Stats struct {
	Counts       map[string]int `json:"counts"`
	Total        int            `json:"total"`
	Writes       int            `json:"writes"`
	StatusCounts map[string]int `json:"status_counts"`
}

// Config is the body of POST /_fake/config; absent fields leave their knob unchanged.
type Config struct {
	RequestsPerSecond *float64 `json:"requests_per_second,omitempty"`
	PageSize          *int     `json:"page_size,omitempty"`
	DailyQuota        *int     `json:"daily_quota,omitempty"`
	FaultFraction     *float64 `json:"fault_fraction,omitempty"`
	FaultStatus       *int     `json:"fault_status,omitempty"`
	FaultRoute        *string  `json:"fault_route,omitempty"`
	// FaultCount limits the fault to that many calls; with fault_fraction 0 it fails the next calls.
	FaultCount *int `json:"fault_count,omitempty"`
	// FaultBody is answered as is instead of a problem (see Fault.Body).
	FaultBody *string `json:"fault_body,omitempty"`
	// FaultLocation is sent as the Location header of the fault's answer (see Fault.Location).
	FaultLocation      *string  `json:"fault_location,omitempty"`
	CreateStatus       *int     `json:"create_status,omitempty"`
	OmitEventIDsInList *bool    `json:"omit_event_ids_in_list,omitempty"`
	LatencyMillis      *int     `json:"latency_ms,omitempty"`
	TokenTTLSeconds    *float64 `json:"token_ttl_seconds,omitempty"`
	ExpireTokens       bool     `json:"expire_tokens,omitempty"`
	// OmitDescriptionInList is SetOmitDescriptionInList.
	OmitDescriptionInList *bool `json:"omit_description_in_list,omitempty"`
	// IgnorePageParam is SetIgnorePageParam (the page_count to claim; 0 = off).
	IgnorePageParam *int `json:"ignore_page_param,omitempty"`
	// NumericIDs is SetNumericIDs.
	NumericIDs *bool `json:"numeric_ids,omitempty"`
	// IgnoreDeletes is SetIgnoreDeletes.
	IgnoreDeletes *bool `json:"ignore_deletes,omitempty"`
	// UnstableOrder is SetUnstableOrder.
	UnstableOrder *bool `json:"unstable_order,omitempty"`
	// LoseNextCreateStatus is LoseNextCreateWithStatus, or LoseNextCreateResponse when 0.
	LoseNextCreateStatus *int `json:"lose_next_create_status,omitempty"`
	// ReplaceBetweenPages arms ReplaceBetweenPages, or ReplaceBetweenPagesNamed with its name_prefix
	// when its id is empty.
	ReplaceBetweenPages *ReplaceBetweenPagesConfig `json:"replace_between_pages,omitempty"`
	// DeleteBetweenPages arms DeleteBetweenPages.
	DeleteBetweenPages *DeleteBetweenPagesConfig `json:"delete_between_pages,omitempty"`
	// LateCommitNextCreateSeconds arms LateCommitNextCreate with that delay.
	LateCommitNextCreateSeconds *float64 `json:"late_commit_next_create_seconds,omitempty"`
	// EnvelopeErrors is SetEnvelopeErrors.
	EnvelopeErrors *bool `json:"envelope_errors,omitempty"`
	// EchoRequestInErrors is SetEchoRequestInErrors.
	EchoRequestInErrors *bool `json:"echo_request_in_errors,omitempty"`
	// CreateAnswersObject is SetCreateAnswersObject.
	CreateAnswersObject *bool `json:"create_answers_object,omitempty"`
	// LegacyEmptyList is SetLegacyEmptyList.
	LegacyEmptyList *bool `json:"legacy_empty_list,omitempty"`
	// ExtraListFields is SetExtraListFields.
	ExtraListFields *bool `json:"extra_list_fields,omitempty"`
	// OAuth2BearerChallenges is SetOAuth2BearerChallenges.
	OAuth2BearerChallenges *bool `json:"oauth2_bearer_challenges,omitempty"`
	// PageSizeParam is SetPageSizeParam ({"name":""} turns it off).
	PageSizeParam *PageSizeParam `json:"page_size_param,omitempty"`
}

// ReplaceBetweenPagesConfig is the replace_between_pages field of POST /_fake/config: id, or else the
// first configuration whose name starts with name_prefix ("" = the team's first).
type ReplaceBetweenPagesConfig struct {
	TeamID     int64  `json:"team_id"`
	ID         string `json:"id,omitempty"`
	NamePrefix string `json:"name_prefix,omitempty"`
}

// DeleteBetweenPagesConfig is the delete_between_pages field of POST /_fake/config.
type DeleteBetweenPagesConfig struct {
	TeamID int64  `json:"team_id"`
	ID     string `json:"id"`
}

// Stats summarizes the recorded requests.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Counts: map[string]int{}, StatusCounts: map[string]int{}, Total: len(s.requests)}
	for _, r := range s.requests {
		st.Counts[r.Route]++
		st.StatusCounts[strconv.Itoa(r.Status)]++
		if r.Route == RouteCreate || r.Route == RouteDelete {
			st.Writes++
		}
	}
	return st
}

// Configure applies the present fields of c; a fault fraction of 0 clears the faults.
func (s *Server) Configure(c Config) {
	if c.RequestsPerSecond != nil {
		s.SetRequestsPerSecond(*c.RequestsPerSecond)
	}
	if c.PageSize != nil {
		s.SetPageSize(*c.PageSize)
	}
	if c.DailyQuota != nil {
		s.SetDailyQuota(*c.DailyQuota)
	}
	if c.CreateStatus != nil {
		s.SetCreateStatus(*c.CreateStatus)
	}
	if c.OmitEventIDsInList != nil {
		s.SetOmitEventIDsInList(*c.OmitEventIDsInList)
	}
	if c.LatencyMillis != nil {
		s.SetLatency(time.Duration(*c.LatencyMillis) * time.Millisecond)
	}
	if c.TokenTTLSeconds != nil {
		s.SetTokenTTL(time.Duration(*c.TokenTTLSeconds * float64(time.Second)))
	}
	if c.ExpireTokens {
		s.ExpireTokens()
	}
	if c.OmitDescriptionInList != nil {
		s.SetOmitDescriptionInList(*c.OmitDescriptionInList)
	}
	if c.IgnorePageParam != nil {
		s.SetIgnorePageParam(*c.IgnorePageParam)
	}
	if c.NumericIDs != nil {
		s.SetNumericIDs(*c.NumericIDs)
	}
	if c.UnstableOrder != nil {
		s.SetUnstableOrder(*c.UnstableOrder)
	}
	if c.IgnoreDeletes != nil {
		s.SetIgnoreDeletes(*c.IgnoreDeletes)
	}
	if c.LoseNextCreateStatus != nil {
		if *c.LoseNextCreateStatus == StatusNoResponse {
			s.LoseNextCreateResponse()
		} else {
			s.LoseNextCreateWithStatus(*c.LoseNextCreateStatus)
		}
	}
	if r := c.ReplaceBetweenPages; r != nil {
		if r.ID == "" {
			s.ReplaceBetweenPagesNamed(r.TeamID, r.NamePrefix)
		} else {
			s.ReplaceBetweenPages(r.TeamID, r.ID)
		}
	}
	if d := c.DeleteBetweenPages; d != nil {
		s.DeleteBetweenPages(d.TeamID, d.ID)
	}
	if c.LateCommitNextCreateSeconds != nil {
		s.LateCommitNextCreate(time.Duration(*c.LateCommitNextCreateSeconds * float64(time.Second)))
	}
	if c.EnvelopeErrors != nil {
		s.SetEnvelopeErrors(*c.EnvelopeErrors)
	}
	if c.EchoRequestInErrors != nil {
		s.SetEchoRequestInErrors(*c.EchoRequestInErrors)
	}
	if c.CreateAnswersObject != nil {
		s.SetCreateAnswersObject(*c.CreateAnswersObject)
	}
	if c.LegacyEmptyList != nil {
		s.SetLegacyEmptyList(*c.LegacyEmptyList)
	}
	if c.ExtraListFields != nil {
		s.SetExtraListFields(*c.ExtraListFields)
	}
	if c.OAuth2BearerChallenges != nil {
		s.SetOAuth2BearerChallenges(*c.OAuth2BearerChallenges)
	}
	if c.PageSizeParam != nil {
		s.SetPageSizeParam(*c.PageSizeParam)
	}
	if c.FaultFraction != nil || c.FaultStatus != nil || c.FaultCount != nil || c.FaultBody != nil || c.FaultLocation != nil {
		f := Fault{Status: http.StatusServiceUnavailable}
		route := ""
		if c.FaultRoute != nil {
			route = *c.FaultRoute
		}
		if c.FaultStatus != nil {
			f.Status = *c.FaultStatus
		}
		if c.FaultFraction != nil {
			f.Fraction = *c.FaultFraction
		}
		if c.FaultCount != nil {
			f.Count = *c.FaultCount
		}
		if c.FaultBody != nil {
			f.Body = *c.FaultBody
		}
		if c.FaultLocation != nil {
			f.Location = *c.FaultLocation
		}
		if f.Fraction <= 0 && f.Count <= 0 {
			s.ClearFaults()
		} else {
			s.SetFaultRule(route, f)
		}
	}
}

// serveAdmin answers the /_fake/ endpoints used by out-of-process demos and benchmarks.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	endpoint := r.URL.Path[len(adminPrefix):]
	want := map[string]string{
		"stats": http.MethodGet, "requests": http.MethodGet, "webhooks": http.MethodGet, "replacements": http.MethodGet,
		"deletions": http.MethodGet, "late_commits": http.MethodGet,
		"reset": http.MethodPost, "seed": http.MethodPost, "config": http.MethodPost,
	}[endpoint]
	switch {
	case want == "":
		adminError(w, http.StatusNotFound, "unknown admin endpoint "+r.URL.Path)
		return
	case r.Method != want:
		w.Header().Set("Allow", want)
		adminError(w, http.StatusMethodNotAllowed, want+" only")
		return
	}
	switch endpoint {
	case "stats":
		adminJSON(w, http.StatusOK, s.Stats())
	case "requests":
		adminJSON(w, http.StatusOK, s.Requests())
	case "replacements":
		adminJSON(w, http.StatusOK, s.Replacements())
	case "deletions":
		adminJSON(w, http.StatusOK, s.DeletionsBetweenPages())
	case "late_commits":
		adminJSON(w, http.StatusOK, s.LateCommits())
	case "reset":
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	case "webhooks":
		team, err := teamParam(r)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, s.Webhooks(team))
	case "seed":
		s.adminSeed(w, r)
	case "config":
		var c Config
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			adminError(w, http.StatusBadRequest, "config body: "+err.Error())
			return
		}
		s.Configure(c)
		adminJSON(w, http.StatusOK, s.knobs())
	}
}

// adminSeed answers POST /_fake/seed?team=T&count=N with the new ids.
func (s *Server) adminSeed(w http.ResponseWriter, r *http.Request) {
	team, err := teamParam(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	count := 1
	if raw := r.URL.Query().Get("count"); raw != "" {
		count, err = strconv.Atoi(raw)
		if err != nil || count < 0 || count > maxSeed {
			adminError(w, http.StatusBadRequest, fmt.Sprintf("count must be an integer in 0..%d", maxSeed))
			return
		}
	}
	ids := make([]string, 0, count)
	for i := 1; i <= count; i++ {
		name := fmt.Sprintf("seeded-%d", i)
		ids = append(ids, s.Seed(team, Webhook{Name: name, Hooks: []Hook{{
			Type: "order_created", Method: http.MethodPost, Endpoint: "https://receiver.example.com/doo/" + name,
		}}}))
	}
	adminJSON(w, http.StatusOK, ids)
}

// knobs reports the current settings after a config change.
func (s *Server) knobs() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	faults := map[string]any{}
	for route, f := range s.faults {
		faults[route] = map[string]any{"fraction": f.Fraction, "status": f.Status, "count": f.Count,
			"body": f.Body, "location": f.Location}
	}
	pending, deletes := 0, 0
	for _, q := range s.pendingReplaces {
		pending += len(q)
	}
	for _, q := range s.pendingDeletes {
		deletes += len(q)
	}
	return map[string]any{
		"requests_per_second": s.rps, "page_size": s.pageSize, "daily_quota": s.quota,
		"create_status": s.createStatus, "omit_event_ids_in_list": s.omitEventIDs,
		"omit_description_in_list": s.omitDescription, "ignore_page_param": s.ignorePageCount,
		"numeric_ids": s.numericIDs, "ignore_deletes": s.ignoreDeletes, "unstable_order": s.unstableOrder, "lost_creates_armed": len(s.losses),
		"replacements_armed": pending, "deletions_armed": deletes,
		"late_commits_pending": len(s.lateArms) + len(s.lateQueue),
		"envelope_errors":      s.envelopeErrors, "echo_request_in_errors": s.echoErrors,
		"create_answers_object": s.createObject, "legacy_empty_list": s.legacyEmptyList,
		"extra_list_fields": s.extraListFields, "oauth2_bearer_challenges": s.bearerChallenges,
		"page_size_param": s.pageSizeParam,
		"latency_ms":      s.latency.Milliseconds(), "token_ttl_seconds": s.tokenTTL.Seconds(), "faults": faults,
	}
}

func teamParam(r *http.Request) (int64, error) {
	team, err := strconv.ParseInt(r.URL.Query().Get("team"), 10, 64)
	if err != nil || team <= 0 {
		return 0, fmt.Errorf("team must be a positive integer, got %q", r.URL.Query().Get("team"))
	}
	return team, nil
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]string{"error": msg})
}
