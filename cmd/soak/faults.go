package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Fault classes the soak injects before a CLI step.
const (
	faultServerError = "5xx"            // SetFault: a fraction of a route's calls answer 500 or 503
	faultThrottle    = "429"            // SetFault: a fraction of a route's calls answer 429
	faultLostHangUp  = "lost-hang-up"   // LoseNextCreateResponse: stored, connection closed
	faultLost504     = "lost-504"       // LoseNextCreateWithStatus(504): stored, then 504
	faultRefused502  = "refused-502"    // create fault 502 Count 1: refused before storing
	faultList404     = "list-404"       // list fault 404 Count 1
	faultListEmpty   = "list-empty-200" // list fault 200 {} Count 1: a 2xx without _embedded
	faultShiftPages  = "shifting-pages" // ReplaceBetweenPages on a hand-made configuration
	faultExpireToken = "revoked-tokens" // ExpireTokens from a goroutine mid-step
	faultWriter      = "concurrent-writer"
	faultDeletePages = "deleted-between-pages" // DeleteBetweenPages on an other-writer configuration: page 2 gets 409
	faultLateCommit  = "late-commit-504"       // LateCommitNextCreate: 504, stored only a little later
	faultEcho        = "echoing-errors"        // Settings.EchoRequestInErrors: create errors carry the request body
	faultObjectData  = "object-in-data"        // Settings.CreateAnswersObject: data is the stored object, secret included
	faultEnvelope    = "envelope-errors"       // Settings.EnvelopeErrors: errors in doo's envelope, not ApiProblem
)

var faultClasses = []string{faultServerError, faultThrottle, faultLostHangUp, faultLost504, faultRefused502,
	faultList404, faultListEmpty, faultShiftPages, faultExpireToken, faultWriter,
	faultDeletePages, faultLateCommit, faultEcho, faultObjectData, faultEnvelope}

// arming is what was injected for one CLI step, and the goroutines that act during it.
type arming struct {
	classes []string // armed classes, in arming order
	detail  []string

	replacementsBefore int
	deletionsBefore    int
	expired            chan bool // receives whether ExpireTokens ran before the step ended
	writer             *writer
}

