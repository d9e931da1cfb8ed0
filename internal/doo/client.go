// Package doo is a typed client for the parts of the doo REST API that manage
// webhook configurations. It knows nothing of Terraform.
//
// Every call goes through one request helper (do) that adds the API key and
// bearer token, waits on the process-wide rate limiter, retries what is safe to
// retry and turns failures into *Error values.
package doo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is doo's current REST host.
const DefaultBaseURL = "https://rest.doo.net"

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// BaseURL is the API host without /v1, default DefaultBaseURL.
	BaseURL string
	// TokenURL is where access tokens come from, default BaseURL + "/v1/oauth".
	TokenURL string
	// APIKey is sent as x-api-key on every request.
	APIKey string
	// ClientID and ClientSecret are the OAuth client credentials; AccessToken replaces them.
	ClientID, ClientSecret string
	// AccessToken is a static bearer token used instead of client credentials.
	AccessToken string
	// RequestsPerSecond caps the request rate of every client of this API key in the process, default 1.
	RequestsPerSecond float64
	// UserAgent is sent on every request, default "terraform-provider-doo/dev".
	UserAgent string
	// HTTPClient sends the requests, default a client with a 60 s timeout.
	HTTPClient *http.Client
	// Clock tells time and waits, default the real clock.
	Clock Clock
	// Logger receives one line per request, default none.
	Logger Logger
	// CacheTTL is how long a team listing serves reads, default 60 s.
	CacheTTL time.Duration
	// DisableCache makes every read list the team afresh (benchmark baseline only).
	DisableCache bool
	// MaxAttempts bounds the tries of one request, default 8.
	MaxAttempts int
	// MaxWait bounds any single wait before a retry, default 60 s; a longer Retry-After fails at once.
	MaxWait time.Duration
	// GateDir is where the machine-wide request gate keeps its slot files, default os.TempDir().
	GateDir string
	// DeleteSettle is how long a delete confirmation waits for the other deletes in flight in its team to finish
	// (so they share the confirming listings), and a lost create's reconciliation for the other creates (so their
	// ids are known), default 10 s.
	DeleteSettle time.Duration
	// CreateSettle is how long after a create answered with a failure (5xx, a lost connection) doo is
	// taken to possibly still store it: a later process concludes that it never did only from listings
	// that started this long after, default 60 s.
	CreateSettle time.Duration
}

// Client manages a doo account's webhook configurations. It is safe for concurrent use.
//
// It is two parts that know nothing of each other's insides: the transport sends one request at a time
// (credentials, tokens, rate limits, retries, classification of failures, scrubbing of secrets), and
// the team store draws conclusions from what the transport brings back (complete listings, proofs of
// absence, what existed before a create, reconciliation of lost creates, confirmed deletes).
type Client struct {
	t     *transport
	store *teamStore
}

// transport sends requests to doo; see do.
type transport struct {
	cfg     Config
	base    *url.URL
	http    *http.Client // cfg.HTTPClient, never following redirects
	limiter *rate.Limiter
	gate    *machineGate
	tokens  *tokenSource
	redact  *redactor
	stats   stats
	// gateReason is the last reason logged for not using the machine-wide gate, so it is logged once.
	gateReason atomic.Value
	// tokenURLDerived is set when the token URL was not configured but derived from the base URL: an
	// unreachable token endpoint is then an unreachable API host.
	tokenURLDerived bool
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	tokenURLDerived := cfg.TokenURL == ""
	if tokenURLDerived {
		cfg.TokenURL = cfg.BaseURL + "/v1/oauth"
	}
	if cfg.APIKey == "" {
		return nil, errors.New("an API key is required")
	}
	if cfg.AccessToken == "" && (cfg.ClientID == "" || cfg.ClientSecret == "") {
		return nil, errors.New("either an access token or both a client id and a client secret are required")
	}
	if cfg.RequestsPerSecond <= 0 {
		cfg.RequestsPerSecond = 1
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-doo/dev"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 60 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 60 * time.Second
	}
	if cfg.DeleteSettle <= 0 {
		cfg.DeleteSettle = 10 * time.Second
	}
	if cfg.CreateSettle <= 0 {
		cfg.CreateSettle = 60 * time.Second
	}
	// A redirect would carry the API key and token to wherever doo's answer points: never follow one.
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t := &transport{cfg: cfg, base: base, http: &hc, limiter: sharedLimiter(cfg.BaseURL, cfg.APIKey, cfg.RequestsPerSecond),
		gate:   newMachineGate(cfg.GateDir, cfg.BaseURL, cfg.APIKey, cfg.RequestsPerSecond*limiterMargin),
		redact: newRedactor(cfg.APIKey, cfg.ClientSecret, cfg.AccessToken), tokenURLDerived: tokenURLDerived}
	t.tokens = &tokenSource{static: cfg.AccessToken, url: displayURL(cfg.TokenURL), fetch: t.fetchToken}
	return &Client{t: t, store: newTeamStore(t)}, nil
}

