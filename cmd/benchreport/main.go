// Command benchreport is the helper behind scripts/bench.sh (make bench).
//
//	benchreport record -url URL -out results.jsonl [row flags]
//	    reads what the emulator at URL recorded since its last reset (GET /_fake/requests) and the
//	    provider's peak RSS from a /usr/bin/time output file, and appends one measured row.
//	benchreport report -in results.jsonl [-meta file] [-skipped file] [-o BENCHMARKS.md]
//	    renders every row as markdown tables, evaluates the goals from the measured figures,
//	    prints the result and writes it to -o.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchreport record|report [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "record":
		err = record(os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// Row is one measured CLI command.
type Row struct {
	Group    string  `json:"group"`     // table the row belongs to
	Scenario string  `json:"scenario"`  // e.g. "1 team"
	Op       string  `json:"op"`        // create, refresh, import, destroy
	N        int     `json:"n"`         // configurations
	Teams    int     `json:"teams"`     // teams they are spread over, evenly
	Cache    string  `json:"cache"`     // "on" or "baseline"
	RPS      float64 `json:"rps"`       // provider requests_per_second (and emulator limit when Throttled)
	Throttle bool    `json:"throttle"`  // the emulator enforced RPS too
	PageSize int     `json:"page_size"` // configurations a list page holds (the emulator's, or the one the client asked for)
	Command  string  `json:"command"`

	Token         int     `json:"token"`
	List          int     `json:"list"`
	Create        int     `json:"create"`
	Delete        int     `json:"delete"`
	Organizations int     `json:"organizations"`
	Other         int     `json:"other"`
	Total         int     `json:"total"`
	Sent429       int     `json:"sent_429"`
	SpanSeconds   float64 `json:"span_s"`
	WallSeconds   float64 `json:"wall_s"`
	ExitCode      int     `json:"exit"`
	ExpectExit    int     `json:"expect_exit"`
	PeakRSSKiB    int     `json:"peak_rss_kib"`
	Processes     int     `json:"processes"`
	Check         string  `json:"check,omitempty"` // a correctness problem seen by the script
}

// request is the part of the emulator's request log benchreport uses.
type request struct {
	Route  string
	Status int
	At     time.Time
}

func record(args []string) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	var r Row
	url := fs.String("url", "", "emulator base URL")
	out := fs.String("out", "", "JSON lines file to append the row to")
	rss := fs.String("rss", "", "file /usr/bin/time -f %M -a wrote the provider processes' peak RSS (KiB) to")
	fs.StringVar(&r.Group, "group", "", "table")
	fs.StringVar(&r.Scenario, "scenario", "", "scenario name")
	fs.StringVar(&r.Op, "op", "", "create|refresh|import|destroy")
	fs.IntVar(&r.N, "n", 0, "configurations")
	fs.IntVar(&r.Teams, "teams", 1, "teams")
	fs.StringVar(&r.Cache, "cache", "on", "on|baseline")
	fs.Float64Var(&r.RPS, "rps", 0, "provider requests_per_second")
	fs.BoolVar(&r.Throttle, "throttle", false, "the emulator enforced the same rate")
	fs.IntVar(&r.PageSize, "page-size", defaultPageSize, "configurations a list page holds")
	fs.StringVar(&r.Command, "command", "", "CLI command")
	fs.Float64Var(&r.WallSeconds, "wall", 0, "CLI wall seconds")
	fs.IntVar(&r.ExitCode, "exit", 0, "CLI exit code")
	fs.IntVar(&r.ExpectExit, "expect-exit", 0, "CLI exit code that means success")
	fs.StringVar(&r.Check, "check", "", "correctness problem seen by the script")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *out == "" {
		return errors.New("record needs -url and -out")
	}
	resp, err := http.Get(strings.TrimRight(*url, "/") + "/_fake/requests") //nolint:noctx // a loopback emulator
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_fake/requests: %s", resp.Status)
	}
	var reqs []request
	if err := json.NewDecoder(resp.Body).Decode(&reqs); err != nil {
		return fmt.Errorf("decoding /_fake/requests: %w", err)
	}
	tally(&r, reqs)
	if *rss != "" {
		if r.PeakRSSKiB, r.Processes, err = peakRSS(*rss); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = json.NewEncoder(f).Encode(r)
	return errors.Join(err, f.Close())
}

