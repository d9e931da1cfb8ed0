package doofake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// docHost is the host the emulator writes into _links, as doo's own docs do, instead of its own address.
const docHost = "https://integration.doo.net"

// maxBody is the largest request body the emulator reads.
const maxBody = 1 << 20

// reply is an answer computed under the lock and written after the request was recorded.
type reply struct {
	status int
	header http.Header
	body   []byte
	hangUp bool
}

// route is what the path and method of a request resolve to.
type route struct {
	name      string
	team      int64
	teamValid bool
	id        string
	allow     string // set when the path exists but not for this method
	notFound  bool
}

type link struct {
	Href string `json:"href"`
}

type envelope struct {
	ResponseStatus   int             `json:"response_status"`
	DeveloperMessage string          `json:"developer_message"`
	UserMessage      string          `json:"user_message"`
	Data             any             `json:"data"`
	Links            map[string]link `json:"_links"`
}

// ServeHTTP answers one request as doo would, or an admin request under /_fake/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	rt := resolve(r.Method, r.URL.Path)
	s.mu.Lock()
	at, latency := s.now(), s.latency
	s.mu.Unlock()
	rec := Request{Method: r.Method, Path: r.URL.Path, Route: rt.name, TeamID: rt.team, At: at, Host: r.Host,
		HasAPIKey: len(r.Header.Values("x-api-key")) > 0, HasAuthorization: len(r.Header.Values("Authorization")) > 0}
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if rt.name == RouteCreate {
		rec.Body = string(body)
	}
	if !wait(r.Context(), latency) {
		rec.Status = StatusClientClosed
		s.record(rec)
		return
	}
	var rep reply
	switch {
	case readErr != nil:
		rep = errorReply(http.StatusBadRequest, r.URL.Path, "the request body could not be read", "Bad request")
	case len(body) > maxBody:
		rep = errorReply(http.StatusRequestEntityTooLarge, r.URL.Path, "the request body exceeds 1 MiB", "Request too large")
	default:
		rep = s.handle(r, rt, body)
	}
	rec.Status = rep.status
	s.record(rec)
	writeReply(w, rep)
}

// record appends one request to the log.
func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

// wait sleeps d unless ctx ends first; it reports whether the request is still wanted.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// resolve maps a method and path to a route.
func resolve(method, path string) route {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(seg) == 2 && seg[0] == "v1" && seg[1] == "oauth":
		if method == http.MethodPost {
			return route{name: RouteToken}
		}
		return route{name: RouteOther, allow: http.MethodPost}
	case len(seg) == 4 && seg[0] == "v1" && seg[1] == "organizers" && seg[2] == "current" && seg[3] == "organizations":
		if method == http.MethodGet {
			return route{name: RouteOrganizations}
		}
		return route{name: RouteOther, allow: http.MethodGet}
	case len(seg) == 4 && seg[0] == "v1" && seg[1] == "team" && seg[3] == "webhooks":
		team, err := strconv.ParseInt(seg[2], 10, 64)
		rt := route{team: team, teamValid: err == nil && team > 0}
		if !rt.teamValid {
			rt.team = 0
		}
		switch method {
		case http.MethodGet:
			rt.name = RouteList
		case http.MethodPost:
			rt.name = RouteCreate
		default:
			rt.name, rt.allow = RouteOther, "GET, POST"
		}
		return rt
	case len(seg) == 3 && seg[0] == "v1" && seg[1] == "webhooks" && seg[2] != "":
		if method == http.MethodDelete {
			return route{name: RouteDelete, id: seg[2]}
		}
		return route{name: RouteOther, allow: http.MethodDelete}
	}
	return route{name: RouteOther, notFound: true}
}

// handle applies the gateway checks (key, quota, throttle, faults), then routing, auth and the handlers.
func (s *Server) handle(r *http.Request, rt route, body []byte) reply {
	path := r.URL.Path
	key := r.Header.Get("x-api-key")
	s.mu.Lock()
	defer s.mu.Unlock()
	if key == "" || key != s.apiKey {
		return jsonReply(http.StatusForbidden, map[string]string{"message": "Forbidden"})
	}
	if rep, limited := s.limitLocked(key); limited {
		return rep
	}
	if rep, failed := s.faultLocked(rt.name, path); failed {
		return rep
	}
	if rt.notFound {
		return errorReply(http.StatusNotFound, path, "no resource at "+r.Method+" "+path, "Not found")
	}
	if rt.allow != "" {
		rep := errorReply(http.StatusMethodNotAllowed, path,
			fmt.Sprintf("%s is not allowed on %s (allowed: %s); webhook configurations can be neither read by id nor updated", r.Method, path, rt.allow),
			"Method not allowed")
		rep.header.Set("Allow", rt.allow)
		return rep
	}
	if rt.name != RouteToken && rt.name != RouteDelete {
		if msg, ok := s.authorizedLocked(r.Header.Get("Authorization")); !ok {
			return errorReply(http.StatusUnauthorized, path, msg, "Unauthorized")
		}
	}
	if rt.name == RouteList || rt.name == RouteCreate {
		if !rt.teamValid {
			return errorReply(http.StatusNotFound, path, "team id must be a positive integer", "Team not found")
		}
		if !s.hasTeamLocked(rt.team) {
			return errorReply(http.StatusForbidden, path,
				fmt.Sprintf("team %d is not a team of the caller's organizations", rt.team), "Access denied to this team")
		}
	}
	switch rt.name {
	case RouteToken:
		return s.tokenLocked(path, body)
	case RouteOrganizations:
		return s.organizationsLocked()
	case RouteList:
		return s.listLocked(r, rt.team)
	case RouteCreate:
		return s.createLocked(path, rt.team, body)
	default:
		if !s.ignoreDeletes {
			s.removeLocked(rt.id)
		}
		return reply{status: http.StatusNoContent, header: http.Header{}}
	}
}