// limiterMargin keeps the client slightly under the configured rate: requests spaced exactly
// 1/rps apart can arrive closer together at doo's gateway and be throttled.
const limiterMargin = 0.97

var (
	limitersMu sync.Mutex
	limiters   = map[string]*rate.Limiter{}
)

// sharedLimiter returns the one limiter of the process for an API key on a host, so
// provider aliases and concurrent resources together stay within doo's budget.
// When two configurations ask for different rates, the lower one wins.
func sharedLimiter(baseURL, apiKey string, rps float64) *rate.Limiter {
	limitersMu.Lock()
	defer limitersMu.Unlock()
	key := baseURL + "\x00" + apiKey
	if l, ok := limiters[key]; ok {
		if rate.Limit(rps*limiterMargin) < l.Limit() {
			l.SetLimit(rate.Limit(rps * limiterMargin))
		}
		return l
	}
	l := rate.NewLimiter(rate.Limit(rps*limiterMargin), 1)
	limiters[key] = l
	return l
}

// Stats counts the requests a client sent, by route.
type Stats struct {
	Token, Organizations, List, Create, Delete, Retries int64
}

type stats struct {
	token, organizations, list, create, delete, retries atomic.Int64
}

// Stats returns the number of requests sent so far, by route.
func (c *Client) Stats() Stats {
	s := &c.t.stats
	return Stats{
		Token: s.token.Load(), Organizations: s.organizations.Load(), List: s.list.Load(),
		Create: s.create.Load(), Delete: s.delete.Load(), Retries: s.retries.Load(),
	}
}

// request describes one API call for do.
type request struct {
	method  string
	path    string // escaped path below the base URL, e.g. /v1/webhooks/1 (each segment escaped once, by its builder)
	query   url.Values
	body    any
	auth    bool // send the bearer token
	absURL  string
	counter *atomic.Int64
	// repeatable marks a POST that is safe to send twice (the token request).
	repeatable bool
}

// safeToRepeat reports whether sending req again after an ambiguous failure cannot duplicate anything.
func (r request) safeToRepeat() bool { return r.method != http.MethodPost || r.repeatable }

// exchange is what one attempt of a request got back: an answer, or a transport error.
type exchange struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// action is what do does after an exchange.
type action int

const (
	actDone  action = iota // a 2xx: decode it
	actRetry               // wait, then send again
	actRenew               // forget the token, get a new one, send again (once)
	actFail                // return the error
)

// verdict is the classification of one exchange: what to do, how long to wait first, and the error.
type verdict struct {
	act  action
	wait time.Duration
	err  *Error
}

// do sends req, retrying what is safe to retry, and decodes a 2xx JSON answer into out.
// Each answer is first classified (classify), then acted upon here.
func (t *transport) do(ctx context.Context, req request, out any) (err error) {
	defer func() { t.redact.attach(err) }() // whatever the error's text holds, it prints scrubbed
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return fmt.Errorf("encoding %s %s: %w", req.method, req.path, err)
		}
	}
	renewed := false
	for attempt := 1; ; attempt++ {
		var token string
		if req.auth {
			var err error
			if token, err = t.tokens.get(ctx); err != nil {
				return err
			}
		}
		ex := t.send(ctx, req, payload, &token, attempt)
		v := t.classify(ctx, req, ex, attempt, renewed)
		switch v.act {
		case actDone:
			if out != nil && len(ex.body) > 0 {
				if err := json.Unmarshal(ex.body, out); err != nil {
					e := t.callError(req)
					e.StatusCode, e.Err, e.outcomeUnknown = ex.status, fmt.Errorf("decoding the answer: %w", err), !req.safeToRepeat()
					return e
				}
			}
			return nil
		case actRenew:
			renewed = true
			t.tokens.invalidate(token)
			attempt-- // a renewal is not a failed attempt
		case actRetry:
			if err := t.backoff(ctx, req, attempt, v.wait); err != nil {
				return err
			}
		default:
			return v.err
		}
	}
}

