package doofake

import "strconv"

// Request accounting lives here and only here: ServeHTTP records every request it answers except the
// admin ones under /_fake/ (which never reach record), and tally is the one place that counts them,
// for Stats, Count, Counts, Writes and GET /_fake/stats alike.

// Stats summarizes the recorded requests; it is the answer of GET /_fake/stats.
type Stats struct {
	// Counts is the number of requests per route (RouteToken, RouteList, ... RouteOther).
	Counts map[string]int `json:"counts"`
	// Total is the number of requests.
	Total int `json:"total"`
	// Writes is the number of requests that change what doo stores: creates and deletes, whatever
	// their answer.
	Writes int `json:"writes"`
	// StatusCounts is the number of requests per answered status, in decimal (StatusClientClosed and
	// StatusNoResponse included).
	StatusCounts map[string]int `json:"status_counts"`
}

// isWrite reports whether a request to route asks doo to change what it stores.
func isWrite(route string) bool {
	return route == RouteCreate || route == RouteDelete
}

// tally counts reqs.
func tally(reqs []Request) Stats {
	st := Stats{Counts: map[string]int{}, StatusCounts: map[string]int{}, Total: len(reqs)}
	for _, r := range reqs {
		st.Counts[r.Route]++
		st.StatusCounts[strconv.Itoa(r.Status)]++
		if isWrite(r.Route) {
			st.Writes++
		}
	}
	return st
}

// record appends one answered request to the log.
func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

// Requests returns every recorded request in the order they were answered.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Stats counts the recorded requests.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tally(s.requests)
}

// Count returns how many recorded requests went to route (Stats().Counts[route]).
func (s *Server) Count(route string) int {
	return s.Stats().Counts[route]
}

// Counts returns the number of recorded requests per route (Stats().Counts).
func (s *Server) Counts() map[string]int {
	return s.Stats().Counts
}

// Writes returns the number of recorded create and delete requests (Stats().Writes).
func (s *Server) Writes() int {
	return s.Stats().Writes
}

// ResetRequests forgets the recorded requests (stored configurations, tokens and quota usage stay).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}