// tally counts the requests by route and status and measures the span from the first to the last.
func tally(r *Row, reqs []request) {
	var first, last time.Time
	for _, q := range reqs {
		switch q.Route {
		case "token":
			r.Token++
		case "list":
			r.List++
		case "create":
			r.Create++
		case "delete":
			r.Delete++
		case "organizations":
			r.Organizations++
		default:
			r.Other++
		}
		if q.Status == http.StatusTooManyRequests {
			r.Sent429++
		}
		if first.IsZero() || q.At.Before(first) {
			first = q.At
		}
		if q.At.After(last) {
			last = q.At
		}
	}
	r.Total = len(reqs)
	if len(reqs) > 1 {
		r.SpanSeconds = last.Sub(first).Seconds()
	}
}

// peakRSS returns the largest %M value (KiB) in a /usr/bin/time output file and how many processes it lists.
// Lines that are not a number (e.g. "Command terminated by signal 9") are skipped.
func peakRSS(path string) (int, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = f.Close() }()
	peak, n := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil {
			continue
		}
		n++
		peak = max(peak, v)
	}
	return peak, n, sc.Err()
}

// goal is one stated goal evaluated on one row.
type goal struct {
	text string // the goal, with its limit for this row
	ok   bool
	info bool // a figure reported for information, neither PASS nor MISS
}

// defaultPageSize is doo's page size, which rows recorded without -page-size used.
const defaultPageSize = 25

// perTeam splits n evenly over teams (the bench spreads configurations round-robin).
func perTeam(n, teams int) []int {
	if teams < 1 {
		teams = 1
	}
	out := make([]int, teams)
	for i := range n {
		out[i%teams]++
	}
	return out
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// goals evaluates the goals that apply to a row, from its measured figures only.
func goals(r Row) []goal {
	var out []goal
	pageSize := r.PageSize
	if pageSize <= 0 {
		pageSize = defaultPageSize
	}
	teams := perTeam(r.N, r.Teams)
	scaled := ""
	if r.Teams > 1 {
		scaled = " (per team, summed)"
	}
	if r.Cache == "on" {
		switch r.Op {
		case "refresh":
			want := 0
			for _, n := range teams {
				want += max(1, ceilDiv(n, pageSize))
			}
			out = append(out, goal{
				text: fmt.Sprintf("list = ⌈N/%d⌉%s = %d, token ≤ 1, nothing else", pageSize, scaled, want),
				ok:   r.List == want && r.Token <= 1 && r.Total == r.List+r.Token,
			})
		case "create":
			// Before its first create in a team, a process lists the team once (one page: the bench
			// creates into empty teams), so a lost answer can never adopt what existed before.
			baseline := max(1, r.Teams)
			out = append(out, goal{
				text: fmt.Sprintf("create = N = %d, token ≤ 1, list = one baseline page per team = %d", r.N, baseline),
				ok:   r.Create == r.N && r.Token <= 1 && r.List == baseline && r.Total == r.Create+r.Token+r.List,
			})
		case "destroy":
			// Issue 17's goals: 100 in one team within 130 requests, 500 within doo's day of 1000.
			switch limit := map[int]int{100: 130, 500: 1000}[r.N]; {
			case limit > 0 && r.Teams == 1:
				out = append(out, goal{text: fmt.Sprintf("total ≤ %d for %d in one team", limit, r.N), ok: r.Total <= limit})
			case r.N > 0:
				out = append(out, goal{info: true, text: fmt.Sprintf("no goal (stated for 100 and 500 in one team): %.2f requests per configuration",
					float64(r.Total)/float64(r.N))})
			}
		case "import":
			limit := 0.0
			for _, n := range teams {
				limit += float64(n)/float64(pageSize) + 2
			}
			out = append(out, goal{
				text: fmt.Sprintf("list ≤ N/%d + 2%s = %s", pageSize, scaled, trimFloat(limit)),
				ok:   float64(r.List) <= limit,
			})
		}
	}
	if r.Throttle {
		out = append(out, goal{
			text: fmt.Sprintf("no 429 surfaced (CLI succeeded; 429s sent by the emulator: %d)", r.Sent429),
			ok:   r.ExitCode == r.ExpectExit,
		})
		ideal := float64(r.Total-1) / r.RPS
		out = append(out, goal{
			text: fmt.Sprintf("request span ≤ 1.1 × (requests − 1) × 1 s = %.1f s", 1.1*ideal),
			ok:   r.Total > 1 && r.SpanSeconds <= 1.1*ideal,
		})
	}
	return out
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "JSON lines file of rows")
	meta := fs.String("meta", "", "markdown to put before the tables")
	skipped := fs.String("skipped", "", "markdown to put after the tables (what was skipped)")
	out := fs.String("o", "", "also write the report to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rows, err := readRows(*in)
	if err != nil {
		return err
	}
	var b strings.Builder
	if *meta != "" {
		m, err := os.ReadFile(*meta)
		if err != nil {
			return err
		}
		b.Write(m)
	}
	render(&b, rows)
	if *skipped != "" {
		s, err := os.ReadFile(*skipped)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		b.Write(s)
	}
	if _, err := io.WriteString(os.Stdout, b.String()); err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, []byte(b.String()), 0o644)
	}
	return nil
}

