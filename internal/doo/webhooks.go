package doo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// maxPages bounds a listing, so a server that never ends its pages cannot loop the client.
const maxPages = 10000

func teamPath(teamID int64) string { return fmt.Sprintf("/v1/team/%d/webhooks", teamID) }

// ListWebhooks returns every configuration of a team, served from the list cache when fresh.
// The slice is shared with the cache: callers must not modify it.
func (c *Client) ListWebhooks(ctx context.Context, teamID int64) ([]Webhook, error) {
	return c.cache.get(ctx, teamID)
}

// FindWebhook returns one configuration of a team; doo has no get-by-id, so it comes from the team's listing.
// An absent configuration yields an error for which IsNotFound is true.
func (c *Client) FindWebhook(ctx context.Context, teamID int64, id string) (Webhook, error) {
	items, err := c.cache.get(ctx, teamID)
	if err != nil {
		return Webhook{}, err
	}
	for _, w := range items {
		if w.ID == id {
			return w.clone(), nil
		}
	}
	return Webhook{}, fmt.Errorf("configuration %s in team %d: %w", id, teamID, ErrNotFound)
}

// listAllPages pages through a team's list by page number (never following _links) until
// page_count or an empty page. When the total changes mid-listing, items may have shifted
// between pages, so the listing starts over rather than miss one.
func (c *Client) listAllPages(ctx context.Context, teamID int64) ([]Webhook, error) {
	const restarts = 3
	for try := 0; ; try++ {
		items, shifted, err := c.listOnce(ctx, teamID)
		if err != nil || !shifted || try == restarts {
			return items, err
		}
		c.cfg.Logger.Warn(ctx, "doo list changed while paging; listing again", map[string]any{"team_id": teamID})
	}
}

func (c *Client) listOnce(ctx context.Context, teamID int64) ([]Webhook, bool, error) {
	var all []Webhook
	seen := map[string]bool{}
	total := -1
	for page := 1; page <= maxPages; page++ {
		var p listPage
		err := c.do(ctx, request{method: http.MethodGet, path: teamPath(teamID),
			query: url.Values{"page": {strconv.Itoa(page)}}, auth: true, counter: &c.stats.list}, &p)
		if err != nil {
			if e := asError(err); e != nil && e.StatusCode == http.StatusNotFound {
				e.Hint = fmt.Sprintf("team %d does not exist: the data source doo_organizations lists your teams", teamID)
			}
			return nil, false, err
		}
		if total >= 0 && p.TotalItems != total {
			return all, true, nil
		}
		total = p.TotalItems
		for _, w := range p.Embedded.Webhooks {
			if !seen[w.ID] {
				seen[w.ID] = true
				all = append(all, w)
			}
		}
		if len(p.Embedded.Webhooks) == 0 || page >= p.PageCount {
			break
		}
	}
	if all == nil {
		all = []Webhook{}
	}
	return all, false, nil
}

// CreateWebhook stores a new configuration in a team and returns its id. It sends exactly one
// POST (resent only when doo provably did not process it: a 429, a 401 before a new token, or
// a connection that never opened). When the answer is lost, the error is an *OutcomeUnknownError
// that ReconcileCreate resolves.
func (c *Client) CreateWebhook(ctx context.Context, teamID int64, w Webhook) (string, error) {
	known := c.cache.knownIDs(teamID)
	var ans createAnswer
	err := c.do(ctx, request{method: http.MethodPost, path: teamPath(teamID), body: w, auth: true,
		counter: &c.stats.create}, &ans)
	c.cache.invalidate(teamID)
	if err != nil {
		if e := asError(err); e != nil && e.outcomeUnknown {
			e.Hint = "doo may have stored the configuration"
			return "", &OutcomeUnknownError{Cause: e, TeamID: teamID, Sent: w, knownBefore: known}
		}
		return "", err
	}
	id := idString(ans.Data)
	if id == "" {
		e := &Error{StatusCode: http.StatusOK, Method: http.MethodPost, Path: teamPath(teamID),
			Err: fmt.Errorf("the answer holds no configuration id"), Hint: "doo may have stored the configuration"}
		return "", &OutcomeUnknownError{Cause: e, TeamID: teamID, Sent: w, knownBefore: known}
	}
	c.cache.remember(teamID, id)
	return id, nil
}

// idString reads the id doo returns in data: a string in the docs, tolerated as a number.
func idString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	return ""
}

// ReconcileCreate decides what a create with an unknown outcome did, from a fresh listing of
// the team: the one configuration equivalent to what was sent that was not known before is
// adopted. It returns that id, or "" with the candidate ids when it cannot decide (none found
// means doo did not store it).
func (c *Client) ReconcileCreate(ctx context.Context, u *OutcomeUnknownError) (string, []string, error) {
	c.cache.invalidate(u.TeamID)
	items, err := c.cache.get(ctx, u.TeamID)
	if err != nil {
		return "", nil, err
	}
	var candidates []string
	for _, w := range items {
		if !u.knownBefore[w.ID] && Equivalent(u.Sent, w) {
			candidates = append(candidates, w.ID)
		}
	}
	if len(candidates) == 1 {
		c.cache.remember(u.TeamID, candidates[0])
		return candidates[0], candidates, nil
	}
	sort.Strings(candidates)
	return "", candidates, nil
}

// DeleteWebhook sends DELETE /v1/webhooks/{id}. doo answers 204 whether or not anything was
// deleted, so success proves nothing: DeleteWebhookConfirmed also checks the team's list.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/webhooks/" + url.PathEscape(id),
		auth: true, counter: &c.stats.delete}, nil)
	return err
}

// DeleteWebhookConfirmed deletes a configuration, then checks that the team's list no longer holds it.
// Deletes in one team that run together share one confirming listing. An absent configuration is success;
// one still listed yields a *DeleteNotConfirmedError.
func (c *Client) DeleteWebhookConfirmed(ctx context.Context, teamID int64, id string) error {
	c.cache.beginDelete(teamID)
	err := c.DeleteWebhook(ctx, id)
	c.cache.endDelete(teamID)
	if err != nil {
		return err
	}
	c.cache.settle(ctx, teamID, c.cfg.DeleteSettle)
	items, err := c.cache.get(ctx, teamID)
	if err != nil {
		return fmt.Errorf("doo accepted the delete of %s, but listing team %d to confirm it failed: %w", id, teamID, err)
	}
	for _, w := range items {
		if w.ID == id {
			return &DeleteNotConfirmedError{TeamID: teamID, ID: id}
		}
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
