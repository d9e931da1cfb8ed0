package doo_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// echoSecret is a receiver secret every encoder writes differently: & < > and quotes are escaped by
// json.Marshal, '/' by some JSON encoders, é by ASCII-only ones, and all but the letters by URL encoding.
const echoSecret = `R&D<"x'>/é`

// asciiJSON writes s as the inside of a JSON string the way ASCII-only encoders do: every non-ASCII
// character and '/' escaped, besides what json.Marshal escapes.
func asciiJSON(s string) string {
	b, _ := json.Marshal(s)
	var out strings.Builder
	for _, c := range string(b[1 : len(b)-1]) {
		switch {
		case c == '/':
			out.WriteString(`\/`)
		case c > 0x7f:
			out.WriteString(jsonUnicode(c))
		default:
			out.WriteRune(c)
		}
	}
	return out.String()
}

func jsonUnicode(c rune) string {
	const hex = "0123456789abcdef"
	return `\u` + string([]byte{hex[c>>12&0xf], hex[c>>8&0xf], hex[c>>4&0xf], hex[c&0xf]})
}

// echoForms are the forms of secret a test looks for in an error or a log.
func echoForms(secret string) []string {
	b, _ := json.Marshal(secret)
	inner := string(b[1 : len(b)-1])
	return []string{secret, inner, asciiJSON(secret), url.QueryEscape(secret), url.PathEscape(secret),
		url.QueryEscape(inner), url.Values{"s": {secret}}.Encode()[2:],
		// Fragments that survive only where the secret was not masked whole.
		`R\u0026D`, "R%26D", "R&D", `x'`, "x%27"}
}

// A doo that echoes the request in its error messages, encoded one way or another, never gets a form of
// a secret into the error or the log.
func TestError_echoedSecretsAreScrubbedInEveryEncoding(t *testing.T) {
	t.Parallel()
	echoes := map[string]func(body []byte, secret string) string{
		"the JSON body as sent":              func(body []byte, _ string) string { return string(body) },
		"the body JSON-encoded again":        func(body []byte, _ string) string { b, _ := json.Marshal(string(body)); return string(b) },
		"the secret ASCII-only JSON":         func(_ []byte, s string) string { return "secret was " + asciiJSON(s) },
		"the body query-escaped":             func(body []byte, _ string) string { return "body=" + url.QueryEscape(string(body)) },
		"the secret query-escaped":           func(_ []byte, s string) string { return "?client_secret=" + url.QueryEscape(s) + "&x=1" },
		"the secret path-escaped":            func(_ []byte, s string) string { return "/receivers/" + url.PathEscape(s) + "/token" },
		"the secret form-encoded with space": func(_ []byte, s string) string { return url.Values{"s": {s + " " + s}}.Encode() },
		"the secret as HTML":                 func(_ []byte, s string) string { return "<p>R&amp;D&lt;&quot;x&#39;&gt;/&#233;</p>" },
	}
	for name, echo := range echoes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wrap := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/webhooks") {
						next.ServeHTTP(w, r)
						return
					}
					body, _ := io.ReadAll(r.Body)
					var sent doo.Webhook
					_ = json.Unmarshal(body, &sent)
					msg := echo(body, sent.Authentication.Credentials.ClientSecret)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_ = json.NewEncoder(w).Encode(map[string]string{"user_message": "invalid: " + msg, "developer_message": "got " + msg})
				})
			}
			env := newTestEnv(t, doofake.Options{}, nil, wrap)
			sent := webhook("echoed")
			sent.Authentication = &doo.Authentication{Endpoint: "https://crm.example.com/token",
				Credentials: doo.Credentials{ClientID: "doo", ClientSecret: echoSecret}}
			_, err := env.Client.CreateWebhook(t.Context(), testTeam, sent)
			if err == nil {
				t.Fatal("want the 400")
			}
			for _, form := range echoForms(echoSecret) {
				if strings.Contains(err.Error(), form) {
					t.Errorf("error %q holds %q", err, form)
				}
				if strings.Contains(env.Log.Text(), form) {
					t.Errorf("the log holds %q", form)
				}
			}
			if !strings.Contains(err.Error(), "***") {
				t.Errorf("error %q shows no masked secret", err)
			}
		})
	}
}

// A create answered with the stored configuration where its id should be fails without quoting the
// answer: the configuration holds credentials, the client's own and ones it never saw.
func TestCreateWebhook_unreadableIDNeverQuotesTheAnswer(t *testing.T) {
	t.Parallel()
	const unknownSecret = "stored-secret-the-client-never-sent"
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/webhooks") {
				next.ServeHTTP(w, r)
				return
			}
			body, _ := io.ReadAll(r.Body)
			var stored map[string]any
			_ = json.Unmarshal(body, &stored)
			stored["extra"] = map[string]any{"credentials": map[string]string{"client_secret": unknownSecret}}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"data": stored})
		})
	}
	env := newTestEnv(t, doofake.Options{}, nil, wrap)
	sent := webhook("answered-with-object")
	sent.Authentication = &doo.Authentication{Endpoint: "https://crm.example.com/token",
		Credentials: doo.Credentials{ClientID: "doo", ClientSecret: echoSecret}}
	res, err := env.Client.CreateWebhook(t.Context(), testTeam, sent)
	if err != nil || res.Outcome != doo.Undecided || res.Cause == nil {
		t.Fatalf("CreateWebhook = %+v, %v; want an undecided outcome for an answer without a readable id", res, err)
	}
	msg := res.Cause.Error()
	for _, form := range append(echoForms(echoSecret), unknownSecret, "client_secret", "crm.example.com") {
		if strings.Contains(msg, form) {
			t.Errorf("error %q holds %q from the answer", msg, form)
		}
	}
	if !strings.Contains(msg, "JSON object without an id") {
		t.Errorf("error %q does not say what the answer held instead of an id", msg)
	}
}
