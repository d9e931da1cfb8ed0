// Package doofake is an in-memory emulator of the doo REST API (tokens, organizations and webhook
// configurations) for tests, demos and benchmarks. A *Server is an http.Handler: mount it with
// httptest.NewServer, or run cmd/doofake to serve it from a separate process.
//
// # The default dialect
//
// With zero Options and no knob set, the emulator answers only what doo's API page shows or what
// Laminas API Tools, the framework behind doo's listing, does in the same case; testdata/doo-answers
// holds the answers it must reproduce (DESIGN.md, "The emulator's dialect"). Sources:
//
//   - API page: x-api-key on every request and the gateway's 403 {"message":"Forbidden"} without it (and
//     its 429 {"message"} with Retry-After when throttled: inferred from doo's AWS gateway); the token
//     answer and the create answer in doo's envelope (data = the new id, status 200); DELETE 204 whether
//     or not anything was deleted; no get-by-id, no update; the _<32 hex> suffix of GraphQL hook types;
//     client_secret in plain text in list items; 25 items a page.
//   - api-tools-hal (src/Plugin/Hal.php renderCollection, src/Link/PaginationInjector.php): the listing
//     as application/hal+json with _links self, first, last, and prev/next where they exist, page_count,
//     page_size, total_items, page; an empty team has page_count 0, page 0 and only a self link, whatever
//     ?page= says; a page above page_count of a non-empty team is 409 "Invalid page provided".
//   - api-tools-rest (src/RestController.php prepareHalCollection and getList, src/Listener/OptionsListener.php):
//     ?page= below 1 or not numeric is 400 'Page must be a positive integer; received "0"' or
//     'Page must be an integer; received "string"' (Collection::setPage refuses it before the
//     PaginationInjector runs); the page size is fixed; a method a route does not serve is 405 with an
//     Allow header and no body; OPTIONS answers 200 with Allow.
//   - api-tools-api-problem (src/ApiProblem.php): every framework error is an ApiProblem,
//     application/problem+json, {"type":"http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
//     "title":<the status's title>,"status":N,"detail":...}; an unknown path is 404 "Page not found."
//     (laminas-mvc's RouteNotFoundStrategy message).
//   - api-tools-content-negotiation (src/ContentTypeListener.php): a create body that is not JSON is 400
//     "JSON decoding error: Syntax error, malformed JSON"; an empty body is an empty object.
//   - api-tools-content-validation (src/ContentValidationListener.php) with laminas-validator's message
//     templates: an invalid create is 422 "Failed Validation" whose validation_messages lists every
//     failing field (field → rule → message, nested by name and by index for hooks). doo's rules are
//     not published: the emulator applies the API page's field table.
//   - api-tools-mvc-auth with api-tools' MvcAuth listeners: a missing, unknown or expired bearer token is
//     401 "Unauthorized", a team outside the caller's organizations 403 "Forbidden" (as the answer files
//     show).
//   - api-tools-oauth2 with oauth2-server-php: token errors are 400 problems titled with the OAuth2 error
//     (invalid_client "The client credentials are invalid", invalid_request, unsupported_grant_type);
//     another method than POST is 405 invalid_request.
//
// # Settings and actions
//
// Every knob the emulator keeps is a field of Settings, given to New in Options and changed at run time
// with Update (from Go) or POST /_fake/config (over HTTP, the same fields under their JSON names; see
// Config); both go through one path that applies the same rules. Settings' comments say what each
// field does. The one-shot actions below are methods, which POST /_fake/config calls too (see Actions).
//
// # Variants the documentation allows (off by default)
//
//   - Settings.CreateStatus 201: the gateway once answered 201 to a create.
//   - Settings.OmitEventIDsInList: whether the list echoes event_id and event_guide_id is not documented.
//   - Settings.OAuth2BearerChallenges: bearer failures as the OAuth2 adapter of api-tools-mvc-auth leaves
//     them when no listener turns them into problems (no token: guest, 403 problem; bad token: 401,
//     empty body; both with WWW-Authenticate).
//   - Settings.PageSizeParam: api-tools-rest's page_size_param, which a service may enable (above its
//     maximum: 416 "Page size is out of range, maximum page size is N", or with Clamp the maximum).
//   - Settings.RequestsPerSecond, DailyQuota, TokenTTL, Latency, PageSize: the documented limits
//     (1 request a second, 1000 a day) and undocumented lifetimes, off unless a test wants them.
//
// # Faults (off by default)
//
// Behaviours neither the API page nor the framework shows, for tests of a client that must survive them.
// Fault switches of Settings:
//
//   - EnvelopeErrors: errors in doo's own envelope (response_status, developer_message = the detail
//     and every validation message, user_message = the title, data null) instead of ApiProblem
//     documents; the gateway's {"message"} answers stay.
//   - LegacyEmptyList: the empty-team shape the emulator used to invent (page_count 1, page 1, first
//     and last links).
//   - ExtraListFields: list items carry status, created_at and hooks[].active.
//   - EchoRequestInErrors: every 4xx or 5xx problem or envelope answered to a create carries the raw
//     request body in its detail (developer_message), JSON-escaped by encoding/json (\u0026, \u003c).
//   - CreateAnswersObject: a create answers the stored object, secrets included, in data.
//   - IgnoreDeletes: DELETE answers 204 without deleting.
//   - UnstableOrder: every request for page 1 moves the team's first configuration to the end of its
//     order, as a server whose list order is not the same from one listing to the next.
//   - OmitDescriptionInList: list items leave out description entirely.
//   - IgnorePageParam n: every list request answers page 1's items with page_count n.
//   - NumericIDs: new configurations get decimal ids above 2^53, sent as JSON numbers.
//
// One-shot faults, methods of Server:
//
//   - SetFault(route, fraction, status), SetFaultRule(route, Fault{...}): a random fraction of a route's
//     calls fail (drawn from a PRNG seeded by SetSeed), answered before any handler runs (a create fault
//     stores nothing) as a problem in the current dialect; a 429 is the gateway's {"message"} with
//     Retry-After. Count limits the failures, Skip lets calls through first, Body answers a raw JSON body
//     (Status 200 with Body "{}" is a 2xx listing without _embedded), Location sets the Location header.
//   - LoseNextCreateResponse: the next valid create is stored, then the connection is closed unanswered.
//   - LoseNextCreateWithStatus(504): the next valid create is stored, then answered with that status.
//   - LateCommitNextCreate(delay): the next valid create stores nothing and is answered 504; its
//     configuration appears delay later on the server's clock (stored lazily by the first request or
//     reader after that); LateCommits reports them.
//   - ReplaceBetweenPages(team, id), ReplaceBetweenPagesMatching(team, match), ReplaceBetweenPagesNamed(
//     team, prefix): right after page 1 of the team's next multi-page listing is answered, a configuration
//     is removed and a copy appended under a new id, as if another pipeline replaced it while the client
//     was paging; Replacements reports them.
//   - DeleteBetweenPages(team, id): right after page 1 of the team's next multi-page listing is answered,
//     the configuration is removed (another writer's delete), so a team of 26 answers page 2 with the 409
//     problem; DeletionsBetweenPages reports them.
//   - ExpireTokens: every access token issued so far is revoked (the next request gets 401).
//
// Disarm removes the armed one-shot faults (faults, lost and late creates not yet answered, replacements
// and deletions between pages); the switches stay as they are.
//
// Out-of-band operations, which send no request and are never recorded: Seed, EditWebhook,
// RemoveWebhook, and Webhooks to read what is stored. Requests lists what the emulator answered,
// admin requests under /_fake/ excluded, including each request's Host and whether credentials headers
// were present (never their values); Stats counts them (Count, Counts and Writes are parts of Stats,
// and GET /_fake/stats answers it). To prove credentials did not follow a redirect to another host, start a second emulator on its own
// httptest server as the "other host", point a Location fault at it, and read its Requests.
package doofake

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Route names identify the kinds of request the emulator counts and records.
const (
	// RouteToken is POST /v1/oauth.
	RouteToken = "token"
	// RouteOrganizations is GET /v1/organizers/current/organizations.
	RouteOrganizations = "organizations"
	// RouteList is GET /v1/team/{team_id}/webhooks?page=N.
	RouteList = "list"
	// RouteCreate is POST /v1/team/{team_id}/webhooks.
	RouteCreate = "create"
	// RouteDelete is DELETE /v1/webhooks/{id}.
	RouteDelete = "delete"
	// RouteOther is any request that matches none of the routes above (answered 404 or 405).
	RouteOther = "other"
)

