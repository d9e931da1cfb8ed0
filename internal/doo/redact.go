package doo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// minSecretLen is the shortest value the redactor masks: shorter ones would mask ordinary words.
const minSecretLen = 4

// redactor masks every secret the client knows (API key, client secret, access tokens, receiver secrets
// it sent or listed) in anything that leaves the client: error messages from doo, transport errors, the
// text of the errors its requests return, and log fields. A server may echo what it was sent, and it may echo it encoded:
// JSON-escaped (json.Marshal writes & < > as \u0026 \u003c \u003e, other encoders escape '/' or every
// non-ASCII character), URL-encoded (query, path or form encoding), as HTML entities, or such a form
// encoded once more. Every such form of a secret is masked.
type redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	// byFirst lists, for each byte, the secrets some form of which starts with it.
	byFirst [256][]*secretForms
	// forms caches the forms of each character: secrets share most of their characters.
	forms map[rune]charFormSet
}

// secretForms matches the encoded forms of one secret: alts[k] holds every way its k-th character may
// be written. Each character is matched independently, so a form mixing encodings matches too, which
// only masks more.
type secretForms struct {
	alts []charFormSet
}

// charFormSet is every way one character may be written (charForms), by first byte, longest first.
type charFormSet map[byte][]string

func newRedactor(secrets ...string) *redactor {
	r := &redactor{secrets: map[string]bool{}, forms: map[rune]charFormSet{}}
	r.add(secrets...)
	return r
}

func (r *redactor) add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecretLen || r.secrets[s] {
			continue
		}
		r.secrets[s] = true
		f := &secretForms{}
		for _, c := range s {
			if r.forms[c] == nil {
				set := charFormSet{}
				for _, form := range charForms(c) {
					set[form[0]] = append(set[form[0]], form)
				}
				r.forms[c] = set
			}
			f.alts = append(f.alts, r.forms[c])
		}
		for b := range f.alts[0] {
			r.byFirst[b] = append(r.byFirst[b], f)
		}
	}
}

// scrub replaces every form of every known secret in s with ***. Where forms overlap (a secret holding
// another, or the end of one secret being the start of another) the whole stretch they cover is masked.
func (r *redactor) scrub(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var b strings.Builder
	last, start, end := 0, -1, -1
	flush := func() {
		if start >= 0 {
			b.WriteString(s[last:start])
			b.WriteString("***")
			last = end
		}
	}
	for i := 0; i < len(s); i++ {
		longest := -1
		for _, f := range r.byFirst[s[i]] {
			longest = max(longest, f.matchAt(s, i))
		}
		switch {
		case longest <= i:
		case start >= 0 && i < end:
			end = max(end, longest)
		default:
			flush()
			start, end = i, longest
		}
	}
	if start < 0 {
		return s
	}
	flush()
	b.WriteString(s[last:])
	return b.String()
}

// matchAt returns the end of a form of the secret that starts at s[i], or -1. The longest way of
// writing each character is tried first.
func (f *secretForms) matchAt(s string, i int) int {
	var m matchMemo
	return f.match(s, 0, i, &m)
}

// matchMemo remembers the (character, position) pairs that lead to no match, once the search has met
// a character written in more than one matching way (before that, no pair can be tried twice).
type matchMemo struct {
	branched bool
	failed   map[[2]int]bool
}

func (f *secretForms) match(s string, k, i int, m *matchMemo) int {
	if k == len(f.alts) {
		return i
	}
	if i == len(s) || m.failed[[2]int{k, i}] {
		return -1
	}
	tried := 0
	for _, a := range f.alts[k][s[i]] {
		if !strings.HasPrefix(s[i:], a) {
			continue
		}
		if tried++; tried > 1 {
			m.branched = true
		}
		if end := f.match(s, k+1, i+len(a), m); end >= 0 {
			return end
		}
	}
	if m.branched {
		if m.failed == nil {
			m.failed = map[[2]int]bool{}
		}
		m.failed[[2]int{k, i}] = true
	}
	return -1
}

// charForms returns every way c may be written in an echo: as itself; JSON-escaped (\uXXXX in either
// case, a surrogate pair beyond the BMP, or a short escape such as \" or \/); percent-encoded (either
// case, '+' for a space); as an HTML entity; and each of those encoded once more by JSON or by URL
// query or path escaping. Longest first.
func charForms(c rune) []string {
	lit := string(c)
	first := []string{lit}
	if r1, r2 := utf16.EncodeRune(c); r1 != utf8.RuneError {
		first = append(first, fmt.Sprintf(`\u%04x\u%04x`, r1, r2), fmt.Sprintf(`\u%04X\u%04X`, r1, r2))
	} else {
		first = append(first, fmt.Sprintf(`\u%04x`, c), fmt.Sprintf(`\u%04X`, c))
	}
	if short, ok := jsonShortEscapes[c]; ok {
		first = append(first, short)
	}
	var lower, upper strings.Builder
	for _, b := range []byte(lit) {
		fmt.Fprintf(&lower, "%%%02x", b)
		fmt.Fprintf(&upper, "%%%02X", b)
	}
	first = append(first, lower.String(), upper.String(), fmt.Sprintf("&#%d;", c), fmt.Sprintf("&#x%x;", c), fmt.Sprintf("&#x%X;", c))
	if name, ok := htmlEntities[c]; ok {
		first = append(first, name)
	}
	if c == ' ' {
		first = append(first, "+")
	}
	all := slices.Clone(first)
	for _, f := range first[1:] {
		all = append(all, jsonEscape(f, true), jsonEscape(f, false), url.QueryEscape(f), url.PathEscape(f))
	}
	slices.SortFunc(all, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(all)
}

var jsonShortEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '/': `\/`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}

var htmlEntities = map[rune]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\'': "&apos;"}

// jsonEscape returns s as the inside of a JSON string, with or without Go's escaping of & < >.
func jsonEscape(s string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
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

// attach makes the first *Error in err's chain print itself scrubbed by r.
func (r *redactor) attach(err error) {
	if e := asError(err); e != nil && e.redact == nil {
		e.redact = r
	}
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
