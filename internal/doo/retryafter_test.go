package doo

import (
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