// StatusClientClosed is the status recorded for a request whose client went away during the added latency.
const StatusClientClosed = 499

// StatusNoResponse is the status recorded for a create whose connection was closed without an answer.
const StatusNoResponse = 0

// Defaults applied by New to zero Options fields.
const (
	// DefaultAPIKey is the API key accepted when Options.APIKey is empty.
	DefaultAPIKey = "fake-api-key"
	// DefaultClientID is the client id accepted when Options.ClientID is empty.
	DefaultClientID = "fake-client-id"
	// DefaultClientSecret is the client secret accepted when Options.ClientSecret is empty.
	DefaultClientSecret = "fake-client-secret"
	// DefaultPageSize is the list page size when Settings.PageSize is not positive.
	DefaultPageSize = 25
)

// Options configures a Server; the zero value is a faithful default emulator.
type Options struct {
	// Settings are the initial settings (see Settings); Update changes them later.
	Settings
	// APIKey is the only accepted x-api-key value (default DefaultAPIKey).
	APIKey string
	// ClientID is the accepted OAuth client id (default DefaultClientID).
	ClientID string
	// ClientSecret is the accepted OAuth client secret (default DefaultClientSecret).
	ClientSecret string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Organizations are the caller's organizations and teams (default: the two of doo's seed page).
	Organizations []Organization
	// ActiveTeam is the active team of the organizations answer (default: derived from the first team).
	ActiveTeam *ActiveTeam
}

