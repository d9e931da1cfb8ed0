package doo

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Every encoded form of a known secret is masked, alone or inside other text, and so are forms that
// overlap another secret's.
func TestRedactor_scrubsEveryEncodedForm(t *testing.T) {
	t.Parallel()
	const secret = `R&D<"x'>/é 😀`
	r := newRedactor(secret, "short", "abc")
	goJSON, _ := json.Marshal(secret)
	inner := string(goJSON[1 : len(goJSON)-1])
	twice, _ := json.Marshal(inner)
	forms := map[string]string{
		"raw":                  secret,
		"json.Marshal":         inner,
		"JSON encoded twice":   string(twice[1 : len(twice)-1]),
		"JSON without HTML":    `R&D<\"x'>/é 😀`,
		"ASCII-only JSON":      `R\u0026D\u003C\"x\u0027\u003E\/\u00E9 \ud83d\ude00`,
		"query escape":         url.QueryEscape(secret),
		"path escape":          url.PathEscape(secret),
		"lower-case percent":   regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.PathEscape(secret), strings.ToLower),
		"form encoding":        url.Values{"k": {secret}}.Encode()[2:],
		"query escape of JSON": url.QueryEscape(inner),
		"HTML entities":        "R&amp;D&lt;&quot;x&#39;&gt;/&#233; &#x1F600;",
	}
	for name, form := range forms {
		got := r.scrub("before " + form + " after")
		if got != "before *** after" {
			t.Errorf("%s: %q scrubbed to %q", name, form, got)
		}
	}
	// Values shorter than minSecretLen are never masked.
	if got := r.scrub("a shorter word and abcd"); got != "a ***er word and abcd" {
		t.Errorf("got %q", got)
	}
	// Overlapping secrets are masked over the whole stretch they cover.
	o := newRedactor("abcdef", "cdefghij")
	if got := o.scrub("xxabcdefghijyy"); got != "xx***yy" {
		t.Errorf("overlapping secrets scrubbed to %q, want xx***yy", got)
	}
	var none *redactor
	if got := none.scrub("text"); got != "text" {
		t.Errorf("a nil redactor changed the text to %q", got)
	}
}

// leakyID fails to decode with an error that quotes what it was given.
type leakyID struct{}

func (*leakyID) UnmarshalJSON(data []byte) error { return errors.New("cannot read " + string(data)) }

// The text of an *Error the client returns is scrubbed whole, Err included, whatever Err quotes.
func TestError_errTextIsScrubbed(t *testing.T) {
	t.Parallel()
	const secret = "receiver/secret&1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"data":"` + strings.ReplaceAll(secret, "&", `\u0026`) + `"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, APIKey: "scrub-key", AccessToken: "scrub-token", RequestsPerSecond: 1000,
		HTTPClient: srv.Client(), GateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c.t.noteSecret(secret)
	var out struct {
		Data leakyID `json:"data"`
	}
	err = c.t.do(t.Context(), request{method: http.MethodGet, path: "/v1/leaky", auth: true}, &out)
	if err == nil {
		t.Fatal("want the decoding error")
	}
	if msg := err.Error(); strings.Contains(msg, "receiver") || !strings.Contains(msg, "***") {
		t.Errorf("error %q is not scrubbed", msg)
	}
}