// armFaults draws the faults of one step. The 5xx fault never answers 502 or 504, so that the
// request log tells those classes apart: a 502 on a create is the refusal, a 504 the lost answer.
func (r *runner) armFaults(ctx context.Context, forceWriter bool) *arming {
	a := &arming{replacementsBefore: len(r.fake.Replacements()), deletionsBefore: len(r.fake.DeletionsBetweenPages())}
	chance := func(p float64) bool { return r.faultRNG.Float64() < p }
	arm := func(class, detail string) {
		a.classes = append(a.classes, class)
		a.detail = append(a.detail, detail)
		r.tally.armed[class]++
	}
	taken := map[string]bool{}
	if chance(0.15) {
		r.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
		taken[doofake.RouteCreate] = true
		arm(faultRefused502, faultRefused502)
	}
	switch {
	case chance(0.12):
		r.fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusNotFound, Count: 1})
		taken[doofake.RouteList] = true
		arm(faultList404, faultList404)
	case chance(0.12):
		r.fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusOK, Body: "{}", Count: 1})
		taken[doofake.RouteList] = true
		arm(faultListEmpty, faultListEmpty)
	}
	// "" is every route without a fault of its own.
	routes := []string{doofake.RouteList, doofake.RouteCreate, doofake.RouteDelete, doofake.RouteToken, ""}
	free := func() (string, bool) {
		var open []string
		for _, rt := range routes {
			if !taken[rt] {
				open = append(open, rt)
			}
		}
		if len(open) == 0 {
			return "", false
		}
		rt := open[r.faultRNG.IntN(len(open))]
		taken[rt] = true
		return rt, true
	}
	routeName := func(rt string) string {
		if rt == "" {
			return "every route"
		}
		return rt
	}
	if chance(0.25) {
		if rt, ok := free(); ok {
			status := []int{http.StatusInternalServerError, http.StatusServiceUnavailable}[r.faultRNG.IntN(2)]
			fraction := 0.08 + 0.17*r.faultRNG.Float64()
			r.fake.SetFault(rt, fraction, status)
			arm(faultServerError, fmt.Sprintf("%d on %.0f%% of %s", status, 100*fraction, routeName(rt)))
		}
	}
	if chance(0.25) {
		if rt, ok := free(); ok {
			fraction := 0.08 + 0.17*r.faultRNG.Float64()
			r.fake.SetFault(rt, fraction, http.StatusTooManyRequests)
			arm(faultThrottle, fmt.Sprintf("429 on %.0f%% of %s", 100*fraction, routeName(rt)))
		}
	}
	if chance(0.15) {
		r.fake.LoseNextCreateResponse()
		arm(faultLostHangUp, faultLostHangUp)
	}
	// Both answer a create 504: arm at most one of them, so that the request log tells them apart.
	switch {
	case chance(0.15):
		r.fake.LoseNextCreateWithStatus(http.StatusGatewayTimeout)
		arm(faultLost504, faultLost504)
	case chance(0.12):
		delay := time.Duration(200+r.faultRNG.IntN(1800)) * time.Millisecond
		r.fake.LateCommitNextCreate(delay)
		arm(faultLateCommit, fmt.Sprintf("%s after %s", faultLateCommit, delay))
	}
	if chance(0.12) {
		if id, team, ok := r.pickOther(); ok {
			r.fake.DeleteBetweenPages(team, id)
			arm(faultDeletePages, fmt.Sprintf("%s of %s in team %d", faultDeletePages, id, team))
		}
	}
	if chance(0.12) {
		r.fake.Update(func(st *doofake.Settings) { st.EchoRequestInErrors = true })
		arm(faultEcho, faultEcho)
	}
	if chance(0.12) {
		r.fake.Update(func(st *doofake.Settings) { st.CreateAnswersObject = true })
		arm(faultObjectData, faultObjectData)
	}
	if chance(0.15) {
		r.fake.Update(func(st *doofake.Settings) { st.EnvelopeErrors = true })
		arm(faultEnvelope, faultEnvelope)
	}
	if chance(0.2) {
		if id, team, ok := r.pickHandmade(); ok {
			r.fake.ReplaceBetweenPages(team, id)
			arm(faultShiftPages, fmt.Sprintf("%s of %s in team %d", faultShiftPages, id, team))
		}
	}
	if chance(0.12) {
		// Most applies here take under a second: revoke early enough to land inside one.
		delay := time.Duration(50+r.faultRNG.IntN(600)) * time.Millisecond
		a.expired = make(chan bool, 1)
		go func() {
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
				r.fake.ExpireTokens()
				a.expired <- true
			case <-ctx.Done():
				a.expired <- false
			}
		}()
		arm(faultExpireToken, fmt.Sprintf("%s after %s", faultExpireToken, delay))
	}
	if forceWriter || chance(0.12) {
		a.writer = r.startWriter(ctx, rand.New(rand.NewPCG(r.faultRNG.Uint64(), r.faultRNG.Uint64())))
		arm(faultWriter, faultWriter)
	}
	return a
}

// fired reports which armed classes acted during the step, from the requests the emulator
// answered since index from and the emulator's knobs; it waits for the step's goroutines, books the
// configurations DeleteBetweenPages removed as the other writer's deletes, and switches the step's
// dialect faults off again.
func (r *runner) fired(a *arming, reqs []doofake.Request) map[string]bool {
	out := map[string]bool{}
	armed := map[string]bool{}
	for _, c := range a.classes {
		armed[c] = true
	}
	for _, q := range reqs {
		if q.Route == doofake.RouteCreate && q.Status >= 400 && armed[faultEcho] {
			out[faultEcho] = true
		}
		if q.Route == doofake.RouteCreate && (q.Status == http.StatusOK || q.Status == http.StatusCreated) && armed[faultObjectData] {
			out[faultObjectData] = true
		}
		if q.Status >= 400 && q.Status != http.StatusTooManyRequests && armed[faultEnvelope] {
			out[faultEnvelope] = true
		}
		if q.Route == doofake.RouteList && q.Status == http.StatusConflict && armed[faultDeletePages] {
			out[faultDeletePages] = true
		}
		switch {
		case q.Status == http.StatusInternalServerError || q.Status == http.StatusServiceUnavailable:
			out[faultServerError] = true
		case q.Status == http.StatusTooManyRequests:
			out[faultThrottle] = true
		case q.Route == doofake.RouteCreate && q.Status == doofake.StatusNoResponse:
			out[faultLostHangUp] = true
		case q.Route == doofake.RouteCreate && q.Status == http.StatusGatewayTimeout && armed[faultLost504]:
			out[faultLost504] = true
		case q.Route == doofake.RouteCreate && q.Status == http.StatusBadGateway:
			out[faultRefused502] = true
		case q.Route == doofake.RouteList && q.Status == http.StatusNotFound:
			out[faultList404] = true
		}
	}
	for _, c := range a.classes {
		if c != faultListEmpty {
			continue
		}
		if _, still := r.fake.FaultRule(doofake.RouteList); !still {
			out[faultListEmpty] = true
		}
	}
	if len(r.fake.Replacements()) > a.replacementsBefore {
		out[faultShiftPages] = true
	}
	if dels := r.fake.DeletionsBetweenPages(); len(dels) > a.deletionsBefore {
		out[faultDeletePages] = true
		r.mu.Lock()
		for _, d := range dels[a.deletionsBefore:] {
			r.unmanaged[d.ID] = false // deleted by its owner, the other writer
		}
		r.mu.Unlock()
	}
	// The step armed either the lost 504 or the late commit, never both: a 504 on a create is the one armed.
	if armed[faultLateCommit] {
		for _, q := range reqs {
			if q.Route == doofake.RouteCreate && q.Status == http.StatusGatewayTimeout {
				out[faultLateCommit] = true
			}
		}
	}
	r.fake.Update(func(st *doofake.Settings) {
		st.EchoRequestInErrors, st.CreateAnswersObject, st.EnvelopeErrors = false, false, false
	})
	if a.expired != nil && <-a.expired {
		out[faultExpireToken] = true
	}
	if a.writer != nil && a.writer.stop() > 0 {
		out[faultWriter] = true
	}
	return out
}

