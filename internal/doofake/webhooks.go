package doofake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// listedWebhook is a list item: the stored configuration, plus with extra list fields on fields
// clients must ignore.
type listedWebhook struct {
	ID             any             `json:"id"` // string, or json.Number for numeric ids
	Name           string          `json:"name"`
	Description    *string         `json:"description,omitempty"` // nil only when description is omitted
	EventID        string          `json:"event_id,omitempty"`
	EventGuideID   string          `json:"event_guide_id,omitempty"`
	Hooks          []listedHook    `json:"hooks"`
	Authentication *Authentication `json:"authentication,omitempty"`
	Status         string          `json:"status,omitempty"`
	CreatedAt      string          `json:"created_at,omitempty"`
	Links          map[string]link `json:"_links"`
}

// listedHook is a hook as the list shows it: GraphQL hooks get a suffixed type.
type listedHook struct {
	Type     string  `json:"type"`
	Method   string  `json:"method"`
	Endpoint string  `json:"endpoint"`
	Origin   *Origin `json:"origin,omitempty"`
	Active   *bool   `json:"active,omitempty"`
}

// listPage is api-tools-hal's rendering of a paginated collection (Hal::renderCollection).
type listPage struct {
	Links      map[string]link            `json:"_links"`
	Embedded   map[string][]listedWebhook `json:"_embedded"`
	PageCount  int                        `json:"page_count"`
	PageSize   int                        `json:"page_size"`
	TotalItems int                        `json:"total_items"`
	Page       int                        `json:"page"`
}

// createLocked answers POST /v1/team/{team}/webhooks; s.mu must be held.
func (s *Server) createLocked(path string, team int64, body []byte) (reply, *problem) {
	w, p := validateCreate(body)
	if p != nil {
		return reply{}, p
	}
	if len(s.lateArms) > 0 {
		delay := s.lateArms[0]
		s.lateArms = s.lateArms[1:]
		now := s.now()
		s.lateQueue = append(s.lateQueue, lateCommit{team: team, w: w, answered: now, due: now.Add(delay)})
		return reply{}, newProblem(http.StatusGatewayTimeout, "Gateway Time-out (fault injected by the emulator)")
	}
	id := s.storeLocked(team, w)
	if len(s.losses) > 0 {
		status := s.losses[0]
		s.losses = s.losses[1:]
		if status == StatusNoResponse {
			return reply{status: StatusNoResponse, hangUp: true}, nil
		}
		return reply{}, newProblem(status, http.StatusText(status)+" (the configuration was stored; answer lost by the emulator)")
	}
	data := s.jsonIDLocked(id)
	if s.set.CreateAnswersObject {
		data = s.objectLocked(id)
	}
	return envelopeReply(s.set.CreateStatus, path, "Success", "Success", data), nil
}

// objectLocked is the stored configuration id as a JSON object, secrets included; s.mu must be held.
func (s *Server) objectLocked(id string) map[string]any {
	sw := s.byID[id]
	b, _ := json.Marshal(sw.w)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["id"] = s.jsonIDLocked(id)
	return m
}

// jsonIDLocked is id as the API shows it: a JSON number for numeric ids, else a string; s.mu must be held.
func (s *Server) jsonIDLocked(id string) any {
	if sw := s.byID[id]; sw != nil && sw.numeric {
		return json.Number(id)
	}
	return id
}

// pageParam reads ?page= as api-tools-rest does (RestController::prepareHalCollection hands it to
// api-tools-hal's Collection::setPage): absent means 1; a value PHP's is_numeric refuses or an array is
// "Page must be an integer", one below 1 "Page must be a positive integer", both 400 problems.
func pageParam(q url.Values) (int, *problem) {
	for k := range q {
		if strings.HasPrefix(k, "page[") {
			return 0, newProblem(http.StatusBadRequest, `Page must be an integer; received "array"`)
		}
	}
	raw, present := q["page"]
	if !present {
		return 1, nil
	}
	if !phpNumeric.MatchString(raw[0]) {
		return 0, newProblem(http.StatusBadRequest, `Page must be an integer; received "string"`)
	}
	page := phpIntOfNumeric(raw[0])
	if page < 1 {
		return 0, newProblem(http.StatusBadRequest, fmt.Sprintf(`Page must be a positive integer; received "%d"`, page))
	}
	return page, nil
}

// pageSizeLocked is the page size of this listing: the fixed one, or with Settings.PageSizeParam the client's
// choice, checked as api-tools-rest's getList and api-tools-hal's Collection::setPageSize do (-1 turns
// pagination off); used reports whether the client chose it; s.mu must be held.
func (s *Server) pageSizeLocked(q url.Values) (size int, used bool, p *problem) {
	size = s.set.PageSize
	param := s.set.PageSizeParam
	if param.Name == "" {
		return size, false, nil
	}
	raw, present := q[param.Name]
	if !present {
		return size, false, nil
	}
	size = phpIntCast(raw[0])
	if param.Max > 0 && size > param.Max {
		if !param.Clamp {
			return 0, false, newProblem(http.StatusRequestedRangeNotSatisfiable,
				fmt.Sprintf("Page size is out of range, maximum page size is %d", param.Max))
		}
		size = param.Max
	}
	if size < 1 && size != -1 {
		return 0, false, newProblem(http.StatusBadRequest,
			fmt.Sprintf(`size must be a positive integer or -1 (to disable pagination); received "%d"`, size))
	}
	return size, true, nil
}

