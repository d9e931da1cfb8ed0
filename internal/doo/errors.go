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
	// UserMessage and DeveloperMessage are doo's own explanation, when it gave one.
	UserMessage, DeveloperMessage string
	// RetryAfter is the wait doo asked for on a 429, when it said.
	RetryAfter time.Duration
	// Hint tells the user what to do next.
	Hint string
	// Err is the transport error, when no answer arrived.
	Err error

	outcomeUnknown bool
	notFound       bool
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
	msgs := []string{}
	if e.UserMessage != "" {
		msgs = append(msgs, e.UserMessage)
	}
	if e.DeveloperMessage != "" && e.DeveloperMessage != e.UserMessage {
		msgs = append(msgs, e.DeveloperMessage)
	}
	if len(msgs) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(msgs, "; "))
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, ". %s", e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// OutcomeUnknownError reports a create whose answer was lost: doo may or may not have stored it.
type OutcomeUnknownError struct {
	// Cause is the failed call.
	Cause *Error
	// TeamID is the team the configuration was sent to.
	TeamID int64
	// Sent is the configuration that was sent.
	Sent Webhook
	// knownBefore holds the ids of the team known to exist before the create was sent.
	knownBefore map[string]bool
}

func (e *OutcomeUnknownError) Error() string { return e.Cause.Error() }

func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// ErrNotFound is wrapped by errors for configurations absent from their team's list.
var ErrNotFound = errors.New("webhook configuration not found")

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsNotFound reports whether err means the configuration or team does not exist.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	e := asError(err)
	return e != nil && (e.notFound || e.StatusCode == http.StatusNotFound)
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

// DeleteNotConfirmedError reports a configuration still listed after its delete.
type DeleteNotConfirmedError struct {
	TeamID int64
	ID     string
}

func (e *DeleteNotConfirmedError) Error() string {
	return fmt.Sprintf("doo answered 204 to DELETE /v1/webhooks/%s, but the configuration is still listed in team %d; "+
		"doo never confirms deletes, so it may not have been deleted: run the destroy again, and if it persists ask doo support", e.ID, e.TeamID)
}