// writer is the concurrent writer: another pipeline seeding and removing other-* configurations
// in the soak's teams while a CLI step runs.
type writer struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	ops  int
}

func (r *runner) startWriter(ctx context.Context, rng *rand.Rand) *writer {
	w := &writer{done: make(chan struct{})}
	w.wg.Go(func() {
		for {
			t := time.NewTimer(time.Duration(50+rng.IntN(250)) * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			case <-w.done:
				t.Stop()
				return
			}
			team := int64(1 + rng.IntN(2))
			r.mu.Lock()
			alive := r.aliveOthers(team)
			if len(alive) > 0 && rng.IntN(5) < 2 {
				id := alive[rng.IntN(len(alive))]
				r.fake.RemoveWebhook(id)
				r.unmanaged[id] = false
			} else {
				r.nextOther++
				name := fmt.Sprintf("other-%d", r.nextOther)
				id := r.fake.Seed(team, doofake.Webhook{Name: name, Hooks: []doofake.Hook{{
					Type: "order_created", Method: http.MethodPost, Endpoint: "https://other.example.com/" + name}}})
				r.unmanaged[id] = true
				r.others[id] = team
			}
			r.mu.Unlock()
			w.mu.Lock()
			w.ops++
			w.mu.Unlock()
		}
	})
	return w
}

// stop ends the writer and returns how many writes it made.
func (w *writer) stop() int {
	close(w.done)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ops
}

// aliveOthers lists the other-writer's configurations of team still alive, sorted; r.mu must be held.
func (r *runner) aliveOthers(team int64) []string {
	var out []string
	for id, t := range r.others {
		if t == team && r.unmanaged[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// pickOther picks an alive other-writer configuration, seeding one in a random team when there is none.
func (r *runner) pickOther() (string, int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, t := range teams {
		ids = append(ids, r.aliveOthers(t)...)
	}
	if len(ids) == 0 {
		team := teams[r.faultRNG.IntN(len(teams))]
		r.nextOther++
		name := fmt.Sprintf("other-%d", r.nextOther)
		id := r.fake.Seed(team, doofake.Webhook{Name: name, Hooks: []doofake.Hook{{
			Type: "order_created", Method: http.MethodPost, Endpoint: "https://other.example.com/" + name}}})
		r.unmanaged[id] = true
		r.others[id] = team
		return id, team, true
	}
	sort.Strings(ids)
	id := ids[r.faultRNG.IntN(len(ids))]
	return id, r.others[id], true
}

// pickHandmade picks an alive hand-made configuration of a team that has more than one page.
func (r *runner) pickHandmade() (string, int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id := range r.handmade {
		if r.unmanaged[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "", 0, false
	}
	sort.Strings(ids)
	id := ids[r.faultRNG.IntN(len(ids))]
	return id, r.handmade[id], true
}

// classList renders a set of classes in the canonical order.
func classList(set map[string]bool) string {
	var out []string
	for _, c := range faultClasses {
		if set[c] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ",")
}
