package doo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
)

func teamPath(teamID int64) string { return fmt.Sprintf("/v1/team/%d/webhooks", teamID) }

// ListWebhooks returns every configuration of a team from a complete listing, served from the list cache
// when fresh. The slice is shared with the cache: callers must not modify it.
func (c *Client) ListWebhooks(ctx context.Context, teamID int64) ([]Webhook, error) {
	l, err := c.cache.get(ctx, teamID)
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// FindWebhook returns one configuration of a team; doo has no get-by-id, so it comes from the team's listing.
// Absence must be proven: a configuration missing from one listing is looked for in a second listing that
// started after the first ended, and only when both lack it is the error one for which IsNotFound is true.
func (c *Client) FindWebhook(ctx context.Context, teamID int64, id string) (Webhook, error) {
	l, err := c.cache.get(ctx, teamID)
	if err != nil {
		return Webhook{}, err
	}
	if w, ok := l.Find(id); ok {
		return w.clone(), nil
	}
	// Missing from one listing proves nothing (doo's pages may have shifted): a second listing, started
	// after the first ended, must lack it too.
	second, err := c.cache.independent(ctx, l)
	if err != nil {
		return Webhook{}, fmt.Errorf("configuration %s was missing from one listing of team %d, and the second listing that would prove it gone failed: %w", id, teamID, err)
	}
	if w, ok := second.Find(id); ok {
		return w.clone(), nil
	}
	return Webhook{}, fmt.Errorf("configuration %s is in neither of two consecutive listings of team %d: %w", id, teamID, ErrNotFound)
}

// CreateWebhook stores a new configuration in a team and returns its id. It sends exactly one
// POST (resent only when doo provably did not process it: a 429, a 401 before a new token, or
// a connection that never opened). When the answer is lost, the error is an *OutcomeUnknownError
// that ReconcileCreate resolves.
//
// Before the first create in a team, the client lists the team once (shared with every other create
// and read of the team), so that whatever existed before the POST can never be taken for what it stored.
func (c *Client) CreateWebhook(ctx context.Context, teamID int64, w Webhook) (string, error) {
	c.noteSecret(webhookSecret(w))
	if !c.cache.baselined(teamID) {
		if _, err := c.cache.get(ctx, teamID); err != nil {
			return "", fmt.Errorf("listing team %d before the first create in it (so that nothing that existed before can be mistaken for the new configuration) failed, and nothing was sent: %w", teamID, err)
		}
	}
	before := c.cache.preexisting(teamID)
	end := c.cache.write(teamID, true)
	var ans createAnswer
	err := c.do(ctx, request{method: http.MethodPost, path: teamPath(teamID), body: w, auth: true,
		counter: &c.stats.create}, &ans)
	var id string
	if err == nil {
		id, err = parseID(ans.Data)
		if err == nil && id != "" {
			c.cache.claim(teamID, id)
		}
	}
	end()
	unknown := func(cause *Error) error {
		cause.Hint = "doo may have stored the configuration"
		return &OutcomeUnknownError{Cause: cause, TeamID: teamID, Sent: w, before: before}
	}
	answered := func(problem error) *Error {
		return &Error{StatusCode: http.StatusOK, Method: http.MethodPost, Path: teamPath(teamID), Err: problem}
	}
	switch e := asError(err); {
	case e != nil && e.outcomeUnknown:
		return "", unknown(e)
	case err != nil && e != nil:
		return "", err
	case err != nil: // a 2xx whose id cannot be read: the configuration may exist
		return "", unknown(answered(err))
	case id == "":
		return "", unknown(answered(errors.New("the answer holds no configuration id")))
	}
	return id, nil
}

// webhookSecret returns the receiver secret of a configuration, or "".
func webhookSecret(w Webhook) string {
	if w.Authentication == nil {
		return ""
	}
	return w.Authentication.Credentials.ClientSecret
}

// Reconciliation is what a create with an unknown outcome did, as the team's listings prove it.
type Reconciliation struct {
	// ID is the configuration the create stored, when exactly one candidate was found and claimed.
	ID string
	// Candidates are the ids that could be the create's, sorted; several means the client cannot tell.
	Candidates []string
	// NotStored is true when two consecutive listings hold no candidate: doo did not store it, and
	// sending it again cannot duplicate it.
	NotStored bool
}

// ReconcileCreate decides what a create with an unknown outcome did. A candidate is a listed
// configuration equivalent to what was sent that existed in no listing completed before the POST and
// that no other create of this client owns; the one candidate is adopted. Other creates in flight in
// the team are waited for first, so each sibling's acknowledged id is excluded. "Not stored" is
// concluded only from two consecutive listings.
func (c *Client) ReconcileCreate(ctx context.Context, u *OutcomeUnknownError) (Reconciliation, error) {
	c.cache.settle(ctx, u.TeamID, true, c.cfg.DeleteSettle)
	// Every write in the team, this create's POST included, dropped the cached listing: whatever listing
	// the cache holds now started after the POST ended, and may serve as the first one.
	l, err := c.cache.get(ctx, u.TeamID)
	if err != nil {
		return Reconciliation{}, err
	}
	for listings := 1; ; {
		candidates := c.candidates(u, l)
		switch {
		case len(candidates) == 1 && c.cache.claim(u.TeamID, candidates[0]):
			return Reconciliation{ID: candidates[0], Candidates: candidates}, nil
		case len(candidates) == 1:
			continue // another create claimed it meanwhile: the claimed set grew, so look again without it
		case len(candidates) > 1:
			return Reconciliation{Candidates: candidates}, nil
		case listings >= 2:
			return Reconciliation{NotStored: true}, nil
		}
		if l, err = c.cache.independent(ctx, l); err != nil {
			return Reconciliation{}, err
		}
		listings++
	}
}

// PendingCreate returns what ResumeCreate needs to reconcile u later, in another process: every id that
// existed before its POST, and every id another create of this client owns in the team.
func (c *Client) PendingCreate(u *OutcomeUnknownError) PendingCreate {
	exclude := c.cache.claimedIDs(u.TeamID)
	for id := range u.before {
		exclude[id] = true
	}
	p := PendingCreate{TeamID: u.TeamID, Exclude: make([]string, 0, len(exclude))}
	for id := range exclude {
		p.Exclude = append(p.Exclude, id)
	}
	sort.Strings(p.Exclude)
	return p
}

func (c *Client) candidates(u *OutcomeUnknownError, l *Listing) []string {
	claimed := c.cache.claimedIDs(u.TeamID)
	var out []string
	for _, w := range l.Items {
		sent := u.Sent
		if u.secretUnknown && sent.Authentication != nil && w.Authentication != nil {
			a := *sent.Authentication
			a.Credentials.ClientSecret = w.Authentication.Credentials.ClientSecret
			sent.Authentication = &a
		}
		if !u.before[w.ID] && !claimed[w.ID] && Equivalent(sent, w) {
			out = append(out, w.ID)
		}
	}
	sort.Strings(out)
	return out
}

// DeleteWebhook sends DELETE /v1/webhooks/{id}. doo answers 204 whether or not anything was
// deleted, so success proves nothing: DeleteWebhookConfirmed also checks the team's list.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: "/v1/webhooks/" + url.PathEscape(id),
		auth: true, counter: &c.stats.delete}, nil)
}

