package doo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter_neverOverflows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 60 ", time.Minute},
		{"9223372037", maxRetryAfter},              // overflows a Duration in nanoseconds
		{"99999999999999999999999", maxRetryAfter}, // overflows int64
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.AddDate(5, 0, 0).Format(http.TimeFormat), maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestQuotaHint_tooLongSaysSo(t *testing.T) {
	t.Parallel()
	if h := quotaHint(maxRetryAfter); !strings.Contains(h, "more than") {
		t.Errorf("quotaHint = %q, want it to say the wait is more than the maximum", h)
	}
}

func TestParseID_keepsEveryDigit(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{`"0f5566bb-d35b-11e7"`, "0f5566bb-d35b-11e7"},
		{`"12"`, "12"},
		{`9007199254740993`, "9007199254740993"}, // 2^53 + 1: a float64 would say ...992
		{`12345678901234567890123`, "12345678901234567890123"},
		{`null`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		got, err := parseID([]byte(tt.raw))
		if err != nil || got != tt.want {
			t.Errorf("parseID(%s) = %q, %v, want %q", tt.raw, got, err, tt.want)
		}
	}
	if _, err := parseID([]byte(`{"id":1}`)); err == nil {
		t.Error("parseID of an object: want an error")
	}
}

func TestWebhookUnmarshal_numericIDAndOmittedDescription(t *testing.T) {
	t.Parallel()
	var w Webhook
	if err := json.Unmarshal([]byte(`{"id":9007199254740993,"name":"n","hooks":[]}`), &w); err != nil {
		t.Fatal(err)
	}
	if w.ID != "9007199254740993" || !w.DescriptionOmitted || w.Description != "" {
		t.Errorf("got id %q, omitted %v, description %q", w.ID, w.DescriptionOmitted, w.Description)
	}
	if err := json.Unmarshal([]byte(`{"id":"a","name":"n","description":"","hooks":[]}`), &w); err != nil {
		t.Fatal(err)
	}
	if w.DescriptionOmitted {
		t.Error("an empty description that doo sent was read as omitted")
	}
	sent := Webhook{Name: "n", Description: "kept in state"}
	listed := Webhook{Name: "n", DescriptionOmitted: true}
	if !Equivalent(sent, listed) {
		t.Error("Equivalent compared a description doo did not echo")
	}
}
