package doo

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// doosWords reads what doo said in an error answer, whichever kind of body it is:
//
//   - an ApiProblem (RFC 7807, what Laminas API Tools renders for its own errors): "detail", the "title"
//     where it says more than the status line, and each entry of "validation_messages" (field → rule →
//     message, nested by index for lists) as "hooks.0.endpoint: message";
//   - doo's envelope: "user_message", then "developer_message" when it differs;
//   - the API gateway's {"message": "..."}.
//
// Fields of an unexpected type are skipped rather than failing the whole reading: an error answer is
// shown, never trusted for a conclusion. The words are not scrubbed here.
func doosWords(status int, body []byte) []string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		for _, have := range out {
			if have == s {
				return
			}
		}
		if s != "" {
			out = append(out, s)
		}
	}
	field := func(name string) string {
		s, _ := asString(fields[name])
		return s
	}
	if title := field("title"); !strings.EqualFold(title, http.StatusText(status)) {
		add(title)
	}
	add(field("detail"))
	if raw, ok := fields["validation_messages"]; ok {
		for _, m := range validationMessages(raw) {
			add(m)
		}
	}
	add(field("user_message"))
	add(field("developer_message"))
	add(field("message"))
	return out
}

// validationMessages flattens api-tools-content-validation's validation_messages into "path: message"
// lines, in a stable order. A message's rule name (isEmpty, notUri, ...) is dropped: the path and the
// message say it. A message given straight under a field, or a list of messages, is taken as well.
func validationMessages(raw json.RawMessage) []string {
	var out []string
	var walk func(path []string, raw json.RawMessage)
	walk = func(path []string, raw json.RawMessage) {
		if s, ok := asString(raw); ok {
			out = append(out, line(path, s))
			return
		}
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			for _, item := range list {
				walk(path, item)
			}
			return
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		// An object whose values are all messages maps rule names to messages: its keys are no field.
		rules := true
		for _, k := range keys {
			if _, ok := asString(obj[k]); !ok {
				rules = false
				break
			}
		}
		for _, k := range keys {
			if rules && len(path) > 0 {
				walk(path, obj[k])
			} else {
				walk(append(path[:len(path):len(path)], k), obj[k])
			}
		}
	}
	walk(nil, raw)
	return out
}

func asString(raw json.RawMessage) (string, bool) {
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

func line(path []string, msg string) string {
	if len(path) == 0 {
		return msg
	}
	return strings.Join(path, ".") + ": " + msg
}