// Organization is one organization of the caller, as GET /v1/organizers/current/organizations shows it.
type Organization struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	CanEdit bool   `json:"canEdit"`
	Teams   []Team `json:"teams"`
}

// Team is a team of an organization; webhook configurations belong to a team.
type Team struct {
	ID   int64   `json:"id"`
	Name *string `json:"name"`
	Role string  `json:"role"`
}

// ActiveTeam is the active_team object of the organizations answer.
type ActiveTeam struct {
	Permissions     []string `json:"permissions"`
	ID              int64    `json:"id"`
	Name            *string  `json:"name"`
	OrganizationID  int64    `json:"organization_id"`
	UserID          int64    `json:"user_id"`
	Role            string   `json:"role"`
	IsAllEventsTeam bool     `json:"is_all_events_team"`
	ShowInfoBox     *bool    `json:"show_info_box"`
	UserCount       *int64   `json:"user_count"`
	LiveEventsCount *int64   `json:"live_events_count"`
}

// Webhook is a webhook configuration as doo stores it; ID is set by the emulator.
type Webhook struct {
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name"`
	Description    string          `json:"description,omitempty"`
	EventID        string          `json:"event_id,omitempty"`
	EventGuideID   string          `json:"event_guide_id,omitempty"`
	Hooks          []Hook          `json:"hooks"`
	Authentication *Authentication `json:"authentication,omitempty"`
}

// Hook is one webhook type of a configuration and where doo delivers it.
type Hook struct {
	Type     string  `json:"type"`
	Method   string  `json:"method"`
	Endpoint string  `json:"endpoint"`
	Origin   *Origin `json:"origin,omitempty"`
}

