package doofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// laminas-validator's message templates, by message key.
const (
	msgIsEmpty      = "Value is required and can't be empty"                  // NotEmpty::IS_EMPTY
	msgStringType   = "Invalid type given. String expected"                   // StringLength::INVALID, Uri::INVALID
	msgNotURI       = "The input does not appear to be a valid Uri"           // Uri::NOT_URI
	msgNotInArray   = "The input was not found in the haystack"               // InArray::NOT_IN_ARRAY
	msgRegexInvalid = "Invalid type given. String, integer or float expected" // Regex::INVALID
	msgCallback     = "The input is not valid"                                // Callback::INVALID_VALUE
)

// Patterns the emulator's rules use, shown in regexNotMatch messages as PHP patterns.
const (
	typePattern        = "/^(?!on_)[a-z][a-z_]*$/"
	accessTokenPattern = "/%ACCESS_TOKEN%/"
)

var hookMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// fieldErrors collects validation_messages: field → rule → message, nested by name and index.
type fieldErrors map[string]any

func (f fieldErrors) add(field, rule, msg string) {
	m, _ := f[field].(map[string]string)
	if m == nil {
		m = map[string]string{}
		f[field] = m
	}
	m[rule] = msg
}

func (f fieldErrors) nest(field string, sub fieldErrors) {
	if len(sub) > 0 {
		f[field] = map[string]any(sub)
	}
}

// decodeCreateBody decodes a create body as api-tools-content-negotiation does: an empty body is an
// empty object, invalid JSON or a JSON scalar is a 400 problem "JSON decoding error: ...".
func decodeCreateBody(body []byte) (map[string]any, *problem) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		err = fmt.Errorf("trailing data")
	}
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, "JSON decoding error: Syntax error, malformed JSON")
	}
	switch t := v.(type) {
	case map[string]any:
		return t, nil
	case []any:
		// A PHP list: an array without the configuration's keys.
		return map[string]any{}, nil
	}
	return nil, newProblem(http.StatusBadRequest, "JSON decoding error: Unknown error")
}

// validateCreate checks every field of a create body and reports every failing one, as
// api-tools-content-validation does (422 "Failed Validation"); on success it returns the configuration
// with defaults filled in (method POST).
func validateCreate(body []byte) (Webhook, *problem) {
	data, p := decodeCreateBody(body)
	if p != nil {
		return Webhook{}, p
	}
	errs := fieldErrors{}
	requiredString(errs, data, "name", 255)
	optionalString(errs, data, "description")
	optionalString(errs, data, "event_id")
	optionalString(errs, data, "event_guide_id")
	validateHooks(errs, data)
	if a, present := data["authentication"]; present && a != nil {
		sub := fieldErrors{}
		am, ok := a.(map[string]any)
		if !ok {
			errs.add("authentication", "callbackValue", msgCallback)
		} else {
			if gt, ok := am["grant_type"]; ok && gt != nil && gt != "" && gt != "client_credentials" {
				sub.add("grant_type", "notInArray", msgNotInArray)
			}
			requiredURL(sub, am, "endpoint")
			creds := fieldErrors{}
			cm, _ := am["credentials"].(map[string]any)
			if cm == nil {
				cm = map[string]any{}
			}
			optionalString(creds, cm, "client_id")
			requiredString(creds, cm, "client_secret", 0)
			sub.nest("credentials", creds)
			optionalString(sub, am, "header_format")
			if hv, ok := am["header_value_format"]; ok && hv != nil && hv != "" {
				s, isString := hv.(string)
				switch {
				case !isString:
					sub.add("header_value_format", "regexInvalid", msgRegexInvalid)
				case !strings.Contains(s, "%ACCESS_TOKEN%"):
					sub.add("header_value_format", "regexNotMatch", fmt.Sprintf("The input does not match against pattern '%s'", accessTokenPattern))
				}
			}
		}
		errs.nest("authentication", sub)
	}
	if len(errs) > 0 {
		p := newProblem(http.StatusUnprocessableEntity, "Failed Validation")
		p.validation = map[string]any(errs)
		return Webhook{}, p
	}
	var w Webhook
	clean, _ := json.Marshal(data)
	if err := json.Unmarshal(clean, &w); err != nil {
		// Every field was checked above; a failure here is an emulator bug.
		return Webhook{}, newProblem(http.StatusInternalServerError, "the emulator could not store a validated configuration: "+err.Error())
	}
	w.ID = ""
	for i := range w.Hooks {
		if w.Hooks[i].Method == "" {
			w.Hooks[i].Method = http.MethodPost
		}
		if o := w.Hooks[i].Origin; o != nil && o.Method == "" {
			o.Method = http.MethodPost
		}
	}
	return w, nil
}

