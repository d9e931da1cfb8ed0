package doo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is the one error type the client returns for a failed API call.
// It never holds a key, token or secret: only what was called and what doo said.
type Error struct {
	// StatusCode is the HTTP status, or 0 when no answer arrived.
	StatusCode int
	// Method and Path name the call, e.g. "POST" and "/v1/team/7/webhooks".
	Method, Path string
	// Messages are doo's own words about the failure, scrubbed of every secret the client knows: an
	// ApiProblem's detail (and its title where it says more than the status) and each validation message
	// as "field.path: message", or the envelope's user and developer messages, or a gateway's message.
	Messages []string
	// Endpoint is the URL of the host called (scheme, host and, for the token endpoint, path): what the
	// user configured, so an unreachable or misbehaving host can be named.
	Endpoint string
	// RetryAfter is the wait doo asked for on a 429, when it said.
	RetryAfter time.Duration
	// Hint adds what the client knows about the failure beyond doo's words (e.g. how long doo asks to
	// wait). It holds facts, never advice: what to do is the caller's to say, in its own words.
	Hint string
	// Err is the transport error, when no answer arrived, or what was wrong with the answer.
	Err error
	// Reason classifies the failure for callers that advise the user; "" when nothing more is known.
	Reason Reason

	outcomeUnknown bool
	redact         *redactor // masks the client's secrets in the text; nil prints it as it is
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "doo API %s %s", e.Method, e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if len(e.Messages) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(e.Messages, "; "))
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, ". %s", e.Hint)
	}
	return e.redact.scrub(b.String())
}

func (e *Error) Unwrap() error { return e.Err }

// Reason classifies a failure, so that the layer that talks to the user can give advice in its own words.
type Reason string

// Reasons a call failed.
const (
	// ReasonThrottled: doo kept answering 429 within the retries.
	ReasonThrottled Reason = "throttled"
	// ReasonQuotaExhausted: the API key's request quota is spent, or doo asked to wait longer than allowed.
	ReasonQuotaExhausted Reason = "quota-exhausted"
	// ReasonBadCredentials: doo refused the client credentials when asked for a token.
	ReasonBadCredentials Reason = "bad-credentials"
	// ReasonUnauthorized: doo refused the access token (401) even after a renewal, or a static token.
	ReasonUnauthorized Reason = "unauthorized"
	// ReasonForbidden: doo refused the API key, or the team is outside the caller's organizations (403).
	ReasonForbidden Reason = "forbidden"
	// ReasonTeamNotFound: every listing of the team was answered 404.
	ReasonTeamNotFound Reason = "team-not-found"
	// ReasonInconsistentList: no complete, consistent listing of the team could be obtained.
	ReasonInconsistentList Reason = "inconsistent-list"
	// ReasonRedirect: doo answered with a redirect, which is never followed with credentials.
	ReasonRedirect Reason = "redirect"
	// ReasonAPIUnreachable: no connection could be made to the API host (refused, unknown host, no route).
	ReasonAPIUnreachable Reason = "api-unreachable"
	// ReasonTokenEndpointUnreachable: no connection could be made to the token endpoint.
	ReasonTokenEndpointUnreachable Reason = "token-endpoint-unreachable"
	// ReasonTokenRefused: the token endpoint answered 403: the API key, or the endpoint itself, is wrong.
	ReasonTokenRefused Reason = "token-refused"
	// ReasonInvalidConfiguration: doo refused the configuration sent (400 or 422); Messages say why.
	ReasonInvalidConfiguration Reason = "invalid-configuration"
)

// OutcomeUnknownError reports a create whose answer was lost: doo may or may not have stored it.
type OutcomeUnknownError struct {
	// Cause is the failed call.
	Cause *Error
	// TeamID is the team the configuration was sent to.
	TeamID int64
	// Why says why the outcome is still open, when it is; nil once it was reconciled.
	Why error
}

func (e *OutcomeUnknownError) Error() string {
	msg := e.Cause.Error() + ": doo may have stored the configuration"
	if e.Why != nil {
		msg += "; " + e.Why.Error()
	}
	return msg
}

func (e *OutcomeUnknownError) Unwrap() []error {
	if e.Why != nil {
		return []error{e.Cause, e.Why}
	}
	return []error{e.Cause}
}

// ErrNotFound is wrapped by errors for configurations absent from their team's list.
var ErrNotFound = errors.New("webhook configuration not found")

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsNotFound reports whether err proves a configuration absent: two consecutive complete listings of its
// team lacked it. A 404, or any other failed call, is never proof.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound)
}

// ReasonOf returns the classified reason of a failed call, or "".
func ReasonOf(err error) Reason {
	if e := asError(err); e != nil {
		return e.Reason
	}
	return ""
}

// IsRateLimited reports whether err is doo's throttle or daily quota.
func IsRateLimited(err error) bool {
	e := asError(err)
	return e != nil && e.StatusCode == http.StatusTooManyRequests
}

// IsOutcomeUnknown reports whether err is a create whose result could not be known.
func IsOutcomeUnknown(err error) bool {
	var u *OutcomeUnknownError
	return errors.As(err, &u)
}

// IsUnauthorized reports whether doo refused the client credentials or the access token (401).
func IsUnauthorized(err error) bool {
	e := asError(err)
	return e != nil && e.StatusCode == http.StatusUnauthorized
}

// IsForbidden reports whether doo refused access (wrong API key or a team outside the caller's organizations).
func IsForbidden(err error) bool {
	e := asError(err)
	return e != nil && e.StatusCode == http.StatusForbidden
}

// DeleteNotConfirmedError reports a delete that could not be proven: the configuration is still listed,
// or the listings that would prove it gone failed (Cause).
type DeleteNotConfirmedError struct {
	// TeamID and ID name the configuration.
	TeamID int64
	ID     string
	// Cause is the failed listing, or nil when the configuration is still listed.
	Cause error
}

func (e *DeleteNotConfirmedError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("doo answered 204 to DELETE /v1/webhooks/%s, but listing team %d to prove it gone failed, so it may still exist: %v", e.ID, e.TeamID, e.Cause)
	}
	return fmt.Sprintf("doo answered 204 to DELETE /v1/webhooks/%s, but the configuration is still listed in team %d; "+
		"doo never confirms deletes, so it may not have been deleted", e.ID, e.TeamID)
}

func (e *DeleteNotConfirmedError) Unwrap() error { return e.Cause }