// Origin is the GraphQL request whose answer becomes the payload of a hook.
type Origin struct {
	Method   string `json:"method"`
	Endpoint string `json:"endpoint"`
	Body     string `json:"body"`
}

// Authentication is how doo obtains a token from the receiver before delivering.
type Authentication struct {
	GrantType         string      `json:"grant_type,omitempty"`
	Endpoint          string      `json:"endpoint"`
	Credentials       Credentials `json:"credentials"`
	HeaderFormat      string      `json:"header_format,omitempty"`
	HeaderValueFormat string      `json:"header_value_format,omitempty"`
}

// Credentials are the receiver's OAuth client credentials that doo uses.
type Credentials struct {
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret"`
}

// Request is one request the emulator answered (admin requests excluded); header values are never kept.
type Request struct {
	Method string
	Path   string
	Route  string
	Status int
	TeamID int64
	At     time.Time
	Body   string
	// Host is the request's Host header (host and port the client addressed).
	Host string
	// HasAPIKey reports whether an x-api-key header was present, whatever its value.
	HasAPIKey bool
	// HasAuthorization reports whether an Authorization header was present, whatever its value.
	HasAuthorization bool
}

// Replacement is one configuration that ReplaceBetweenPages replaced while a client was paging.
type Replacement struct {
	TeamID int64
	OldID  string
	NewID  string
}

// FirstNumericID is the id of the first configuration created with Settings.NumericIDs: 2^53 + 1,
// the smallest integer a float64 cannot hold.
const FirstNumericID uint64 = 1<<53 + 1

// Fault describes injected failures of a route; SetFault is the short form of SetFaultRule.
type Fault struct {
	// Status is the answered status, e.g. 503.
	Status int
	// Fraction of the calls that fail, drawn from the seeded PRNG; 0 with Count > 0 fails every call.
	Fraction float64
	// Count limits the number of injected failures (0 = unlimited); the fault is removed when spent.
	Count int
	// RetryAfter sets the Retry-After header (rounded up to seconds); a 429 without it says 1.
	RetryAfter time.Duration
	// UserMessage replaces the problem's title (user_message with Settings.EnvelopeErrors); on a 429 it is the
	// gateway's {"message"}.
	UserMessage string
	// DeveloperMessage replaces the problem's detail (developer_message with Settings.EnvelopeErrors); on a 429
	// it makes the answer a problem instead of the gateway's {"message"}.
	DeveloperMessage string
	// Body, when set, is answered as is with Content-Type application/json instead of a problem.
	Body string
	// Location, when set, is sent as the Location header (for 3xx faults such as a 307 to another host).
	Location string
	// Skip lets that many calls of the route through before the fault starts (e.g. the listing a client
	// makes before its first create, so that only the listings after the create fail).
	Skip int
}

// pendingReplace is an armed ReplaceBetweenPages: id, or the first configuration match accepts.
type pendingReplace struct {
	id    string
	match func(Webhook) bool
}

// Deletion is one configuration that DeleteBetweenPages removed while a client was paging.
type Deletion struct {
	TeamID int64
	ID     string
}

// LateCommit is one configuration a late-committed create stored after its 504 answer.
type LateCommit struct {
	TeamID int64
	ID     string
	Name   string
	// AnsweredAt is when the create was answered 504; CommittedAt when the configuration appeared.
	AnsweredAt  time.Time
	CommittedAt time.Time
}

// PageSizeParam is Settings.PageSizeParam: the query parameter a client may choose the page size with.
type PageSizeParam struct {
	// Name is the query parameter, e.g. "page_size" ("" = off, the default: the page size is fixed).
	Name string `json:"name"`
	// Max is the largest page size a client may ask for (0 = no maximum).
	Max int `json:"max,omitempty"`
	// Clamp answers a larger request with Max items a page instead of api-tools-rest's 416 problem.
	Clamp bool `json:"clamp,omitempty"`
}

