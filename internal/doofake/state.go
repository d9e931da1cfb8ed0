package doofake

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// stateFile is the JSON form of the stored configurations, for cmd/doofake's -state-file.
type stateFile struct {
	Salt     string       `json:"salt"`
	Webhooks []stateEntry `json:"webhooks"`
}

type stateEntry struct {
	TeamID    int64     `json:"team_id"`
	CreatedAt time.Time `json:"created_at"`
	Webhook   Webhook   `json:"webhook"`
	NumericID bool      `json:"numeric_id,omitempty"`
}

// SaveState writes the stored configurations (and the suffix salt) as JSON to out.
func (s *Server) SaveState(out io.Writer) error {
	s.mu.Lock()
	s.commitDueLocked()
	st := stateFile{Salt: hex.EncodeToString(s.salt), Webhooks: make([]stateEntry, 0, len(s.webhooks))}
	for _, sw := range s.webhooks {
		st.Webhooks = append(st.Webhooks, stateEntry{TeamID: sw.team, CreatedAt: sw.created, Webhook: copyWebhook(sw.w), NumericID: sw.numeric})
	}
	s.mu.Unlock()
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// LoadState replaces the stored configurations with those SaveState wrote to in.
func (s *Server) LoadState(in io.Reader) error {
	var st stateFile
	if err := json.NewDecoder(in).Decode(&st); err != nil {
		return fmt.Errorf("doofake state: %w", err)
	}
	salt, err := hex.DecodeString(st.Salt)
	if err != nil {
		return fmt.Errorf("doofake state salt: %w", err)
	}
	list, byID := make([]*storedWebhook, 0, len(st.Webhooks)), map[string]*storedWebhook{}
	for _, e := range st.Webhooks {
		w := copyWebhook(e.Webhook)
		if w.ID == "" || byID[w.ID] != nil {
			return fmt.Errorf("doofake state: configuration %q has an empty or duplicate id", w.ID)
		}
		sw := &storedWebhook{team: e.TeamID, created: e.CreatedAt, w: w, numeric: e.NumericID}
		list = append(list, sw)
		byID[w.ID] = sw
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(salt) > 0 {
		s.salt = salt
	}
	s.webhooks, s.byID = list, byID
	for id := range byID {
		s.usedIDs[id] = true
	}
	return nil
}