func validateHooks(errs fieldErrors, data map[string]any) {
	raw, present := data["hooks"]
	list, ok := raw.([]any)
	switch {
	case !present || raw == nil || (ok && len(list) == 0):
		errs.add("hooks", "isEmpty", msgIsEmpty)
		return
	case !ok:
		errs.add("hooks", "callbackValue", msgCallback)
		return
	}
	all := fieldErrors{}
	for i, item := range list {
		sub := fieldErrors{}
		h, isObject := item.(map[string]any)
		if !isObject {
			h = map[string]any{}
		}
		if t, ok := h["type"]; !ok || t == nil || t == "" {
			sub.add("type", "isEmpty", msgIsEmpty)
		} else if s, isString := t.(string); !isString {
			sub.add("type", "regexInvalid", msgRegexInvalid)
		} else if !validTypeName(s) {
			sub.add("type", "regexNotMatch", fmt.Sprintf("The input does not match against pattern '%s'", typePattern))
		}
		optionalMethod(sub, h, "method")
		requiredURL(sub, h, "endpoint")
		if o, ok := h["origin"]; ok && o != nil {
			osub := fieldErrors{}
			om, isObject := o.(map[string]any)
			if !isObject {
				sub.add("origin", "callbackValue", msgCallback)
			} else {
				optionalMethod(osub, om, "method")
				requiredURL(osub, om, "endpoint")
				requiredString(osub, om, "body", 0)
				if b, ok := om["body"].(string); ok && b != "" && strings.TrimSpace(b) == "" {
					osub.add("body", "isEmpty", msgIsEmpty)
				}
			}
			sub.nest("origin", osub)
		}
		all.nest(fmt.Sprint(i), sub)
	}
	errs.nest("hooks", all)
}

// validTypeName accepts any lowercase [a-z_] name (doo knows types its docs lack) but not the on_ prefix.
func validTypeName(t string) bool {
	if strings.HasPrefix(t, "on_") {
		return false
	}
	for i, c := range t {
		if (c < 'a' || c > 'z') && (c != '_' || i == 0) {
			return false
		}
	}
	return t != ""
}

func requiredString(errs fieldErrors, m map[string]any, field string, maxLen int) {
	v, ok := m[field]
	if !ok || v == nil || v == "" {
		errs.add(field, "isEmpty", msgIsEmpty)
		return
	}
	checkString(errs, field, v, maxLen)
}

func optionalString(errs fieldErrors, m map[string]any, field string) {
	if v, ok := m[field]; ok && v != nil {
		checkString(errs, field, v, 0)
	}
}

func checkString(errs fieldErrors, field string, v any, maxLen int) {
	s, ok := v.(string)
	if !ok {
		errs.add(field, "stringLengthInvalid", msgStringType)
		return
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		errs.add(field, "stringLengthTooLong", fmt.Sprintf("The input is more than %d characters long", maxLen))
	}
}

func optionalMethod(errs fieldErrors, m map[string]any, field string) {
	v, ok := m[field]
	if !ok || v == nil || v == "" {
		return
	}
	s, _ := v.(string)
	for _, allowed := range hookMethods {
		if s == allowed {
			return
		}
	}
	errs.add(field, "notInArray", msgNotInArray)
}

// requiredURL checks an absolute http(s) URL of at most 1000 characters; every failing rule is reported.
func requiredURL(errs fieldErrors, m map[string]any, field string) {
	v, ok := m[field]
	if !ok || v == nil || v == "" {
		errs.add(field, "isEmpty", msgIsEmpty)
		return
	}
	s, isString := v.(string)
	if !isString {
		errs.add(field, "uriInvalid", msgStringType)
		return
	}
	if utf8.RuneCountInString(s) > 1000 {
		errs.add(field, "stringLengthTooLong", "The input is more than 1000 characters long")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs.add(field, "notUri", msgNotURI)
	}
}