// lateCommit is a create answered 504 whose configuration is stored once due.
type lateCommit struct {
	team     int64
	w        Webhook
	answered time.Time
	due      time.Time
}

// storedWebhook is one configuration held by the emulator.
type storedWebhook struct {
	team    int64
	created time.Time
	w       Webhook
	numeric bool // the id is decimal text sent as a JSON number
}

// bucket is the token bucket of one API key.
type bucket struct {
	tokens float64
	last   time.Time
}

// usage is the request count of one API key on one UTC day.
type usage struct {
	day  string
	used int
}

// Server is the emulator; it implements http.Handler and every method is safe for concurrent use.
type Server struct {
	mu sync.Mutex

	// set is changed only by applyLocked.
	set Settings

	apiKey, clientID, clientSecret string
	nextNumeric                    uint64
	now                            func() time.Time
	orgs                           []Organization
	active                         ActiveTeam

	salt    []byte
	faultRG *mrand.Rand
	idRG    *mrand.Rand
	usedIDs map[string]bool

	webhooks []*storedWebhook
	byID     map[string]*storedWebhook

	tokens map[string]time.Time
	issued []string

	requests []Request
	faults   map[string]*Fault
	losses   []int

	pendingReplaces map[int64][]pendingReplace
	replacements    []Replacement
	pendingDeletes  map[int64][]string
	deletions       []Deletion

	lateArms    []time.Duration
	lateQueue   []lateCommit
	lateCommits []LateCommit

	buckets map[string]*bucket
	usage   map[string]usage
}

// New returns an emulator configured by opts, with defaults for zero fields.
func New(opts Options) *Server {
	s := &Server{
		apiKey:       orDefault(opts.APIKey, DefaultAPIKey),
		clientID:     orDefault(opts.ClientID, DefaultClientID),
		clientSecret: orDefault(opts.ClientSecret, DefaultClientSecret),
		now:          opts.Now,
		salt:         randomBytes(16),
		faultRG:      newRand(1),
		idRG:         newRand(1),
		usedIDs:      map[string]bool{},
		byID:         map[string]*storedWebhook{},
		tokens:       map[string]time.Time{},
		faults:       map[string]*Fault{},
		nextNumeric:  FirstNumericID,
		buckets:      map[string]*bucket{},
		usage:        map[string]usage{},
	}
	s.applyLocked(opts.Settings)
	if s.now == nil {
		s.now = time.Now
	}
	s.orgs = copyOrganizations(opts.Organizations)
	if len(s.orgs) == 0 {
		s.orgs = defaultOrganizations()
	}
	if opts.ActiveTeam != nil {
		s.active = copyActiveTeam(*opts.ActiveTeam)
	} else {
		s.active = defaultActiveTeam(s.orgs)
	}
	return s
}

// Options returns the current configuration (the current Settings included), with the defaults New filled in.
func (s *Server) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := copyActiveTeam(s.active)
	return Options{
		Settings: s.set,
		APIKey:   s.apiKey, ClientID: s.clientID, ClientSecret: s.clientSecret, Now: s.now,
		Organizations: copyOrganizations(s.orgs), ActiveTeam: &at,
	}
}

// SetSeed reseeds the PRNG that decides which calls an injected fault hits (default seed 1).
func (s *Server) SetSeed(seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultRG = newRand(seed)
}

// SetFault fails the given fraction of calls to route ("" = every route) with status and a problem (see Fault).
func (s *Server) SetFault(route string, fraction float64, status int) {
	s.SetFaultRule(route, Fault{Status: status, Fraction: fraction})
}

// SetFaultRule installs f for route ("" = every route), replacing any fault of that route.
func (s *Server) SetFaultRule(route string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Status == 0 || (f.Fraction <= 0 && f.Count <= 0) {
		delete(s.faults, route)
		return
	}
	s.faults[route] = &f
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
}

