package doofake

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// listedWebhook is a list item: the stored configuration plus fields clients must ignore.
type listedWebhook struct {
	ID             any             `json:"id"` // string, or json.Number for numeric ids
	Name           string          `json:"name"`
	Description    *string         `json:"description,omitempty"` // nil only when description is omitted`
	EventID        string          `json:"event_id,omitempty"`
	EventGuideID   string          `json:"event_guide_id,omitempty"`
	Hooks          []listedHook    `json:"hooks"`
	Authentication *Authentication `json:"authentication,omitempty"`
	Status         string          `json:"status"`
	CreatedAt      string          `json:"created_at"`
	Links          map[string]link `json:"_links"`
}

// listedHook is a hook as the list shows it: GraphQL hooks get a suffixed type.
type listedHook struct {
	Type     string  `json:"type"`
	Method   string  `json:"method"`
	Endpoint string  `json:"endpoint"`
	Origin   *Origin `json:"origin,omitempty"`
	Active   bool    `json:"active"`
}

type listPage struct {
	Links      map[string]link            `json:"_links"`
	Embedded   map[string][]listedWebhook `json:"_embedded"`
	PageCount  int                        `json:"page_count"`
	PageSize   int                        `json:"page_size"`
	TotalItems int                        `json:"total_items"`
	Page       int                        `json:"page"`
}

var validMethods = map[string]bool{
	http.MethodGet: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true,
}

// createLocked answers POST /v1/team/{team}/webhooks; s.mu must be held.
func (s *Server) createLocked(path string, team int64, body []byte) reply {
	w, err := parseWebhook(body)
	if err != nil {
		return errorReply(http.StatusBadRequest, path, err.Error(), "The webhook configuration is invalid: "+err.Error())
	}
	id := s.storeLocked(team, w)
	if len(s.losses) > 0 {
		status := s.losses[0]
		s.losses = s.losses[1:]
		if status == StatusNoResponse {
			return reply{status: StatusNoResponse, hangUp: true}
		}
		return errorReply(status, path, http.StatusText(status)+" (the configuration was stored; answer lost by the emulator)",
			orDefault(http.StatusText(status), "Error"))
	}
	return envelopeReply(s.createStatus, path, "Success", "Success", s.jsonIDLocked(id))
}

// jsonIDLocked is id as the API shows it: a JSON number for numeric ids, else a string; s.mu must be held.
func (s *Server) jsonIDLocked(id string) any {
	if sw := s.byID[id]; sw != nil && sw.numeric {
		return json.Number(id)
	}
	return id
}

// parseWebhook decodes and validates a create body; the error names the offending field.
func parseWebhook(body []byte) (Webhook, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Webhook{}, errors.New("body must be a JSON object")
	}
	var w Webhook
	if err := json.Unmarshal(trimmed, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Webhook{}, fmt.Errorf("%s must be a JSON %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return Webhook{}, fmt.Errorf("body is not valid JSON: %v", err)
	}
	w.ID = ""
	if err := validateWebhook(&w); err != nil {
		return Webhook{}, err
	}
	return w, nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct", "ptr":
		return "object"
	}
	return goKind
}

// validateWebhook applies doo's documented rules and fills defaults (method POST).
func validateWebhook(w *Webhook) error {
	switch n := utf8.RuneCountInString(w.Name); {
	case n == 0:
		return errors.New("name is required")
	case n > 255:
		return fmt.Errorf("name must be at most 255 characters, got %d", n)
	}
	if len(w.Hooks) == 0 {
		return errors.New("hooks must hold at least one hook")
	}
	for i := range w.Hooks {
		h := &w.Hooks[i]
		field := fmt.Sprintf("hooks[%d]", i)
		if err := validateType(h.Type); err != nil {
			return fmt.Errorf("%s.type %v", field, err)
		}
		if h.Method == "" {
			h.Method = http.MethodPost
		}
		if !validMethods[h.Method] {
			return fmt.Errorf("%s.method must be one of GET, POST, PUT, PATCH, DELETE, got %q", field, h.Method)
		}
		if err := validateURL(h.Endpoint); err != nil {
			return fmt.Errorf("%s.endpoint %v", field, err)
		}
		if o := h.Origin; o != nil {
			if o.Method == "" {
				o.Method = http.MethodPost
			}
			if !validMethods[o.Method] {
				return fmt.Errorf("%s.origin.method must be one of GET, POST, PUT, PATCH, DELETE, got %q", field, o.Method)
			}
			if err := validateURL(o.Endpoint); err != nil {
				return fmt.Errorf("%s.origin.endpoint %v", field, err)
			}
			if strings.TrimSpace(o.Body) == "" {
				return fmt.Errorf("%s.origin.body is required when origin is present", field)
			}
		}
	}
	if a := w.Authentication; a != nil {
		if a.GrantType != "" && a.GrantType != "client_credentials" {
			return fmt.Errorf("authentication.grant_type must be client_credentials, got %q", a.GrantType)
		}
		if err := validateURL(a.Endpoint); err != nil {
			return fmt.Errorf("authentication.endpoint %v", err)
		}
		if a.Credentials.ClientSecret == "" {
			return errors.New("authentication.credentials.client_secret is required when authentication is present")
		}
		if a.HeaderValueFormat != "" && !strings.Contains(a.HeaderValueFormat, "%ACCESS_TOKEN%") {
			return errors.New("authentication.header_value_format must contain %ACCESS_TOKEN%")
		}
	}
	return nil
}

