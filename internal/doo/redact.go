package doo

import (
	"context"
	"strings"
	"sync"
)

// minSecretLen is the shortest value the redactor masks: shorter ones would mask ordinary words.
const minSecretLen = 4

// redactor masks every secret the client knows (API key, client secret, access tokens, receiver secrets
// it sent or listed) in anything that leaves the client: error messages from doo, transport errors and
// log fields. A server may echo what it was sent, so doo's own words are scrubbed too.
type redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
}

func newRedactor(secrets ...string) *redactor {
	r := &redactor{secrets: map[string]bool{}}
	r.add(secrets...)
	return r
}

func (r *redactor) add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets[s] = true
		}
	}
}

// scrub replaces every known secret in s with ***, longest first so a secret holding another is masked whole.
func (r *redactor) scrub(s string) string {
	if s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var found []string
	for v := range r.secrets {
		if strings.Contains(s, v) {
			found = append(found, v)
		}
	}
	for len(found) > 0 {
		longest := 0
		for i, v := range found {
			if len(v) > len(found[longest]) {
				longest = i
			}
		}
		s = strings.ReplaceAll(s, found[longest], "***")
		found = append(found[:longest], found[longest+1:]...)
	}
	return s
}

// scrubFields returns fields with every string value scrubbed.
func (r *redactor) scrubFields(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if s, ok := v.(string); ok {
			v = r.scrub(s)
		}
		out[k] = v
	}
	return out
}

// noteSecret adds a receiver secret the client sends to the secrets it masks.
func (t *transport) noteSecret(s string) { t.redact.add(s) }

// noteListedSecrets adds the receiver secrets of a listing to the secrets the client masks.
func (t *transport) noteListedSecrets(l *Listing) {
	for _, w := range l.Items {
		t.redact.add(webhookSecret(w))
	}
}

// debug and warn log through the configured Logger with every known secret masked.
func (t *transport) debug(ctx context.Context, msg string, fields map[string]any) {
	t.cfg.Logger.Debug(ctx, t.redact.scrub(msg), t.redact.scrubFields(fields))
}

func (t *transport) warn(ctx context.Context, msg string, fields map[string]any) {
	t.cfg.Logger.Warn(ctx, t.redact.scrub(msg), t.redact.scrubFields(fields))
}