// FaultRule returns the fault installed for route ("" = every route), if any; a spent counted fault is gone.
func (s *Server) FaultRule(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[route]
	if !ok {
		return Fault{}, false
	}
	return *f, true
}

// PendingLostCreates returns how many armed lost create answers have not been used yet.
func (s *Server) PendingLostCreates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.losses)
}

// Disarm removes every injected fault, armed lost or late-committed create answer, armed
// ReplaceBetweenPages and DeleteBetweenPages, so the next requests are answered faithfully (other knobs
// such as throttling, numeric ids or envelope errors stay as they are; a late commit already answered
// still lands when due).
func (s *Server) Disarm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*Fault{}
	s.losses = nil
	s.lateArms = nil
	s.pendingReplaces = nil
	s.pendingDeletes = nil
}

// LoseNextCreateResponse makes the next valid create store its configuration and then close the connection unanswered.
func (s *Server) LoseNextCreateResponse() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losses = append(s.losses, StatusNoResponse)
}

// LoseNextCreateWithStatus makes the next valid create store its configuration and then answer status with a problem.
func (s *Server) LoseNextCreateWithStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losses = append(s.losses, status)
}

// ReplaceBetweenPages arms a one-shot replacement: right after page 1 of the team's next listing that has
// more than one page is answered, configuration id is removed and a copy of it is appended at the end of
// the team under a new id (total unchanged, every later item shifted one place). If id is gone by then,
// the listing consumes the arm and changes nothing.
func (s *Server) ReplaceBetweenPages(teamID int64, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armReplaceLocked(teamID, pendingReplace{id: id})
}

// ReplaceBetweenPagesMatching is ReplaceBetweenPages for the team's first configuration (in creation
// order) that match accepts, chosen when the listing happens; with none, the listing consumes the arm and
// changes nothing. match gets a copy and is called with the emulator locked: it must not call the Server.
func (s *Server) ReplaceBetweenPagesMatching(teamID int64, match func(Webhook) bool) {
	if match == nil {
		match = func(Webhook) bool { return true }
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armReplaceLocked(teamID, pendingReplace{match: match})
}

// ReplaceBetweenPagesNamed is ReplaceBetweenPagesMatching for the first configuration whose name starts
// with prefix ("" = the team's first configuration).
func (s *Server) ReplaceBetweenPagesNamed(teamID int64, prefix string) {
	s.ReplaceBetweenPagesMatching(teamID, func(w Webhook) bool { return strings.HasPrefix(w.Name, prefix) })
}

// DeleteBetweenPages arms a one-shot delete by another writer: right after page 1 of the team's next
// listing that has more than one page is answered, configuration id is removed. A team of 26 with page
// size 25 then has one page, and the client's request for page 2 gets api-tools-hal's 409 problem
// "Invalid page provided". If id is gone by then, the listing consumes the arm and changes nothing.
func (s *Server) DeleteBetweenPages(teamID int64, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pendingDeletes == nil {
		s.pendingDeletes = map[int64][]string{}
	}
	s.pendingDeletes[teamID] = append(s.pendingDeletes[teamID], id)
}

// DeletionsBetweenPages returns the configurations DeleteBetweenPages removed so far, in order.
func (s *Server) DeletionsBetweenPages() []Deletion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Deletion(nil), s.deletions...)
}

// PendingDeletions returns how many armed DeleteBetweenPages of the team have not fired yet.
func (s *Server) PendingDeletions(teamID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pendingDeletes[teamID])
}

// LateCommitNextCreate makes the next valid create store nothing and answer 504; its configuration is
// stored delay later on the server's clock (another writer's commit that outlived the gateway's
// timeout). The store happens lazily: at the first request, or call of Webhooks, Seed, EditWebhook,
// RemoveWebhook or SaveState, made once the delay has passed, so tests with a fake clock control it.
func (s *Server) LateCommitNextCreate(delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lateArms = append(s.lateArms, max(delay, 0))
}

