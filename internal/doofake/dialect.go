package doofake

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Content types of doo's answers.
const (
	// ContentTypeJSON is the Content-Type of doo's envelopes and of the gateway's own answers.
	ContentTypeJSON = "application/json"
	// ContentTypeHAL is the Content-Type of a listing (api-tools-hal).
	ContentTypeHAL = "application/hal+json"
	// ContentTypeProblem is the Content-Type of an ApiProblem (api-tools-api-problem, RFC 7807).
	ContentTypeProblem = "application/problem+json"
)

// ProblemType is the "type" api-tools-api-problem gives a problem when the code raising it names none.
const ProblemType = "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"

// oauthErrorType is the "type" of an OAuth2 problem that names an RFC 6749 section (oauth2-server-php).
const oauthErrorType = "http://tools.ietf.org/html/rfc6749#section-3.2"

// problemTitles are api-tools-api-problem's titles by status (ApiProblem::$problemStatusTitles).
var problemTitles = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Time-out",
	409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
	414: "Request-URI Too Large", 415: "Unsupported Media Type", 416: "Requested range not satisfiable",
	417: "Expectation Failed", 418: "I'm a teapot", 422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency",
	425: "Unordered Collection", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Time-out", 505: "HTTP Version not supported",
	506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected", 511: "Network Authentication Required",
}

// problem is an error as the framework raises it; rendered as an ApiProblem document by default, or as
// doo's envelope when envelope errors are switched on.
type problem struct {
	status int
	typ    string // "" means ProblemType
	title  string // "" means the status's title
	detail string
	// validation holds api-tools-content-validation's validation_messages, when set.
	validation map[string]any
	// empty answers no body at all (api-tools-rest's 405), unless envelope errors are on.
	empty bool
	// header is sent with the answer (Allow, WWW-Authenticate, Retry-After, Location).
	header http.Header
}

func newProblem(status int, detail string) *problem {
	return &problem{status: status, detail: detail, header: http.Header{}}
}

func (p *problem) titleOrDefault() string {
	if p.title != "" {
		return p.title
	}
	if t, ok := problemTitles[p.status]; ok && (p.typ == "" || p.typ == ProblemType) {
		return t
	}
	return "Unknown"
}

// problemJSON renders p as api-tools-api-problem does: additional details first, then type, title,
// status and detail. Strings go through encoding/json, which escapes &, < and > as \u0026, \u003c, \u003e.
func (p *problem) problemJSON() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(k string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			vb = []byte("null")
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	if p.validation != nil {
		field("validation_messages", p.validation)
	}
	typ := p.typ
	if typ == "" {
		typ = ProblemType
	}
	field("type", typ)
	field("title", p.titleOrDefault())
	field("status", p.status)
	field("detail", p.detail)
	b.WriteByte('}')
	return b.Bytes()
}

// envelopeMessage is the developer_message of p in envelope form: the detail, and each validation
// message as "field.path: message".
func (p *problem) envelopeMessage() string {
	if len(p.validation) == 0 {
		return p.detail
	}
	var parts []string
	flattenMessages("", p.validation, &parts)
	return p.detail + ": " + strings.Join(parts, "; ")
}

func flattenMessages(prefix string, v any, out *[]string) {
	switch m := v.(type) {
	case map[string]any:
		keys := sortedKeys(m)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flattenMessages(p, m[k], out)
		}
	case map[string]string:
		for _, k := range sortedStringKeys(m) {
			*out = append(*out, prefix+": "+m[k])
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortNatural(keys)
	return keys
}

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortNatural(keys)
	return keys
}

// sortNatural sorts keys, numeric ones by value first.
func sortNatural(keys []string) {
	less := func(a, b string) bool {
		ai, aerr := strconv.Atoi(a)
		bi, berr := strconv.Atoi(b)
		switch {
		case aerr == nil && berr == nil:
			return ai < bi
		case aerr == nil:
			return true
		case berr == nil:
			return false
		}
		return a < b
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && less(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// renderProblemLocked turns p into an answer in the dialect currently configured; with echo set, the
// raw request body is appended to the detail (the echoing-errors fault). s.mu must be held.
func (s *Server) renderProblemLocked(p *problem, path string, echo []byte) reply {
	if echo != nil {
		p.detail += "; request body: " + string(echo)
	}
	var rep reply
	switch {
	case s.set.EnvelopeErrors:
		rep = jsonReply(p.status, envelope{
			ResponseStatus: p.status, DeveloperMessage: p.envelopeMessage(), UserMessage: p.titleOrDefault(),
			Data: nil, Links: map[string]link{"self": {Href: docHost + path}},
		})
	case p.empty:
		rep = reply{status: p.status, header: http.Header{}}
	default:
		rep = reply{status: p.status, header: http.Header{"Content-Type": {ContentTypeProblem}}, body: p.problemJSON()}
	}
	for k, v := range p.header {
		rep.header[k] = v
	}
	return rep
}

// phpNumeric matches what PHP's is_numeric accepts (PHP 8: surrounding whitespace allowed).
var phpNumeric = regexp.MustCompile(`^[ \t\n\r\v\f]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$`)

// phpIntOfNumeric is (int) of a string is_numeric accepted: the number truncated toward zero.
func phpIntOfNumeric(s string) int {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	if f < math.MinInt32 {
		return math.MinInt32
	}
	return int(f)
}

// phpIntCast is PHP's (int) of any string: its leading integer, or 0.
func phpIntCast(s string) int {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	if phpNumeric.MatchString(s) {
		return phpIntOfNumeric(s)
	}
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	start := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == start {
		return 0
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		if s[0] == '-' {
			return math.MinInt32
		}
		return math.MaxInt32
	}
	return n
}