// classify decides what to do with one exchange. It never waits and never sends.
func (t *transport) classify(ctx context.Context, req request, ex exchange, attempt int, renewed bool) verdict {
	canRetry := attempt < t.cfg.MaxAttempts
	if ex.err != nil {
		e := t.callError(req)
		e.Err = ex.err
		switch {
		case !req.safeToRepeat() && !notSent(ex.err):
			// Also when cancelled: the request may have reached doo before the cancellation.
			e.outcomeUnknown = true
			return verdict{act: actFail, err: e}
		case ctx.Err() != nil:
			return verdict{act: actFail, err: e}
		case unreachable(ex.err):
			// A refused connection or an unknown host is a setting to fix, not a passing failure: a
			// couple of quick tries cover a blip, then the user hears which host could not be reached.
			if attempt < unreachableAttempts {
				return verdict{act: actRetry, wait: time.Duration(attempt) * 500 * time.Millisecond, err: e}
			}
			e.Reason = ReasonAPIUnreachable
			if req.absURL != "" && !t.tokenURLDerived {
				e.Reason = ReasonTokenEndpointUnreachable
			}
			e.Err = fmt.Errorf("could not connect to %s: %w", e.Endpoint, ex.err)
			return verdict{act: actFail, err: e}
		case !canRetry:
			return verdict{act: actFail, err: e}
		}
		return verdict{act: actRetry, err: e}
	}
	status := ex.status
	if status >= 200 && status < 300 {
		return verdict{act: actDone}
	}
	e := t.errorFromAnswer(req, ex)
	switch {
	case status >= 300 && status < 400:
		e.Reason = ReasonRedirect
		e.Err = fmt.Errorf("doo answered with a redirect to %s, which is never followed: the API key and tokens go only to the configured hosts", redirectTarget(ex.header))
		e.outcomeUnknown = !req.safeToRepeat()
	case status == http.StatusUnauthorized && req.auth && !renewed && t.tokens.static == "":
		// Tokens expire without notice: fetch a new one once, then send again.
		return verdict{act: actRenew, err: e}
	case status == http.StatusTooManyRequests:
		if e.RetryAfter > t.cfg.MaxWait || strings.Contains(strings.ToLower(strings.Join(e.Messages, " ")), "limit exceeded") {
			e.Reason = ReasonQuotaExhausted
			e.Hint = quotaHint(e.RetryAfter)
			break
		}
		if canRetry {
			return verdict{act: actRetry, wait: e.RetryAfter, err: e}
		}
		e.Reason = ReasonThrottled
		e.Hint = "doo kept throttling after " + strconv.Itoa(attempt) + " attempts"
	case status >= 500 && !req.safeToRepeat():
		e.outcomeUnknown = true
	case status >= 500:
		// Reads, deletes and the token request change nothing when sent again: any server error may pass.
		if canRetry {
			return verdict{act: actRetry, wait: e.RetryAfter, err: e}
		}
	case status == http.StatusUnauthorized:
		e.Reason = ReasonUnauthorized
		e.Hint = "doo refused the access token"
	case status == http.StatusForbidden && req.absURL != "":
		e.Reason = ReasonTokenRefused
		e.Hint = "the token endpoint refused the API key, or the token URL is not doo's token endpoint"
	case status == http.StatusForbidden:
		e.Reason = ReasonForbidden
		e.Hint = "doo refused the API key, or the team is not one of the organizations of these credentials"
	case (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) && req.method == http.MethodPost && req.absURL == "":
		e.Reason = ReasonInvalidConfiguration
	}
	return verdict{act: actFail, err: e}
}

// redirectTarget names the host a redirect pointed to, never its query (which could carry anything).
func redirectTarget(h http.Header) string {
	loc := h.Get("Location")
	if loc == "" {
		return "an unnamed location"
	}
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		return "a path on the same host"
	}
	return "host " + u.Host
}

// notSent reports whether a transport error happened before the request left, so a POST is safe to resend.
func notSent(err error) bool {
	var op *net.OpError
	var wait waitError
	return errors.As(err, &wait) || (errors.As(err, &op) && op.Op == "dial")
}

// unreachableAttempts bounds the tries of a request whose connection cannot be made at all.
const unreachableAttempts = 3

// unreachable reports whether a transport error says the host cannot be reached: its name does not
// resolve, or the connection was refused or has no route. Timeouts are not: a slow doo may answer.
func unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return !dns.IsTimeout
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !op.Timeout()
}

// waitError is a failure while waiting for the rate limit, before anything was sent.
type waitError struct{ err error }

func (e waitError) Error() string { return "waiting for the request rate limit: " + e.err.Error() }
func (e waitError) Unwrap() error { return e.err }

func quotaHint(wait time.Duration) string {
	h := "doo's request limit for this API key is exhausted (the default is 1000 requests a day and 1 a second)"
	switch {
	case wait >= maxRetryAfter:
		h += fmt.Sprintf("; doo asks to wait more than %s", maxRetryAfter)
	case wait > 0:
		h += fmt.Sprintf("; doo asks to wait %s", wait.Round(time.Second))
	}
	return h
}

// backoff waits before attempt+1: Retry-After when doo gave one, else exponential with jitter.
func (t *transport) backoff(ctx context.Context, req request, attempt int, retryAfter time.Duration) error {
	wait := retryAfter
	if wait <= 0 {
		d := time.Second << min(attempt-1, 10)
		wait = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	}
	wait = min(wait, t.cfg.MaxWait)
	t.stats.retries.Add(1)
	t.warn(ctx, "doo request will be retried", map[string]any{
		"method": req.method, "path": req.path, "attempt": attempt, "wait": wait.String()})
	if err := t.cfg.Clock.Sleep(ctx, wait); err != nil {
		e := t.callError(req)
		e.Err = err
		return e
	}
	return nil
}