// PendingLateCommits returns how many late commits are armed or answered but not stored yet.
func (s *Server) PendingLateCommits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	return len(s.lateArms) + len(s.lateQueue)
}

// LateCommits returns the configurations late commits have stored so far, in order.
func (s *Server) LateCommits() []LateCommit {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	return append([]LateCommit(nil), s.lateCommits...)
}

// commitDueLocked stores every late commit whose time has come; s.mu must be held.
func (s *Server) commitDueLocked() {
	if len(s.lateQueue) == 0 {
		return
	}
	now := s.now()
	rest := s.lateQueue[:0]
	for _, lc := range s.lateQueue {
		if now.Before(lc.due) {
			rest = append(rest, lc)
			continue
		}
		id := s.storeLocked(lc.team, lc.w)
		s.lateCommits = append(s.lateCommits, LateCommit{TeamID: lc.team, ID: id, Name: lc.w.Name,
			AnsweredAt: lc.answered, CommittedAt: now})
	}
	s.lateQueue = rest
}

// Replacements returns the replacements ReplaceBetweenPages made so far, in order.
func (s *Server) Replacements() []Replacement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Replacement(nil), s.replacements...)
}

// PendingReplacements returns how many armed replacements of the team have not fired yet.
func (s *Server) PendingReplacements(teamID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pendingReplaces[teamID])
}

func (s *Server) armReplaceLocked(team int64, p pendingReplace) {
	if s.pendingReplaces == nil {
		s.pendingReplaces = map[int64][]pendingReplace{}
	}
	s.pendingReplaces[team] = append(s.pendingReplaces[team], p)
}

// ExpireTokens invalidates every token issued so far.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// IssuedTokens returns every access token issued so far, in order, expired ones included.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Seed stores w for teamID without a request and returns its id (w.ID is kept when set and unused).
func (s *Server) Seed(teamID int64, w Webhook) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	return s.storeLocked(teamID, w)
}

// EditWebhook changes a stored configuration out of band; it reports whether the id exists.
func (s *Server) EditWebhook(id string, edit func(*Webhook)) bool {
	s.mu.Lock()
	s.commitDueLocked()
	sw, ok := s.byID[id]
	var cp Webhook
	if ok {
		cp = copyWebhook(sw.w)
	}
	s.mu.Unlock()
	if !ok {
		return false
	}
	edit(&cp)
	cp.ID = id
	s.mu.Lock()
	defer s.mu.Unlock()
	sw, ok = s.byID[id]
	if ok {
		sw.w = cp
	}
	return ok
}

// RemoveWebhook deletes a stored configuration out of band; it reports whether the id existed.
func (s *Server) RemoveWebhook(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	return s.removeLocked(id)
}

// Webhooks returns deep copies of the team's stored configurations in creation order, hook types unsuffixed.
func (s *Server) Webhooks(teamID int64) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitDueLocked()
	out := []Webhook{}
	for _, sw := range s.webhooks {
		if sw.team == teamID {
			out = append(out, copyWebhook(sw.w))
		}
	}
	return out
}

// storeLocked stores w for team under a fresh id; s.mu must be held.
func (s *Server) storeLocked(team int64, w Webhook) string {
	w = copyWebhook(w)
	numeric := false
	if w.ID == "" || s.usedIDs[w.ID] {
		w.ID, numeric = s.newIDLocked()
	}
	s.usedIDs[w.ID] = true
	sw := &storedWebhook{team: team, created: s.now().UTC(), w: w, numeric: numeric}
	s.webhooks = append(s.webhooks, sw)
	s.byID[w.ID] = sw
	return w.ID
}

