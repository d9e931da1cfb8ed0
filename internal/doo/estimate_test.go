package doo

import "testing"

func TestEstimateApply(t *testing.T) {
	known := func(size, creates, deletes int) TeamPlan {
		return TeamPlan{TeamID: 1, Size: size, SizeKnown: true, Creates: creates, Deletes: deletes}
	}
	remembered := func(size, creates, deletes int, learned bool) TeamPlan {
		p := known(size, creates, deletes)
		p.Remembered, p.OrderLearned = true, learned
		return p
	}
	for name, tc := range map[string]struct {
		plan    ApplyPlan
		want    int
		atLeast bool
	}{
		"nothing to do sends nothing": {ApplyPlan{Teams: []TeamPlan{known(500, 0, 0)}}, 0, false},
		// token + one listing of one page + 10 POSTs
		"create 10 in an empty team":  {ApplyPlan{Teams: []TeamPlan{known(0, 10, 0)}}, 1 + 1 + 10, false},
		"create 100 in an empty team": {ApplyPlan{Teams: []TeamPlan{known(0, 100, 0)}}, 1 + 1 + 100, false},
		"create with a static token":  {ApplyPlan{Teams: []TeamPlan{known(0, 10, 0)}, StaticToken: true}, 1 + 10, false},
		// 26 configurations are two pages: two listings of two pages before the first create
		"create in a team of two pages": {ApplyPlan{Teams: []TeamPlan{known(26, 1, 0)}}, 1 + 2*2 + 1, false},
		"create in a team never listed": {ApplyPlan{Teams: []TeamPlan{{TeamID: 1, Creates: 3}}}, 1 + 1 + 3, true},
		// one round of 10: two listings of the empty team
		"destroy 10": {ApplyPlan{Teams: []TeamPlan{known(10, 0, 10)}}, 1 + 10 + 2, false},
		// round 1 leaves 90 (two listings of 4 pages); then, doo's order learned, each round asks only for
		// the pages holding its 10 places: p·(1−(1−1/p)^10) of a team's p pages, about 3.8, 3.0, 3.0, 2, 2
		// and 2 as it shrinks from 80 to 30; the last three rounds list one page each
		"destroy 100": {ApplyPlan{Teams: []TeamPlan{known(100, 0, 100)}}, 128, false},
		// the plan's process remembered its listing: round 1 takes one listing of 4 pages instead of two
		// (a place between two of its pages is looked at again on the next round's pages)
		"destroy 100, remembered by the plan": {ApplyPlan{Teams: []TeamPlan{remembered(100, 0, 100, false)}}, 128 - 4, false},
		// and with doo's order known stable, round 1 too asks only for the pages holding its places:
		// 20·(1−(19/20)^10) ≈ 8 of the 20, where a fresh process lists them twice
		"destroy 500":                {ApplyPlan{Teams: []TeamPlan{known(500, 0, 500)}}, 823, false},
		"destroy 500, order learned": {ApplyPlan{Teams: []TeamPlan{remembered(500, 0, 500, true)}}, 823 - 2*20 + 8, false},
		// round 1 leaves one configuration: doo's order cannot be learned, every round needs two listings
		"destroy 11 of 11": {ApplyPlan{Teams: []TeamPlan{known(11, 0, 11)}}, 1 + 11 + 2 + 2, false},
		// -parallelism=25: rounds of 25 leave 75 (two listings of 3 pages), then 50 and 25 (the pages
		// holding 25 places: nearly all) and 0 (one page); one delete a round: about one page a delete
		"destroy 100, parallelism 25": {ApplyPlan{Teams: []TeamPlan{known(100, 0, 100)}, Parallelism: 25}, 112, false},
		"destroy 100, parallelism 1":  {ApplyPlan{Teams: []TeamPlan{known(100, 0, 100)}, Parallelism: 1}, 208, false},
		// a listing of 10 before the creates, then rounds leave 10 configurations: one listing proves them
		"replace 10": {ApplyPlan{Teams: []TeamPlan{known(10, 10, 10)}}, 1 + 1 + 10 + 10 + 1, false},
		// two listings of 4 pages and 100 POSTs; then the rounds of deletes, the first of which knows the
		// team's order, each ask for the pages holding their 10 places, which lie among the old 100 (the
		// new ones are listed after them): of 4 pages down to 1
		"replace 100":  {ApplyPlan{Teams: []TeamPlan{known(100, 100, 100)}}, 242, false},
		"pages of 100": {ApplyPlan{Teams: []TeamPlan{{TeamID: 1, Size: 100, SizeKnown: true, PageSize: 100, Deletes: 100}}}, 1 + 100 + 2 + 9, false},
		"two teams, one token": {ApplyPlan{Teams: []TeamPlan{known(0, 10, 0), {TeamID: 2, Size: 10, SizeKnown: true, Deletes: 10}}},
			1 + (1 + 10) + (10 + 2), false},
		// -refresh=false: the deleted configurations exist, so the team has at least as many
		"destroy in a team never listed": {ApplyPlan{Teams: []TeamPlan{{TeamID: 1, Deletes: 10}}}, 1 + 10 + 2, true},
	} {
		t.Run(name, func(t *testing.T) {
			if got := EstimateApply(tc.plan); got != tc.want {
				t.Errorf("EstimateApply = %d, want %d", got, tc.want)
			}
			if got := tc.plan.AtLeast(); got != tc.atLeast {
				t.Errorf("AtLeast = %v, want %v", got, tc.atLeast)
			}
		})
	}
}

// TestEstimateApply_parallelismOnlyLowersDeletes checks the advice the plan warning gives: -parallelism
// does not change what creates cost, and a higher one lowers what deletes cost (bigger rounds share
// their listings). Bigger rounds also fall between pages more often, so the figure is not strictly
// monotonic from one value to the next; the values users pick are compared.
func TestEstimateApply_parallelismOnlyLowersDeletes(t *testing.T) {
	for _, tp := range []TeamPlan{
		{Size: 0, SizeKnown: true, Creates: 300},
		{Size: 300, SizeKnown: true, Deletes: 300},
		{Size: 300, SizeKnown: true, Creates: 300, Deletes: 300},
		{Size: 20, SizeKnown: true, Deletes: 20},
	} {
		prev, low := -1, -1
		for _, par := range []int{1, 2, 5, 10, 20, 50, 100} {
			got := EstimateApply(ApplyPlan{Teams: []TeamPlan{tp}, Parallelism: par})
			if prev >= 0 && got > prev {
				t.Fatalf("%+v: parallelism %d costs %d, more than %d at a lower one", tp, par, got, prev)
			}
			if low < 0 {
				low = got
			}
			prev = got
		}
		if tp.Deletes == 0 && low != prev {
			t.Errorf("%+v: parallelism changed the cost of creates (%d vs %d)", tp, low, prev)
		}
		if tp.Deletes > 0 && low <= prev {
			t.Errorf("%+v: parallelism 100 (%d) is not cheaper than 1 (%d)", tp, prev, low)
		}
	}
}