// validateType accepts any lowercase [a-z_] name, since doo knows types its docs lack, but not the on_ prefix.
func validateType(t string) error {
	if t == "" {
		return errors.New("is required")
	}
	for i, c := range t {
		if (c < 'a' || c > 'z') && (c != '_' || i == 0) {
			return fmt.Errorf("must be a lowercase name of letters and underscores, got %q", t)
		}
	}
	if strings.HasPrefix(t, "on_") {
		return fmt.Errorf("must be given without the on_ prefix, got %q", t)
	}
	return nil
}

// validateURL requires an absolute http(s) URL of at most 1000 characters.
func validateURL(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	if len(raw) > 1000 {
		return fmt.Errorf("must be at most 1000 characters, got %d", len(raw))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http or https URL, got %q", raw)
	}
	return nil
}

// listLocked answers GET /v1/team/{team}/webhooks?page=N; s.mu must be held.
func (s *Server) listLocked(r *http.Request, team int64) reply {
	page := 1
	if raw := r.URL.Query().Get("page"); raw != "" {
		p, err := strconv.Atoi(raw)
		if err != nil || p < 1 {
			return errorReply(http.StatusBadRequest, r.URL.Path, fmt.Sprintf("page must be a positive integer, got %q", raw), "Bad request")
		}
		page = p
	}
	if s.ignorePageCount > 0 {
		page = 1
	}
	var all []*storedWebhook
	for _, sw := range s.webhooks {
		if sw.team == team {
			all = append(all, sw)
		}
	}
	total, size := len(all), s.pageSize
	pages := max(1, (total+size-1)/size)
	items := []listedWebhook{}
	for i := (page - 1) * size; i < total && i < page*size; i++ {
		items = append(items, s.listedLocked(all[i]))
	}
	if page == 1 && pages > 1 {
		s.replaceBetweenPagesLocked(team)
	}
	if s.ignorePageCount > 0 {
		pages = s.ignorePageCount
	}
	base := fmt.Sprintf("%s/team/%d/webhooks", docHost, team)
	return jsonReply(http.StatusOK, listPage{
		Links: map[string]link{
			"self":  {Href: fmt.Sprintf("%s?page=%d", base, page)},
			"first": {Href: base},
			"last":  {Href: fmt.Sprintf("%s?page=%d", base, pages)},
		},
		Embedded:   map[string][]listedWebhook{"webhooks": items},
		PageCount:  pages,
		PageSize:   size,
		TotalItems: total,
		Page:       page,
	})
}

// listedLocked renders one stored configuration as a list item; s.mu must be held.
func (s *Server) listedLocked(sw *storedWebhook) listedWebhook {
	w := copyWebhook(sw.w)
	item := listedWebhook{
		ID: s.jsonIDLocked(w.ID), Name: w.Name, Authentication: w.Authentication,
		Hooks: make([]listedHook, len(w.Hooks)), Status: "active",
		CreatedAt: sw.created.Format(time.RFC3339),
		Links:     map[string]link{"self": {Href: "https://api.doo.net/v1/webhooks/" + w.ID}},
	}
	if !s.omitEventIDs {
		item.EventID, item.EventGuideID = w.EventID, w.EventGuideID
	}
	if !s.omitDescription {
		item.Description = &w.Description
	}
	for i, h := range w.Hooks {
		typ := h.Type
		if h.Origin != nil {
			typ += "_" + s.suffixLocked(w.ID, i, h.Type)
		}
		item.Hooks[i] = listedHook{Type: typ, Method: h.Method, Endpoint: h.Endpoint, Origin: h.Origin, Active: true}
	}
	return item
}

// replaceBetweenPagesLocked fires the team's first armed replacement, once page 1 of a multi-page
// listing has been computed; s.mu must be held.
func (s *Server) replaceBetweenPagesLocked(team int64) {
	queue := s.pendingReplaces[team]
	if len(queue) == 0 {
		return
	}
	p := queue[0]
	if len(queue) == 1 {
		delete(s.pendingReplaces, team)
	} else {
		s.pendingReplaces[team] = queue[1:]
	}
	var old *storedWebhook
	for _, sw := range s.webhooks {
		if sw.team != team {
			continue
		}
		if (p.anyHandmade && strings.HasPrefix(sw.w.Name, "handmade")) || (!p.anyHandmade && sw.w.ID == p.id) {
			old = sw
			break
		}
	}
	if old == nil {
		return
	}
	cp := copyWebhook(old.w)
	cp.ID = ""
	s.removeLocked(old.w.ID)
	newID := s.storeLocked(team, cp)
	s.replacements = append(s.replacements, Replacement{TeamID: team, OldID: old.w.ID, NewID: newID})
}

// suffixLocked is the 32-hex suffix of a GraphQL hook's type: stable, but unpredictable without the salt.
func (s *Server) suffixLocked(id string, index int, typ string) string {
	h := md5.New()
	h.Write(s.salt)
	_, _ = fmt.Fprintf(h, "\x00%s\x00%d\x00%s", id, index, typ)
	return hex.EncodeToString(h.Sum(nil))
}