func readRows(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var rows []Row
	dec := json.NewDecoder(f)
	for {
		var r Row
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return rows, nil
		} else if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
}

// pairKey identifies a cached row and its baseline.
func pairKey(r Row) string {
	return fmt.Sprintf("%s|%s|%d|%d|%g|%t", r.Scenario, r.Op, r.N, r.Teams, r.RPS, r.Throttle)
}

var opOrder = map[string]int{"create": 0, "refresh": 1, "destroy": 2, "import": 3}

func render(b *strings.Builder, rows []Row) {
	totals := map[string]map[string]int{}
	for _, r := range rows {
		k := pairKey(r)
		if totals[k] == nil {
			totals[k] = map[string]int{}
		}
		totals[k][r.Cache] = r.Total
	}
	var groups []string
	byGroup := map[string][]Row{}
	for _, r := range rows {
		if _, ok := byGroup[r.Group]; !ok {
			groups = append(groups, r.Group)
		}
		byGroup[r.Group] = append(byGroup[r.Group], r)
	}

	pass, miss := 0, 0
	var misses, checks []string
	for _, g := range groups {
		rs := byGroup[g]
		sort.SliceStable(rs, func(i, j int) bool {
			a, c := rs[i], rs[j]
			if a.Teams != c.Teams {
				return a.Teams < c.Teams
			}
			if a.N != c.N {
				return a.N < c.N
			}
			if opOrder[a.Op] != opOrder[c.Op] {
				return opOrder[a.Op] < opOrder[c.Op]
			}
			return a.Cache == "on" && c.Cache != "on"
		})
		fmt.Fprintf(b, "\n### %s\n\n", g)
		b.WriteString("| scenario | operation | N | cache | token | list | create | delete | orgs | total | ratio | 429 sent | exit | wall s | request span s | peak RSS MiB | goal | result |\n")
		b.WriteString("|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
		for _, r := range rs {
			ratio := "–"
			if t := totals[pairKey(r)]; t["on"] > 0 && t["baseline"] > 0 {
				ratio = fmt.Sprintf("%.1f×", float64(t["baseline"])/float64(t["on"]))
			}
			var texts, results []string
			for _, gl := range goals(r) {
				texts = append(texts, gl.text)
				switch {
				case gl.info:
					results = append(results, "info")
				case gl.ok:
					results = append(results, "PASS")
					pass++
				default:
					results = append(results, "**MISS**")
					miss++
					misses = append(misses, fmt.Sprintf("%s, %s of %d, cache %s: %s (measured: token %d, list %d, create %d, delete %d, total %d, span %.1f s, exit %d)",
						r.Scenario, r.Op, r.N, r.Cache, gl.text, r.Token, r.List, r.Create, r.Delete, r.Total, r.SpanSeconds, r.ExitCode))
				}
			}
			goalText, result := "–", "–"
			if len(texts) > 0 {
				goalText, result = strings.Join(texts, "<br>"), strings.Join(results, "<br>")
			}
			exit := strconv.Itoa(r.ExitCode)
			if r.ExitCode != r.ExpectExit {
				exit = "**" + exit + "**"
			}
			if r.Check != "" {
				checks = append(checks, fmt.Sprintf("%s, %s of %d, cache %s: %s", r.Scenario, r.Op, r.N, r.Cache, r.Check))
			}
			fmt.Fprintf(b, "| %s | %s | %d | %s | %d | %d | %d | %d | %d | %d | %s | %d | %s | %.1f | %.2f | %.1f | %s | %s |\n",
				r.Scenario, r.Op, r.N, r.Cache, r.Token, r.List, r.Create, r.Delete, r.Organizations, r.Total, ratio,
				r.Sent429, exit, r.WallSeconds, r.SpanSeconds, float64(r.PeakRSSKiB)/1024, goalText, result)
		}
	}
	fmt.Fprintf(b, "\n### Goals\n\n%d PASS, %d MISS (evaluated from the figures above).\n", pass, miss)
	for _, m := range misses {
		fmt.Fprintf(b, "\n- MISS: %s", m)
	}
	if len(misses) > 0 {
		b.WriteString("\n")
	}
	if len(checks) > 0 {
		b.WriteString("\n### Correctness problems seen while measuring\n\n")
		for _, c := range checks {
			fmt.Fprintf(b, "- %s\n", c)
		}
	}
}