// listLocked answers GET /v1/team/{team}/webhooks?page=N as api-tools-rest and api-tools-hal do; s.mu
// must be held.
func (s *Server) listLocked(r *http.Request, team int64) (reply, *problem) {
	q := r.URL.Query()
	size, sizeUsed, p := s.pageSizeLocked(q)
	if p != nil {
		return reply{}, p
	}
	page, p := pageParam(q)
	if p != nil {
		return reply{}, p
	}
	if s.set.IgnorePageParam > 0 {
		page = 1
	}
	if s.set.UnstableOrder && page == 1 {
		s.rotateTeamLocked(team)
	}
	var all []*storedWebhook
	for _, sw := range s.webhooks {
		if sw.team == team {
			all = append(all, sw)
		}
	}
	total := len(all)
	perPage := size
	if perPage == -1 {
		perPage = max(total, 1)
	}
	pages := (total + perPage - 1) / perPage
	if s.set.LegacyEmptyList && pages == 0 {
		pages = 1
	}
	if s.set.IgnorePageParam > 0 {
		pages = s.set.IgnorePageParam
	}
	base := docHost + r.URL.Path
	href := func(n int) string {
		v := url.Values{}
		if sizeUsed {
			v.Set(s.set.PageSizeParam.Name, strconv.Itoa(size))
		}
		if n > 0 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	out := listPage{
		Embedded:   map[string][]listedWebhook{"webhooks": {}},
		PageSize:   size,
		TotalItems: total,
	}
	if pages == 0 {
		// PaginationInjector returns before checking the page or adding links; renderCollection
		// then says page 0. The self link is the one the controller set: the route, no page.
		out.Links = map[string]link{"self": {Href: href(0)}}
		return jsonHALReply(out), nil
	}
	if page > pages {
		return reply{}, newProblem(http.StatusConflict, "Invalid page provided")
	}
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		out.Embedded["webhooks"] = append(out.Embedded["webhooks"], s.listedLocked(all[i]))
	}
	if page == 1 && (total+perPage-1)/perPage > 1 {
		s.replaceBetweenPagesLocked(team)
		s.deleteBetweenPagesLocked(team)
	}
	out.Links = map[string]link{"self": {Href: href(page)}, "first": {Href: href(0)}, "last": {Href: href(pages)}}
	if page > 1 {
		out.Links["prev"] = link{Href: href(page - 1)}
	}
	if page < pages {
		out.Links["next"] = link{Href: href(page + 1)}
	}
	out.PageCount, out.Page = pages, page
	return jsonHALReply(out), nil
}

func jsonHALReply(v any) reply {
	rep := jsonReply(http.StatusOK, v)
	if rep.status == http.StatusOK {
		rep.header.Set("Content-Type", ContentTypeHAL)
	}
	return rep
}

// listedLocked renders one stored configuration as a list item; s.mu must be held.
func (s *Server) listedLocked(sw *storedWebhook) listedWebhook {
	w := copyWebhook(sw.w)
	item := listedWebhook{
		ID: s.jsonIDLocked(w.ID), Name: w.Name, Authentication: w.Authentication,
		Hooks: make([]listedHook, len(w.Hooks)),
		Links: map[string]link{"self": {Href: "https://api.doo.net/v1/webhooks/" + w.ID}},
	}
	if s.set.ExtraListFields {
		item.Status, item.CreatedAt = "active", sw.created.Format(time.RFC3339)
	}
	if !s.set.OmitEventIDsInList {
		item.EventID, item.EventGuideID = w.EventID, w.EventGuideID
	}
	if !s.set.OmitDescriptionInList {
		item.Description = &w.Description
	}
	for i, h := range w.Hooks {
		typ := h.Type
		if h.Origin != nil {
			typ += "_" + s.suffixLocked(w.ID, i, h.Type)
		}
		item.Hooks[i] = listedHook{Type: typ, Method: h.Method, Endpoint: h.Endpoint, Origin: h.Origin}
		if s.set.ExtraListFields {
			active := true
			item.Hooks[i].Active = &active
		}
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
		if (p.match != nil && p.match(copyWebhook(sw.w))) || (p.match == nil && sw.w.ID == p.id) {
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

// deleteBetweenPagesLocked fires the team's first armed DeleteBetweenPages; s.mu must be held.
func (s *Server) deleteBetweenPagesLocked(team int64) {
	queue := s.pendingDeletes[team]
	if len(queue) == 0 {
		return
	}
	id := queue[0]
	if len(queue) == 1 {
		delete(s.pendingDeletes, team)
	} else {
		s.pendingDeletes[team] = queue[1:]
	}
	if sw := s.byID[id]; sw == nil || sw.team != team {
		return
	}
	s.removeLocked(id)
	s.deletions = append(s.deletions, Deletion{TeamID: team, ID: id})
}

// suffixLocked is the 32-hex suffix of a GraphQL hook's type: stable, but unpredictable without the salt.
func (s *Server) suffixLocked(id string, index int, typ string) string {
	h := md5.New()
	h.Write(s.salt)
	_, _ = fmt.Fprintf(h, "\x00%s\x00%d\x00%s", id, index, typ)
	return hex.EncodeToString(h.Sum(nil))
}

// rotateTeamLocked moves the team's first configuration to the end of the stored order; s.mu must be held.
func (s *Server) rotateTeamLocked(team int64) {
	for i, sw := range s.webhooks {
		if sw.team == team {
			s.webhooks = append(append(s.webhooks[:i:i], s.webhooks[i+1:]...), sw)
			return
		}
	}
}
