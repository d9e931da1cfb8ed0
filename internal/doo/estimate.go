package doo

import "math"

// This file estimates the requests an apply will send, from what the team store does (store.go). It
// plays the store's rules for listings on counts alone:
//
//   - a process fetches one access token with client credentials (none with a static token);
//   - before the first create in a team, the team is listed until the listings cannot have missed a
//     configuration: one listing of a single page, or two listings of several pages (ensureBaseline);
//   - each create is one POST, each delete one DELETE;
//   - deletes that run together (Terraform runs `parallelism` at a time) share their confirming
//     listings: after each round one listing, which proves the deletes alone when the team's listings
//     have shown doo's order to be stable and an earlier listing showed the deleted configurations
//     (provesGone); otherwise a second listing follows. doo's order is learned from two consecutive
//     listings of more than one configuration each. The plan's process remembers its listing for the
//     apply's (order.go): the apply then starts as if it had listed the team itself;
//   - the one-listing proof fails for a delete whose place fell between two pages of the confirming
//     listing (or after a full last page): the round then takes the second listing too. Which
//     configurations a round deletes is Terraform's choice, so the model counts the expected cost,
//     taking their places as random: with m configurations left in P pages, a place is one of m+1 and
//     P−1 of them (one more after a full last page) are between pages.
//
// What the model leaves out: retries (429s, 5xx), listings started over because another writer changed
// the team while it was paged, and rounds that split because Terraform started their deletes at
// different moments. Each makes the real figure higher, never lower.

// DefaultParallelism is Terraform's and OpenTofu's default -parallelism.
const DefaultParallelism = 10

// defaultPageSize is doo's page size, assumed for a team whose listing was never seen.
const defaultPageSize = 25

// TeamPlan is what an apply will do in one team.
type TeamPlan struct {
	// TeamID names the team.
	TeamID int64
	// Size is the number of configurations the team held when last listed; SizeKnown is false when the
	// team was not listed (Size is then a lower bound, e.g. 0 for a team with only creates).
	Size      int
	SizeKnown bool
	// PageSize is the team's page size as its last listing showed it; 0 means doo's default, 25.
	PageSize int
	// Creates and Deletes count the configurations the apply creates and deletes in the team; a
	// replacement counts one of each (created first, as with create_before_destroy).
	Creates, Deletes int
	// Remembered is set when the apply's process will find the order of this process's listing of the
	// team on record (see Client.OrderRemembered), OrderLearned when it will find doo's order there
	// known stable.
	Remembered, OrderLearned bool
}

// ApplyPlan is what an apply will do, team by team, in one provider process.
type ApplyPlan struct {
	Teams []TeamPlan
	// Parallelism is Terraform's -parallelism; 0 means the default, 10.
	Parallelism int
	// StaticToken is set when the provider uses a static access token (no token request).
	StaticToken bool
}

// AtLeast reports whether the estimate is a lower bound: some team with writes was never listed, so its
// size is unknown.
func (p ApplyPlan) AtLeast() bool {
	for _, t := range p.Teams {
		if !t.SizeKnown && t.Creates+t.Deletes > 0 {
			return true
		}
	}
	return false
}

// EstimateApply returns the number of requests the apply of p will send when nothing fails.
func EstimateApply(p ApplyPlan) int {
	par := p.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	n := 0.0
	for _, t := range p.Teams {
		n += estimateTeam(t, par)
	}
	if n > 0 && !p.StaticToken {
		n++ // the apply process's access token
	}
	return int(math.Round(n))
}

// teamListings follows what a process knows of one team: the size of its last listing and whether
// doo's order was learned stable (see teamState.orderAgreed).
type teamListings struct {
	pageSize int
	requests float64 // expected: see betweenPages
	last     int     // configurations in the last listing; -1 before the first
	learned  bool
}

// list counts one listing of a team of size configurations.
func (l *teamListings) list(size int) {
	l.requests += float64(l.pages(size))
	if l.last > 1 && size > 1 {
		l.learned = true
	}
	l.last = size
}

// pages is the number of pages of a listing of size configurations; an empty team is one page.
func (l *teamListings) pages(size int) int {
	return max(1, (size+l.pageSize-1)/l.pageSize)
}

// betweenPages is the probability that at least one of k configurations just deleted had its place
// between two pages of a listing of the m configurations left (or after its full last page), so that
// the listing alone does not prove it gone (see Listing.provesGone).
func (l *teamListings) betweenPages(k, m int) float64 {
	bad := l.pages(m) - 1
	if m > 0 && m%l.pageSize == 0 {
		bad++
	}
	if bad <= 0 {
		return 0
	}
	return 1 - math.Pow(1-float64(bad)/float64(m+1), float64(k))
}

func estimateTeam(t TeamPlan, par int) float64 {
	if t.Creates <= 0 && t.Deletes <= 0 {
		return 0
	}
	page := t.PageSize
	if page <= 0 {
		page = defaultPageSize
	}
	size := max(t.Size, 0)
	if !t.SizeKnown {
		size = max(size, t.Deletes) // what is deleted exists
	}
	l := teamListings{pageSize: page, last: -1}
	if t.Remembered {
		// The apply starts from this process's listing: it knows where each configuration stood, and its
		// first listing, compared with this one, can show doo's order stable.
		l.last, l.learned = size, t.OrderLearned
	}
	if t.Creates > 0 {
		l.list(size)
		if size > page { // several pages: a second, independent listing
			l.list(size)
		}
		l.requests += float64(t.Creates)
		size += t.Creates
	}
	sinceListed := 0 // deletes since the last whole listing
	for deleted := 0; deleted < t.Deletes; {
		listedBefore := l.last >= 0 // a listing before the delete showed the configuration
		k := min(par, t.Deletes-deleted)
		deleted += k
		l.requests += float64(k)
		// Once the order is known, the pages holding the k places alone (see confirmByPages, which reckons
		// the team's size from its last whole listing); a place between two pages is looked at again after
		// the next round, at no extra cost in the model. The places lie among the configurations the last
		// listing showed, less those deleted since: configurations created after it are listed after them
		// (the emulator's order, and a database's usual one; where doo orders otherwise, a replacement's
		// rounds cost a little more than this).
		sinceListed += k
		if m := l.last - sinceListed; listedBefore && l.learned && l.pages(m) >= pageProofMinPages {
			p := float64(l.pages(m))
			l.requests += p * (1 - math.Pow(1-1/p, float64(k)))
			continue
		}
		sinceListed = 0
		l.list(size - deleted)
		switch {
		case !listedBefore || !l.learned:
			l.list(size - deleted) // the second, independent confirming listing
		case l.pages(size-deleted) >= pageProofMinPages:
			// a place between two pages is looked at again on the next round's pages, at no extra cost
		default:
			l.requests += l.betweenPages(k, size-deleted) * float64(l.pages(size-deleted))
		}
	}
	return l.requests
}