// DeleteWebhookConfirmed deletes a configuration, then proves it gone: two consecutive listings of the
// team must lack it. Deletes in one team that run together share the confirming listings. A configuration
// still listed yields a *DeleteNotConfirmedError.
func (c *Client) DeleteWebhookConfirmed(ctx context.Context, teamID int64, id string) error {
	end := c.cache.write(teamID, false)
	err := c.DeleteWebhook(ctx, id)
	end()
	if err != nil {
		return err
	}
	c.cache.settle(ctx, teamID, false, c.cfg.DeleteSettle)
	l, err := c.cache.get(ctx, teamID)
	if err != nil {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id, Cause: err}
	}
	if l.Has(id) {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id}
	}
	// The listing after the delete lacks it; a second one must too. A listing from before the delete does
	// not count, so the second is always made anew (and shared by the deletes that ran together).
	second, err := c.cache.independent(ctx, l)
	if err != nil {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id, Cause: err}
	}
	if second.Has(id) {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id}
	}
	return nil
}

// Organizations returns the caller's organizations, their teams and the active team.
func (c *Client) Organizations(ctx context.Context) (*Organizations, error) {
	var o Organizations
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/organizers/current/organizations", auth: true,
		counter: &c.stats.organizations}, &o)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// clone returns a deep copy, so callers cannot change what the cache holds.
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
