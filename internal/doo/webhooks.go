package doo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func teamPath(teamID int64) string { return fmt.Sprintf("/v1/team/%d/webhooks", teamID) }

// ListWebhooks returns every configuration of a team from a complete listing, served from the team store
// while fresh. The slice is shared: callers must not modify it.
func (c *Client) ListWebhooks(ctx context.Context, teamID int64) ([]Webhook, error) {
	l, err := c.store.get(ctx, teamID)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// FindWebhook returns one configuration of a team; doo has no get-by-id, so it comes from the team's listing.
// Absence must be proven: a configuration missing from one listing is looked for in a second listing that
// started after the first ended, and only when both lack it is the error one for which IsNotFound is true.
func (c *Client) FindWebhook(ctx context.Context, teamID int64, id string) (Webhook, error) {
	return c.store.find(ctx, teamID, id)
}

// Outcome is what a create did, as far as doo's answers and listings prove it.
type Outcome int

const (
	// Stored: doo acknowledged the create with the configuration's id.
	Stored Outcome = iota
	// Recovered: the create's answer was lost, and the team's listings show exactly one configuration
	// it can have stored, which is now the create's.
	Recovered
	// Undecided: the create's answer was lost, and nothing proves yet whether or what doo stored. It must
	// not be sent again: doo may hold it, or store it later. Pending says what ResumeCreate needs to go on.
	Undecided
	// NotStored: two consecutive listings, in a process after the one that sent it, show that doo never
	// stored the create (ResumeCreate only).
	NotStored
)

// CreateResult is the outcome of a create, or of the resumed reconciliation of one.
type CreateResult struct {
	Outcome Outcome
	// ID is the configuration, for Stored and Recovered.
	ID string
	// Candidates are the listed configurations the create may have stored, sorted: the one adopted for
	// Recovered; for Undecided, several that cannot be told apart (or none).
	Candidates []string
	// Pending is what a later ResumeCreate needs, for Undecided. It holds no secret.
	Pending PendingCreate
	// Cause is the *OutcomeUnknownError that says why the create's outcome had to be reconciled
	// (Recovered, Undecided), and for Undecided why it is still open.
	Cause error
}

// CreateWebhook stores a new configuration in a team. It sends exactly one POST (resent only when doo
// provably did not process it: a 429, a 401 before a new token, or a connection that never opened).
// An error means nothing was stored: doo refused the configuration, or it was never sent. Otherwise the
// result says whether doo acknowledged it (Stored), whether a lost answer was reconciled (Recovered), or
// whether the outcome is still open (Undecided), which must never lead to sending it again.
//
// Before the first create in a team, the team is listed until nothing that existed before the POST can
// be mistaken for what it stored (see teamStore).
func (c *Client) CreateWebhook(ctx context.Context, teamID int64, w Webhook) (CreateResult, error) {
	return c.store.create(ctx, teamID, w)
}

// PendingCreate is what a later process needs to go on reconciling a create whose outcome is undecided:
// the team, and the ids that cannot be that create's configuration (those that existed before the POST,
// and those other creates of the same process were given). It holds no secret, so it can be kept in state.
type PendingCreate struct {
	TeamID  int64    `json:"team_id"`
	Exclude []string `json:"exclude"`
	// SentAt is when the create's answer came, in Unix seconds (0: not recorded, as by older versions).
	SentAt int64 `json:"sent_at,omitempty"`
}

// ResumeCreate goes on reconciling an undecided create in a later process, from its PendingCreate and the
// configuration that was sent. With secretUnknown (the receiver secret was write-only and is not known
// any more) the secret is not compared. Here, and only here, two consecutive listings without a
// candidate prove NotStored, and only once Config.CreateSettle has passed since the create's answer.
func (c *Client) ResumeCreate(ctx context.Context, p PendingCreate, sent Webhook, secretUnknown bool) CreateResult {
	exclude := make(map[string]bool, len(p.Exclude))
	for _, id := range p.Exclude {
		exclude[id] = true
	}
	var sentAt time.Time
	if p.SentAt > 0 {
		sentAt = time.Unix(p.SentAt, 0)
	}
	return c.store.reconcile(ctx, &lostCreate{teamID: p.TeamID, sent: sent, exclude: exclude, secretUnknown: secretUnknown, sentAt: sentAt,
		cause: &Error{Method: http.MethodPost, Path: teamPath(p.TeamID), Err: errors.New("an earlier create's answer was lost")}}, true)
}

// DeleteWebhook deletes a configuration and proves it gone. doo answers 204 whether or not anything was
// deleted, so two consecutive listings of the team must lack it; deletes in one team that run together
// share them. A configuration still listed, or listings that failed, yield a *DeleteNotConfirmedError.
func (c *Client) DeleteWebhook(ctx context.Context, teamID int64, id string) error {
	return c.store.delete(ctx, teamID, id)
}

// Organizations returns the caller's organizations, their teams and the active team.
func (c *Client) Organizations(ctx context.Context) (*Organizations, error) {
	var o Organizations
	err := c.t.do(ctx, request{method: http.MethodGet, path: "/v1/organizers/current/organizations", auth: true,
		counter: &c.t.stats.organizations}, &o)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// errNoID is a create answered 2xx without an id.
var errNoID = errors.New("the answer holds no configuration id")

func joinIDs(ids []string) string { return strings.Join(ids, ", ") }

// webhookSecret returns the receiver secret of a configuration, or "".
func webhookSecret(w Webhook) string {
	if w.Authentication == nil {
		return ""
	}
	return w.Authentication.Credentials.ClientSecret
}

// clone returns a deep copy, so callers cannot change what the store holds.
func (w Webhook) clone() Webhook {
	out := w
	out.Hooks = make([]Hook, len(w.Hooks))
	for i, h := range w.Hooks {
		out.Hooks[i] = h
		if h.Origin != nil {
			o := *h.Origin
			out.Hooks[i].Origin = &o
		}
	}
	if w.Authentication != nil {
		a := *w.Authentication
		out.Authentication = &a
	}
	return out
}
