package doo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Webhook is one webhook configuration ("webhook group") as doo stores it.
// ID is empty in a create request and set in list answers.
type Webhook struct {
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name"`
	Description    string          `json:"description,omitempty"`
	EventID        string          `json:"event_id,omitempty"`
	EventGuideID   string          `json:"event_guide_id,omitempty"`
	Hooks          []Hook          `json:"hooks"`
	Authentication *Authentication `json:"authentication,omitempty"`
	// DescriptionOmitted is true for a listed configuration whose item had no description field at all:
	// doo did not say what the description is, which is not the same as an empty one.
	DescriptionOmitted bool `json:"-"`
}

// UnmarshalJSON reads a listed configuration: its id may be a JSON string or a JSON number (kept digit
// for digit), and a missing description is recorded as omitted rather than read as empty.
func (w *Webhook) UnmarshalJSON(data []byte) error {
	type plain Webhook
	var raw struct {
		plain
		ID          json.RawMessage `json:"id"`
		Description *string         `json:"description"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*w = Webhook(raw.plain)
	id, err := parseID(raw.ID)
	if err != nil {
		return err
	}
	w.ID = id
	if raw.Description != nil {
		w.Description = *raw.Description
	} else {
		w.DescriptionOmitted = true
	}
	return nil
}

// parseID reads an id that doo documents as a string but may send as a number: the digits are kept
// exactly (a float64 would lose those above 2^53). An absent or null id is "".
func parseID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		// Never the value itself: an answer may hold the stored configuration, credentials included.
		return "", fmt.Errorf("the id is %s, neither a string nor a number", jsonKind(raw))
	}
	return n.String(), nil
}

// createdID reads the id a create was answered with: data is the id (the API page), or the stored
// configuration holding it (as some services answer a create, and as doo may): its "id" is read, and
// nothing else of it is kept or quoted.
func createdID(data json.RawMessage) (string, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var stored struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(data, &stored) != nil {
			return "", errors.New("the answer's data is not a valid JSON object")
		}
		if len(stored.ID) == 0 {
			return "", errors.New("the answer's data is a JSON object without an id")
		}
		return parseID(stored.ID)
	}
	return parseID(data)
}

// jsonKind names the kind of JSON value raw starts with, without quoting any of it.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	case 't', 'f':
		return "a JSON boolean"
	default:
		return "not a valid JSON value"
	}
}

// Hook is one webhook type of a configuration and where doo delivers it.
type Hook struct {
	Type     string  `json:"type"`
	Method   string  `json:"method,omitempty"`
	Endpoint string  `json:"endpoint"`
	Origin   *Origin `json:"origin,omitempty"`
}

// Origin describes the GraphQL request doo runs to build a hook's payload.
type Origin struct {
	Method   string `json:"method,omitempty"`
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

// Credentials are the receiver's OAuth client credentials that doo sends.
type Credentials struct {
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret"`
}

// Organizations is the answer of GET /v1/organizers/current/organizations.
type Organizations struct {
	Organizations []Organization `json:"organizations"`
	ActiveTeam    *ActiveTeam    `json:"active_team"`
}

// Organization is one organization the caller belongs to.
type Organization struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	CanEdit bool   `json:"canEdit"`
	Teams   []Team `json:"teams"`
}

// Team is one team of an organization; webhook configurations belong to teams.
type Team struct {
	ID   int64   `json:"id"`
	Name *string `json:"name"`
	Role string  `json:"role"`
}

// ActiveTeam is the team the caller currently acts in.
type ActiveTeam struct {
	ID              int64    `json:"id"`
	Name            *string  `json:"name"`
	OrganizationID  int64    `json:"organization_id"`
	UserID          int64    `json:"user_id"`
	Role            string   `json:"role"`
	Permissions     []string `json:"permissions"`
	IsAllEventsTeam bool     `json:"is_all_events_team"`
}

type tokenAnswer struct {
	Data struct {
		AccessToken string `json:"access_token"`
	} `json:"data"`
}

type createAnswer struct {
	Data json.RawMessage `json:"data"`
}

// listPage is one page of a team's list. Pointers tell a field doo left out from a zero.
type listPage struct {
	Embedded *struct {
		Webhooks *[]Webhook `json:"webhooks"`
	} `json:"_embedded"`
	PageCount  *int `json:"page_count"`
	PageSize   *int `json:"page_size"`
	TotalItems *int `json:"total_items"`
	Page       *int `json:"page"`
}