// removeLocked deletes the configuration id; s.mu must be held.
func (s *Server) removeLocked(id string) bool {
	if _, ok := s.byID[id]; !ok {
		return false
	}
	delete(s.byID, id)
	for i, sw := range s.webhooks {
		if sw.w.ID == id {
			s.webhooks = append(s.webhooks[:i], s.webhooks[i+1:]...)
			break
		}
	}
	return true
}

// newIDLocked returns an id never issued before, UUID-like or, with numeric ids on, decimal (then
// numeric is true); s.mu must be held.
func (s *Server) newIDLocked() (id string, numeric bool) {
	for s.set.NumericIDs {
		id := strconv.FormatUint(s.nextNumeric, 10)
		s.nextNumeric++
		if !s.usedIDs[id] {
			return id, true
		}
	}
	for {
		var b [16]byte
		for i := 0; i < len(b); i += 8 {
			v := s.idRG.Uint64()
			for j := 0; j < 8; j++ {
				b[i+j] = byte(v >> (8 * j))
			}
		}
		h := hex.EncodeToString(b[:])
		id := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		if !s.usedIDs[id] {
			return id, false
		}
	}
}

// hasTeamLocked reports whether team belongs to one of the caller's organizations; s.mu must be held.
func (s *Server) hasTeamLocked(team int64) bool {
	for _, o := range s.orgs {
		for _, t := range o.Teams {
			if t.ID == team {
				return true
			}
		}
	}
	return false
}

func newRand(seed int64) *mrand.Rand {
	return mrand.New(mrand.NewPCG(uint64(seed), 0x646f6f66616b65))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func defaultOrganizations() []Organization {
	return []Organization{
		{ID: 1, Name: "Organization 1", CanEdit: true, Teams: []Team{{ID: 1, Role: "team_admin"}}},
		{ID: 2, Name: "Organization 2", CanEdit: true, Teams: []Team{{ID: 2, Role: "team_admin"}}},
	}
}

func defaultActiveTeam(orgs []Organization) ActiveTeam {
	at := ActiveTeam{
		Permissions: []string{"Booking:View", "Booking:ViewDeleted", "Event:ViewSettings"},
		UserID:      123, Role: "team_admin", IsAllEventsTeam: true,
	}
	for _, o := range orgs {
		if len(o.Teams) > 0 {
			t := o.Teams[0]
			at.ID, at.OrganizationID, at.Role = t.ID, o.ID, orDefault(t.Role, at.Role)
			if t.Name != nil {
				n := *t.Name
				at.Name = &n
			}
			break
		}
	}
	return at
}

func copyOrganizations(in []Organization) []Organization {
	if in == nil {
		return nil
	}
	out := make([]Organization, len(in))
	for i, o := range in {
		out[i] = o
		out[i].Teams = make([]Team, len(o.Teams))
		for j, t := range o.Teams {
			out[i].Teams[j] = t
			if t.Name != nil {
				n := *t.Name
				out[i].Teams[j].Name = &n
			}
		}
	}
	return out
}

func copyActiveTeam(a ActiveTeam) ActiveTeam {
	a.Permissions = append([]string{}, a.Permissions...)
	if a.Name != nil {
		n := *a.Name
		a.Name = &n
	}
	if a.ShowInfoBox != nil {
		v := *a.ShowInfoBox
		a.ShowInfoBox = &v
	}
	if a.UserCount != nil {
		v := *a.UserCount
		a.UserCount = &v
	}
	if a.LiveEventsCount != nil {
		v := *a.LiveEventsCount
		a.LiveEventsCount = &v
	}
	return a
}

func copyWebhook(w Webhook) Webhook {
	if w.Hooks != nil {
		hooks := make([]Hook, len(w.Hooks))
		for i, h := range w.Hooks {
			hooks[i] = h
			if h.Origin != nil {
				o := *h.Origin
				hooks[i].Origin = &o
			}
		}
		w.Hooks = hooks
	}
	if w.Authentication != nil {
		a := *w.Authentication
		w.Authentication = &a
	}
	return w
}
