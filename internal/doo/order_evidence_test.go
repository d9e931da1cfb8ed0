package doo

import "testing"

// Two listings are evidence about doo's order only through what they both show: two configurations at
// least, in the same relative order (agree) or swapped (disagree).
func TestOrderEvidence_needsTwoSharedConfigurations(t *testing.T) {
	t.Parallel()
	listing := func(ids ...string) *Listing {
		l := &Listing{}
		for _, id := range ids {
			l.Items = append(l.Items, Webhook{ID: id})
		}
		return l
	}
	for name, tt := range map[string]struct {
		l, prior        *Listing
		agree, disagree bool
	}{
		"same order":                     {listing("a", "b", "c"), listing("a", "b", "c"), true, false},
		"same order, others between":     {listing("x", "a", "y", "c"), listing("a", "b", "c"), true, false},
		"swapped":                        {listing("b", "a"), listing("a", "b"), false, true},
		"one shared":                     {listing("a", "x", "y"), listing("a", "b", "c"), false, false},
		"nothing shared (team replaced)": {listing("x", "y", "z"), listing("a", "b", "c"), false, false},
		"empty":                          {listing(), listing("a", "b"), false, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			agree, disagree := orderEvidence(tt.l, tt.prior)
			if agree != tt.agree || disagree != tt.disagree {
				t.Errorf("orderEvidence = %v, %v, want %v, %v", agree, disagree, tt.agree, tt.disagree)
			}
		})
	}
}