// send performs one HTTP exchange after waiting on the rate limiter.
// When a request waited for the rate limiter, another caller may have renewed the token meanwhile:
// *token is switched to the current one, so the caller knows which token it sent.
func (t *transport) send(ctx context.Context, req request, payload []byte, token *string, attempt int) exchange {
	start := t.cfg.Clock.Now()
	if err := t.limiter.Wait(ctx); err != nil {
		return exchange{err: waitError{err}}
	}
	if err := t.gate.wait(ctx); err != nil {
		return exchange{err: waitError{err}}
	}
	if reason := t.gate.disabledReason(); reason != "" && t.gateReason.Swap(reason) != reason {
		t.debug(ctx, "the machine-wide request gate is not used; in-process rate limiting goes on", map[string]any{"reason": reason})
	}
	if *token != "" {
		if cur := t.tokens.current(); cur != "" {
			*token = cur
		}
	}
	waited := t.cfg.Clock.Now().Sub(start)
	target := req.absURL
	if target == "" {
		u := *t.base
		u.RawPath = strings.TrimRight(u.EscapedPath(), "/") + req.path
		u.Path, _ = url.PathUnescape(u.RawPath) // req.path is already escaped: it must not be escaped again
		u.RawQuery = req.query.Encode()
		target = u.String()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return exchange{err: err}
	}
	hreq.Header.Set("Accept", "application/json")
	if payload != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hreq.Header.Set("User-Agent", t.cfg.UserAgent)
	hreq.Header.Set("x-api-key", t.cfg.APIKey)
	if *token != "" {
		hreq.Header.Set("Authorization", "Bearer "+*token)
	}
	if req.counter != nil {
		req.counter.Add(1)
	}
	resp, err := t.http.Do(hreq)
	fields := map[string]any{"method": req.method, "path": req.path, "attempt": attempt,
		"rate_limit_wait": waited.String(), "duration": t.cfg.Clock.Now().Sub(start).String()}
	if req.query != nil {
		fields["query"] = req.query.Encode()
	}
	if err != nil {
		msg := t.redact.scrub(err.Error())
		fields["error"] = msg
		t.warn(ctx, "doo request failed", fields)
		return exchange{err: transportError{msg: msg, cause: err}}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	fields["status"] = resp.StatusCode
	t.debug(ctx, "doo request", fields)
	if err != nil {
		return exchange{err: fmt.Errorf("reading the answer: %w", err)}
	}
	return exchange{status: resp.StatusCode, header: resp.Header, body: data}
}

// transportError keeps the cause of a failed exchange for errors.As (notSent needs it) while its text is scrubbed.
type transportError struct {
	msg   string
	cause error
}

func (e transportError) Error() string { return e.msg }
func (e transportError) Unwrap() error { return e.cause }

// errorFromAnswer builds the error of a non-2xx answer; doo's own words are scrubbed of every secret
// the client knows, since a server may echo what it was sent.
func (t *transport) errorFromAnswer(req request, ex exchange) *Error {
	e := t.callError(req)
	e.StatusCode = ex.status
	for _, m := range doosWords(ex.status, ex.body) {
		e.Messages = append(e.Messages, t.redact.scrub(m))
	}
	e.RetryAfter = parseRetryAfter(ex.header.Get("Retry-After"), t.cfg.Clock.Now())
	return e
}

// callError starts the error of a failed call: what was called, and on which configured host.
func (t *transport) callError(req request) *Error {
	e := &Error{Method: req.method, Path: req.path, Endpoint: t.base.Scheme + "://" + t.base.Host}
	if req.absURL != "" {
		e.Path = displayURL(req.absURL)
		e.Endpoint = e.Path
	}
	return e
}

// displayURL is u without user info, query or fragment, which could carry credentials.
func displayURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the configured URL"
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return p.String()
}

// maxRetryAfter is the longest wait a Retry-After is read as; longer ones (and numbers too large for
// any duration) are read as this, which is always "too long to wait".
const maxRetryAfter = 30 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP date, without overflow: the
// result is between 0 and maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// RequestsToday returns how many requests of this API key and host were sent from this machine since
// the start of the current UTC day, by every provider process, as the machine-wide request gate counted
// them. ok is false when the gate cannot be used here (its folder or files are unsafe, or the platform
// has no file locks): then nothing is known. Requests sent from other machines are never counted.
func (c *Client) RequestsToday() (n int, ok bool) {
	return c.t.gate.RequestsToday(context.Background())
}