// limitLocked enforces the daily quota and the throttle of key; s.mu must be held.
func (s *Server) limitLocked(key string) (reply, bool) {
	now := s.now()
	day := now.UTC().Format(time.DateOnly)
	u := s.usage[key]
	if u.day != day {
		u = usage{day: day}
	}
	if s.quota > 0 && u.used >= s.quota {
		utc := now.UTC()
		midnight := time.Date(utc.Year(), utc.Month(), utc.Day()+1, 0, 0, 0, 0, time.UTC)
		rep := jsonReply(http.StatusTooManyRequests, map[string]string{"message": "Limit Exceeded"})
		rep.header.Set("Retry-After", retryAfter(midnight.Sub(utc)))
		rep.header.Set("X-Doofake-Reason", fmt.Sprintf("daily quota of %d requests exceeded", s.quota))
		return rep, true
	}
	if s.rps > 0 {
		capacity := math.Max(1, s.rps)
		b := s.buckets[key]
		if b == nil {
			b = &bucket{tokens: capacity, last: now}
			s.buckets[key] = b
		}
		if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
			b.tokens = math.Min(capacity, b.tokens+elapsed*s.rps)
			b.last = now
		}
		if b.tokens < 1 {
			rep := jsonReply(http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
			rep.header.Set("Retry-After", retryAfter(time.Duration((1-b.tokens)/s.rps*float64(time.Second))))
			return rep, true
		}
		b.tokens--
	}
	u.used++
	s.usage[key] = u
	return reply{}, false
}

// faultLocked decides whether an injected fault hits this call of route; s.mu must be held.
func (s *Server) faultLocked(name, path string) (reply, bool) {
	key := name
	f := s.faults[key]
	if f == nil {
		key = ""
		f = s.faults[key]
	}
	if f == nil {
		return reply{}, false
	}
	if f.Skip > 0 {
		f.Skip--
		return reply{}, false
	}
	hit := f.Fraction >= 1 || (f.Fraction <= 0 && f.Count > 0)
	if !hit && f.Fraction > 0 {
		hit = s.faultRG.Float64() < f.Fraction
	}
	if !hit {
		return reply{}, false
	}
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			delete(s.faults, key)
		}
	}
	var rep reply
	if f.Body != "" {
		rep = reply{status: f.Status, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(f.Body)}
	} else {
		dev := orDefault(f.DeveloperMessage, fmt.Sprintf("%s (fault injected by the emulator)", http.StatusText(f.Status)))
		user := orDefault(f.UserMessage, orDefault(http.StatusText(f.Status), "Error"))
		rep = errorReply(f.Status, path, dev, user)
	}
	if f.Location != "" {
		rep.header.Set("Location", f.Location)
	}
	switch {
	case f.RetryAfter > 0:
		rep.header.Set("Retry-After", retryAfter(f.RetryAfter))
	case f.Status == http.StatusTooManyRequests:
		rep.header.Set("Retry-After", "1")
	}
	return rep, true
}

// authorizedLocked checks a Bearer token; s.mu must be held.
func (s *Server) authorizedLocked(header string) (string, bool) {
	scheme, tok, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "an Authorization: Bearer <access_token> header is required", false
	}
	issued, ok := s.tokens[strings.TrimSpace(tok)]
	if !ok {
		return "the access token is invalid or expired", false
	}
	if s.tokenTTL > 0 && !s.now().Before(issued.Add(s.tokenTTL)) {
		return "the access token is invalid or expired", false
	}
	return "", true
}

// tokenLocked answers POST /v1/oauth; s.mu must be held.
func (s *Server) tokenLocked(path string, body []byte) reply {
	var req struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errorReply(http.StatusBadRequest, path, "the body must be a JSON object with client_id, client_secret and grant_type: "+err.Error(), "Bad request")
	}
	if req.GrantType != "client_credentials" {
		return errorReply(http.StatusBadRequest, path, "grant_type must be client_credentials", "Bad request")
	}
	if req.ClientID != s.clientID || req.ClientSecret != s.clientSecret {
		return errorReply(http.StatusUnauthorized, path, "invalid client_id or client_secret", "Invalid client credentials")
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.tokens[tok] = s.now()
	s.issued = append(s.issued, tok)
	return envelopeReply(http.StatusOK, path, "Success", "Success",
		map[string]any{"access_token": tok, "refresh_token": nil})
}

// organizationsLocked answers GET /v1/organizers/current/organizations without an envelope; s.mu must be held.
func (s *Server) organizationsLocked() reply {
	return jsonReply(http.StatusOK, struct {
		Organizations []Organization  `json:"organizations"`
		ActiveTeam    ActiveTeam      `json:"active_team"`
		Links         map[string]link `json:"_links"`
	}{s.orgs, s.active, map[string]link{"self": {Href: docHost + "/v1/organizers/current/organizations"}}})
}

// retryAfter renders d as whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	sec := int64(math.Ceil(d.Seconds()))
	return strconv.FormatInt(max(sec, 1), 10)
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	return reply{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: b}
}

func envelopeReply(status int, path, dev, user string, data any) reply {
	return jsonReply(status, envelope{
		ResponseStatus: status, DeveloperMessage: dev, UserMessage: user, Data: data,
		Links: map[string]link{"self": {Href: docHost + path}},
	})
}

func errorReply(status int, path, dev, user string) reply {
	return envelopeReply(status, path, dev, user, nil)
}

// writeReply sends rep, or closes the connection without an answer when rep.hangUp is set.
func writeReply(w http.ResponseWriter, rep reply) {
	if rep.hangUp {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	if rep.body != nil {
		_, _ = w.Write(rep.body)
	}
}
