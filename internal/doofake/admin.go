package doofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// adminPrefix is the path prefix of the emulator's own endpoints: no auth, never recorded.
const adminPrefix = "/_fake/"

// maxSeed is the most configurations one /_fake/seed call may create.
const maxSeed = 100000

// Config is the body of POST /_fake/config: a JSON object whose fields are those of Settings and of
// Actions. It is decoded onto a copy of the current settings, so a setting the object leaves out keeps
// its value, and applied with Update, as from Go; then each action present is done by the Server method
// it names. An unknown field, or a body that is not such an object, changes nothing and gets 400.
type Config struct {
	Settings
	Actions
}

// Actions are the one-shot actions of POST /_fake/config; each calls the Server method it names. They
// are done after the settings of the same body are applied.
type Actions struct {
	// FaultRoute is the route of the fault the other fault_* fields install ("" or absent = every route).
	FaultRoute *string `json:"fault_route,omitempty"`
	// FaultFraction, FaultStatus (default 503), FaultCount, FaultBody and FaultLocation are the fields
	// of a Fault: any of them present calls SetFaultRule(fault_route, that fault), or ClearFaults when
	// neither fault_fraction nor fault_count is above 0. With fault_fraction 0, fault_count fails the
	// next calls.
	FaultFraction *float64 `json:"fault_fraction,omitempty"`
	FaultStatus   *int     `json:"fault_status,omitempty"`
	FaultCount    *int     `json:"fault_count,omitempty"`
	// FaultBody is answered as is instead of a problem (see Fault.Body).
	FaultBody *string `json:"fault_body,omitempty"`
	// FaultLocation is sent as the Location header of the fault's answer (see Fault.Location).
	FaultLocation *string `json:"fault_location,omitempty"`
	// ExpireTokens true calls ExpireTokens.
	ExpireTokens bool `json:"expire_tokens,omitempty"`
	// LoseNextCreateStatus calls LoseNextCreateWithStatus, or LoseNextCreateResponse when 0.
	LoseNextCreateStatus *int `json:"lose_next_create_status,omitempty"`
	// ReplaceBetweenPages calls ReplaceBetweenPages, or ReplaceBetweenPagesNamed with its name_prefix
	// when its id is empty.
	ReplaceBetweenPages *ReplaceBetweenPagesConfig `json:"replace_between_pages,omitempty"`
	// DeleteBetweenPages calls DeleteBetweenPages.
	DeleteBetweenPages *DeleteBetweenPagesConfig `json:"delete_between_pages,omitempty"`
	// LateCommitNextCreateSeconds calls LateCommitNextCreate with that delay.
	LateCommitNextCreateSeconds *float64 `json:"late_commit_next_create_seconds,omitempty"`
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

// configure answers POST /_fake/config (see Config).
func (s *Server) configure(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		adminError(w, http.StatusBadRequest, "config body: "+err.Error())
		return
	}
	var acts Actions
	s.Update(func(st *Settings) {
		c := Config{Settings: *st}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err = dec.Decode(&c); err == nil {
			*st, acts = c.Settings, c.Actions
		}
	})
	if err != nil {
		adminError(w, http.StatusBadRequest, "config body: "+err.Error())
		return
	}
	s.act(acts)
	adminJSON(w, http.StatusOK, s.configAnswer())
}

// act does the actions present in a.
func (s *Server) act(a Actions) {
	if a.ExpireTokens {
		s.ExpireTokens()
	}
	if a.LoseNextCreateStatus != nil {
		if *a.LoseNextCreateStatus == StatusNoResponse {
			s.LoseNextCreateResponse()
		} else {
			s.LoseNextCreateWithStatus(*a.LoseNextCreateStatus)
		}
	}
	if r := a.ReplaceBetweenPages; r != nil {
		if r.ID == "" {
			s.ReplaceBetweenPagesNamed(r.TeamID, r.NamePrefix)
		} else {
			s.ReplaceBetweenPages(r.TeamID, r.ID)
		}
	}
	if d := a.DeleteBetweenPages; d != nil {
		s.DeleteBetweenPages(d.TeamID, d.ID)
	}
	if a.LateCommitNextCreateSeconds != nil {
		s.LateCommitNextCreate(time.Duration(*a.LateCommitNextCreateSeconds * float64(time.Second)))
	}
	if a.FaultFraction != nil || a.FaultStatus != nil || a.FaultCount != nil || a.FaultBody != nil || a.FaultLocation != nil {
		f := Fault{Status: http.StatusServiceUnavailable}
		route := ""
		if a.FaultRoute != nil {
			route = *a.FaultRoute
		}
		if a.FaultStatus != nil {
			f.Status = *a.FaultStatus
		}
		if a.FaultFraction != nil {
			f.Fraction = *a.FaultFraction
		}
		if a.FaultCount != nil {
			f.Count = *a.FaultCount
		}
		if a.FaultBody != nil {
			f.Body = *a.FaultBody
		}
		if a.FaultLocation != nil {
			f.Location = *a.FaultLocation
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
		s.configure(w, r)
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

// configAnswer is the answer of POST /_fake/config: every setting under its JSON name, and what is
// armed: faults (per route), lost_creates_armed, replacements_armed, deletions_armed and
// late_commits_pending.
func (s *Server) configAnswer() map[string]any {
	s.mu.Lock()
	set := s.set
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
	armed := map[string]any{
		"faults": faults, "lost_creates_armed": len(s.losses), "replacements_armed": pending,
		"deletions_armed": deletes, "late_commits_pending": len(s.lateArms) + len(s.lateQueue),
	}
	s.mu.Unlock()
	out := map[string]any{}
	if b, err := json.Marshal(set); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	for k, v := range armed {
		out[k] = v
	}
	return out
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
