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
	"net/url"
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
	allow     string // set when the path exists but not for this method (or for OPTIONS)
	options   bool   // an OPTIONS request on a known path
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

// ServeHTTP answers one request as doo would and records it, or an admin request under /_fake/, which
// is never recorded.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	rt := resolve(r.Method, r.URL.Path)
	s.mu.Lock()
	at, latency := s.now(), time.Duration(s.set.Latency)
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
		rep = s.problemReply(newProblem(http.StatusBadRequest, "the request body could not be read"), r.URL.Path)
	case len(body) > maxBody:
		rep = s.problemReply(newProblem(http.StatusRequestEntityTooLarge, "the request body exceeds 1 MiB"), r.URL.Path)
	default:
		rep = s.handle(r, rt, body)
	}
	rec.Status = rep.status
	s.record(rec)
	writeReply(w, rep)
}

// problemReply renders p outside handle.
func (s *Server) problemReply(p *problem, path string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renderProblemLocked(p, path, nil)
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

// resolve maps a method and path to a route. A known path answers OPTIONS with its Allow header, as
// api-tools-rest's OptionsListener does; other methods it does not serve get 405.
func resolve(method, path string) route {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	known := func(name, allow string, methods ...string) route {
		if method == http.MethodOptions {
			return route{name: RouteOther, allow: allow, options: true}
		}
		for _, m := range methods {
			if m == method {
				return route{name: name}
			}
		}
		return route{name: RouteOther, allow: allow}
	}
	switch {
	case len(seg) == 2 && seg[0] == "v1" && seg[1] == "oauth":
		if method == http.MethodPost {
			return route{name: RouteToken}
		}
		// oauth2-server-php answers every other method itself (see tokenMethodProblem).
		return route{name: RouteOther, allow: "POST, OPTIONS", options: method == http.MethodOptions}
	case len(seg) == 4 && seg[0] == "v1" && seg[1] == "organizers" && seg[2] == "current" && seg[3] == "organizations":
		return known(RouteOrganizations, "GET", http.MethodGet)
	case len(seg) == 4 && seg[0] == "v1" && seg[1] == "team" && seg[3] == "webhooks":
		team, err := strconv.ParseInt(seg[2], 10, 64)
		rt := known(RouteCreate, "GET,POST", http.MethodGet, http.MethodPost)
		if rt.name == RouteCreate && method == http.MethodGet {
			rt.name = RouteList
		}
		rt.team, rt.teamValid = team, err == nil && team > 0
		if !rt.teamValid {
			// doo's route takes digits only: any other segment matches no route.
			return route{name: RouteOther, notFound: true}
		}
		return rt
	case len(seg) == 3 && seg[0] == "v1" && seg[1] == "webhooks" && seg[2] != "":
		rt := known(RouteDelete, "DELETE", http.MethodDelete)
		rt.id = seg[2]
		return rt
	}
	return route{name: RouteOther, notFound: true}
}

// handle applies the gateway checks (key, quota, throttle, faults), then routing, auth and the handlers.
func (s *Server) handle(r *http.Request, rt route, body []byte) reply {
	path := r.URL.Path
	key := r.Header.Get("x-api-key")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	fail := func(p *problem) reply {
		var echo []byte
		if rt.name == RouteCreate && s.set.EchoRequestInErrors {
			echo = body
		}
		return s.renderProblemLocked(p, path, echo)
	}
	if key == "" || key != s.apiKey {
		return jsonReply(http.StatusForbidden, map[string]string{"message": "Forbidden"})
	}
	if rep, limited := s.limitLocked(key); limited {
		return rep
	}
	if rep, p, failed := s.faultLocked(rt.name); failed {
		if p != nil {
			return fail(p)
		}
		return rep
	}
	switch {
	case rt.notFound:
		// laminas-mvc's RouteNotFoundStrategy message, rendered by api-tools-api-problem.
		return fail(newProblem(http.StatusNotFound, "Page not found."))
	case rt.options:
		return reply{status: http.StatusOK, header: http.Header{"Allow": {rt.allow}}}
	case rt.allow != "" && strings.HasPrefix(path, "/v1/oauth"):
		p := newProblem(http.StatusMethodNotAllowed, "The request method must be POST when requesting an access token")
		p.typ, p.title = oauthErrorType, "invalid_request"
		p.header.Set("Allow", rt.allow)
		return fail(p)
	case rt.allow != "":
		// api-tools-rest's OptionsListener: 405 with an Allow header and no body.
		p := newProblem(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s (allowed: %s)", r.Method, path, rt.allow))
		p.empty = true
		p.header.Set("Allow", rt.allow)
		return fail(p)
	}
	if rt.name != RouteToken && rt.name != RouteDelete {
		if p := s.authorizeLocked(r.Header.Get("Authorization")); p != nil {
			return fail(p)
		}
	}
	if (rt.name == RouteList || rt.name == RouteCreate) && !s.hasTeamLocked(rt.team) {
		// api-tools-mvc-auth's authorization failure, rendered by api-tools' UnauthorizedListener.
		return fail(newProblem(http.StatusForbidden, "Forbidden"))
	}
	var rep reply
	var p *problem
	switch rt.name {
	case RouteToken:
		rep, p = s.tokenLocked(path, r.Header.Get("Content-Type"), body)
	case RouteOrganizations:
		rep = s.organizationsLocked()
	case RouteList:
		rep, p = s.listLocked(r, rt.team)
	case RouteCreate:
		rep, p = s.createLocked(path, rt.team, body)
	default:
		if !s.set.IgnoreDeletes {
			s.removeLocked(rt.id)
		}
		rep = reply{status: http.StatusNoContent, header: http.Header{}}
	}
	if p != nil {
		return fail(p)
	}
	return rep
}

// limitLocked enforces the daily quota and the throttle of key; s.mu must be held.
func (s *Server) limitLocked(key string) (reply, bool) {
	now := s.now()
	day := now.UTC().Format(time.DateOnly)
	u := s.usage[key]
	if u.day != day {
		u = usage{day: day}
	}
	if s.set.DailyQuota > 0 && u.used >= s.set.DailyQuota {
		utc := now.UTC()
		midnight := time.Date(utc.Year(), utc.Month(), utc.Day()+1, 0, 0, 0, 0, time.UTC)
		rep := jsonReply(http.StatusTooManyRequests, map[string]string{"message": "Limit Exceeded"})
		rep.header.Set("Retry-After", retryAfter(midnight.Sub(utc)))
		rep.header.Set("X-Doofake-Reason", fmt.Sprintf("daily quota of %d requests exceeded", s.set.DailyQuota))
		return rep, true
	}
	if s.set.RequestsPerSecond > 0 {
		capacity := math.Max(1, s.set.RequestsPerSecond)
		b := s.buckets[key]
		if b == nil {
			b = &bucket{tokens: capacity, last: now}
			s.buckets[key] = b
		}
		if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
			b.tokens = math.Min(capacity, b.tokens+elapsed*s.set.RequestsPerSecond)
			b.last = now
		}
		if b.tokens < 1 {
			rep := jsonReply(http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
			rep.header.Set("Retry-After", retryAfter(time.Duration((1-b.tokens)/s.set.RequestsPerSecond*float64(time.Second))))
			return rep, true
		}
		b.tokens--
	}
	u.used++
	s.usage[key] = u
	return reply{}, false
}

// faultLocked decides whether an injected fault hits this call of route; s.mu must be held. A fault
// answers a problem (rendered in the current dialect), or a raw reply: its Body as is, or for a 429 the
// gateway's {"message"} body.
func (s *Server) faultLocked(name string) (reply, *problem, bool) {
	key := name
	f := s.faults[key]
	if f == nil {
		key = ""
		f = s.faults[key]
	}
	if f == nil {
		return reply{}, nil, false
	}
	if f.Skip > 0 {
		f.Skip--
		return reply{}, nil, false
	}
	hit := f.Fraction >= 1 || (f.Fraction <= 0 && f.Count > 0)
	if !hit && f.Fraction > 0 {
		hit = s.faultRG.Float64() < f.Fraction
	}
	if !hit {
		return reply{}, nil, false
	}
	if f.Count > 0 {
		f.Count--
		if f.Count == 0 {
			delete(s.faults, key)
		}
	}
	header := http.Header{}
	if f.Location != "" {
		header.Set("Location", f.Location)
	}
	switch {
	case f.RetryAfter > 0:
		header.Set("Retry-After", retryAfter(f.RetryAfter))
	case f.Status == http.StatusTooManyRequests:
		header.Set("Retry-After", "1")
	}
	var rep reply
	switch {
	case f.Body != "":
		rep = reply{status: f.Status, header: http.Header{"Content-Type": {ContentTypeJSON}}, body: []byte(f.Body)}
	case f.Status == http.StatusTooManyRequests && f.DeveloperMessage == "":
		rep = jsonReply(f.Status, map[string]string{"message": orDefault(f.UserMessage, "Too Many Requests")})
	default:
		p := newProblem(f.Status, orDefault(f.DeveloperMessage, fmt.Sprintf("%s (fault injected by the emulator)", http.StatusText(f.Status))))
		p.title = f.UserMessage
		p.header = header
		return reply{}, p, true
	}
	for k, v := range header {
		rep.header[k] = v
	}
	return rep, nil, true
}

// authorizeLocked checks a Bearer token and returns the problem of a failure; s.mu must be held.
func (s *Server) authorizeLocked(header string) *problem {
	scheme, tok, found := strings.Cut(strings.TrimSpace(header), " ")
	tok = strings.TrimSpace(tok)
	reason := ""
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		reason = "missing"
	} else if issued, ok := s.tokens[tok]; !ok {
		reason = "The access token provided is invalid"
	} else if s.set.TokenTTL > 0 && !s.now().Before(issued.Add(time.Duration(s.set.TokenTTL))) {
		reason = "The access token provided has expired"
	}
	switch {
	case reason == "":
		return nil
	case !s.set.OAuth2BearerChallenges:
		return newProblem(http.StatusUnauthorized, "Unauthorized")
	case reason == "missing":
		p := newProblem(http.StatusForbidden, "Forbidden")
		p.header.Set("WWW-Authenticate", `Bearer realm="Service"`)
		return p
	default:
		p := newProblem(http.StatusUnauthorized, "Unauthorized")
		p.empty = true
		p.header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="Service", error="invalid_token", error_description="%s"`, reason))
		return p
	}
}

// tokenLocked answers POST /v1/oauth; errors are oauth2-server-php's, rendered as problems by
// api-tools-oauth2 (title = the OAuth2 error code); s.mu must be held.
func (s *Server) tokenLocked(path, contentType string, body []byte) (reply, *problem) {
	var get func(string) string
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			form = url.Values{}
		}
		get = form.Get
	} else {
		data, p := decodeCreateBody(body)
		if p != nil {
			return reply{}, p
		}
		get = func(k string) string {
			v, _ := data[k].(string)
			return v
		}
	}
	oauthError := func(code, detail string) *problem {
		p := newProblem(http.StatusBadRequest, detail)
		p.title = code
		return p
	}
	switch grant := get("grant_type"); {
	case grant == "":
		return reply{}, oauthError("invalid_request", "The grant type was not specified in the request")
	case grant != "client_credentials":
		return reply{}, oauthError("unsupported_grant_type", fmt.Sprintf("Grant type \"%s\" not supported", grant))
	case get("client_id") == "":
		return reply{}, oauthError("invalid_client", "Client credentials were not found in the headers or body")
	case get("client_secret") == "":
		return reply{}, oauthError("invalid_client", "client credentials are required")
	case get("client_id") != s.clientID || get("client_secret") != s.clientSecret:
		return reply{}, oauthError("invalid_client", "The client credentials are invalid")
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.tokens[tok] = s.now()
	s.issued = append(s.issued, tok)
	return envelopeReply(http.StatusOK, path, "Success", "Success",
		map[string]any{"access_token": tok, "refresh_token": nil}), nil
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
