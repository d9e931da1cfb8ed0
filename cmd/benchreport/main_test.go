package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTally_countsRoutesStatusesAndSpan(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reqs := []request{
		{Route: "token", Status: 200, At: t0},
		{Route: "list", Status: 429, At: t0.Add(500 * time.Millisecond)},
		{Route: "list", Status: 200, At: t0.Add(1500 * time.Millisecond)},
		{Route: "delete", Status: 204, At: t0.Add(2 * time.Second)},
		{Route: "other", Status: 404, At: t0.Add(time.Second)},
	}
	var r Row
	tally(&r, reqs)
	if r.Token != 1 || r.List != 2 || r.Delete != 1 || r.Other != 1 || r.Total != 5 || r.Sent429 != 1 {
		t.Errorf("counts: %+v", r)
	}
	if r.SpanSeconds != 2 {
		t.Errorf("span = %v, want 2", r.SpanSeconds)
	}
}

func TestPeakRSS_skipsNonNumericLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rss")
	if err := os.WriteFile(path, []byte("30000\nCommand terminated by signal 9\n41000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	peak, n, err := peakRSS(path)
	if err != nil || peak != 41000 || n != 2 {
		t.Errorf("peakRSS = %d, %d, %v; want 41000, 2, nil", peak, n, err)
	}
	if peak, n, err := peakRSS(filepath.Join(t.TempDir(), "missing")); err != nil || peak != 0 || n != 0 {
		t.Errorf("missing file: %d, %d, %v", peak, n, err)
	}
}

func results(gs []goal) string {
	var out []string
	for _, g := range gs {
		switch {
		case g.info:
			out = append(out, "info")
		case g.ok:
			out = append(out, "PASS")
		default:
			out = append(out, "MISS")
		}
	}
	return strings.Join(out, ",")
}

func TestGoals_fromMeasuredFigures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"refresh exact", Row{Op: "refresh", Cache: "on", N: 100, Teams: 1, Token: 1, List: 4, Total: 5}, "PASS"},
		{"refresh one page too many", Row{Op: "refresh", Cache: "on", N: 100, Teams: 1, Token: 1, List: 5, Total: 6}, "MISS"},
		{"refresh two tokens", Row{Op: "refresh", Cache: "on", N: 10, Teams: 1, Token: 2, List: 1, Total: 3}, "MISS"},
		{"refresh 5 teams sums per team", Row{Op: "refresh", Cache: "on", N: 500, Teams: 5, Token: 1, List: 20, Total: 21}, "PASS"},
		{"refresh 5 small teams list one page each", Row{Op: "refresh", Cache: "on", N: 10, Teams: 5, Token: 1, List: 5, Total: 6}, "PASS"},
		{"create lists each team once", Row{Op: "create", Cache: "on", N: 10, Teams: 1, Token: 1, Create: 10, List: 1, Total: 12}, "PASS"},
		{"create without its baseline listing", Row{Op: "create", Cache: "on", N: 10, Teams: 1, Token: 1, Create: 10, Total: 11}, "MISS"},
		{"create that lists twice", Row{Op: "create", Cache: "on", N: 10, Teams: 1, Token: 1, Create: 10, List: 2, Total: 13}, "MISS"},
		{"create over 5 teams lists each once", Row{Op: "create", Cache: "on", N: 500, Teams: 5, Token: 1, Create: 500, List: 5, Total: 506}, "PASS"},
		{"destroy 100 at the limit", Row{Op: "destroy", Cache: "on", N: 100, Teams: 1, Total: 130}, "PASS"},
		{"destroy 100 over", Row{Op: "destroy", Cache: "on", N: 100, Teams: 1, Total: 131}, "MISS"},
		{"destroy 500 within a day", Row{Op: "destroy", Cache: "on", N: 500, Teams: 1, Total: 1000}, "PASS"},
		{"destroy 500 over a day", Row{Op: "destroy", Cache: "on", N: 500, Teams: 1, Total: 1001}, "MISS"},
		{"destroy 500 over 5 teams is reported only", Row{Op: "destroy", Cache: "on", N: 500, Teams: 5, Total: 5000}, "info"},
		{"import within N/25+2", Row{Op: "import", Cache: "on", N: 10, Teams: 1, List: 2}, "PASS"},
		{"import over N/25+2", Row{Op: "import", Cache: "on", N: 10, Teams: 1, List: 3}, "MISS"},
		{"baseline has no count goal", Row{Op: "refresh", Cache: "baseline", N: 100, Teams: 1, List: 400, Total: 401}, ""},
		{"throttled on time", Row{Op: "refresh", Cache: "baseline", N: 10, Teams: 1, RPS: 1, Throttle: true, Total: 11, SpanSeconds: 10.3}, "PASS,PASS"},
		{"throttled too slow", Row{Op: "refresh", Cache: "baseline", N: 10, Teams: 1, RPS: 1, Throttle: true, Total: 11, SpanSeconds: 11.5}, "PASS,MISS"},
		{"throttled 429 surfaced", Row{Op: "refresh", Cache: "baseline", N: 10, Teams: 1, RPS: 1, Throttle: true, Total: 11, SpanSeconds: 10, ExitCode: 1, Sent429: 3}, "MISS,PASS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := results(goals(tt.row)); got != tt.want {
				t.Errorf("goals(%+v) = %q, want %q", tt.row, got, tt.want)
			}
		})
	}
}
