package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Violation kinds, in the order the tally prints them.
const (
	kindLost       = "lost"
	kindDuplicated = "duplicated"
	kindOrphaned   = "orphaned"
	kindUnmanaged  = "hand-made adopted or deleted"
)

var violationKinds = []string{kindLost, kindDuplicated, kindOrphaned, kindUnmanaged}

// stateObject is one doo_webhook object of the state, current or deposed.
type stateObject struct {
	Address string
	ID      string
	Name    string
	TeamID  int64
	Deposed bool
}

// stored is one configuration the emulator holds.
type stored struct {
	ID     string
	Name   string
	TeamID int64
}

// violation is one broken invariant, with what is needed to find it again.
type violation struct {
	Kind   string
	ID     string
	Detail string
}

// checkInput is everything the invariants are evaluated on after one CLI step.
type checkInput struct {
	// Succeeded is true after a CLI step that exited 0: then orphans and any duplicate count.
	Succeeded bool
	State     []stateObject
	Doo       []stored
	// ManagedNames holds the name of every key the soak ever put in the configuration.
	ManagedNames map[string]bool
	// Unmanaged maps every id the soak seeded (hand-made lookalikes, other-* writes) to whether it
	// must still exist (false once the soak itself removed it).
	Unmanaged map[string]bool
	// ProviderDeleted holds the ids the provider sent a DELETE for during the step: after a failed
	// step such an id may stay in state (the delete could not be confirmed) though doo lost it.
	ProviderDeleted map[string]bool
	// RemovedOutOfBand holds managed ids the soak deleted behind the provider's back: after a failed
	// step the provider may not have refreshed yet.
	RemovedOutOfBand map[string]bool
}

// check evaluates the four invariants; violations come sorted by kind, then id.
func check(in checkInput) []violation {
	var out []violation
	inDoo := map[string]stored{}
	for _, s := range in.Doo {
		inDoo[s.ID] = s
	}
	inState := map[string]stateObject{}
	for _, o := range in.State {
		inState[o.ID] = o
	}

	for _, o := range in.State {
		if _, ok := inDoo[o.ID]; ok {
			continue
		}
		if !in.Succeeded && (in.ProviderDeleted[o.ID] || in.RemovedOutOfBand[o.ID]) {
			continue
		}
		// After a failed step, a create whose outcome is still unknown is kept in state without an id,
		// for the next run to resolve; after a successful step none may be left.
		if !in.Succeeded && o.ID == "" {
			continue
		}
		out = append(out, violation{kindLost, o.ID, fmt.Sprintf("%s (name %q, team %d%s) is in state but not in doo",
			o.Address, o.Name, o.TeamID, deposedNote(o))})
	}

	byName := map[string][]stored{}
	for _, s := range in.Doo {
		if _, unmanaged := in.Unmanaged[s.ID]; unmanaged || !in.ManagedNames[s.Name] {
			continue
		}
		byName[s.Name] = append(byName[s.Name], s)
	}
	for name, copies := range byName {
		if len(copies) < 2 {
			continue
		}
		current := 0
		for _, c := range copies {
			if o, ok := inState[c.ID]; ok && !o.Deposed {
				current++
			}
		}
		// After a failed step a replacement may be half done: the new copy and the deposed old one
		// are both in doo and both in state. Copies unknown to the state are orphans, judged after
		// the clean apply.
		if in.Succeeded || current > 1 {
			ids := make([]string, len(copies))
			for i, c := range copies {
				ids[i] = c.ID + stateNote(inState, c.ID)
			}
			out = append(out, violation{kindDuplicated, copies[0].ID, fmt.Sprintf("name %q is held %d times in doo: %s",
				name, len(copies), strings.Join(ids, ", "))})
		}
	}

	if in.Succeeded {
		for _, s := range in.Doo {
			if _, unmanaged := in.Unmanaged[s.ID]; unmanaged || !in.ManagedNames[s.Name] {
				continue
			}
			if _, ok := inState[s.ID]; !ok {
				out = append(out, violation{kindOrphaned, s.ID, fmt.Sprintf("configuration %s (name %q, team %d) is in doo but not in state",
					s.ID, s.Name, s.TeamID)})
			}
		}
	}

	for id, alive := range in.Unmanaged {
		if o, ok := inState[id]; ok {
			out = append(out, violation{kindUnmanaged, id, fmt.Sprintf("hand-made or other-writer configuration %s (name %q) was adopted as %s",
				id, o.Name, o.Address)})
		}
		if _, ok := inDoo[id]; alive && !ok {
			out = append(out, violation{kindUnmanaged, id, fmt.Sprintf("hand-made or other-writer configuration %s was deleted, not by its owner", id)})
		}
	}

	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func deposedNote(o stateObject) string {
	if o.Deposed {
		return ", deposed"
	}
	return ""
}

func stateNote(inState map[string]stateObject, id string) string {
	o, ok := inState[id]
	switch {
	case !ok:
		return " (not in state)"
	case o.Deposed:
		return " (" + o.Address + ", deposed)"
	default:
		return " (" + o.Address + ")"
	}
}

// parseShowJSON reads the doo_webhook objects out of `tofu show -json` output.
func parseShowJSON(b []byte) ([]stateObject, error) {
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Address    string `json:"address"`
					Mode       string `json:"mode"`
					Type       string `json:"type"`
					DeposedKey string `json:"deposed_key"`
					Values     struct {
						ID     string `json:"id"`
						Name   string `json:"name"`
						TeamID int64  `json:"team_id"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("tofu show -json output is not the expected JSON: %w", err)
	}
	if doc.Values == nil {
		return nil, nil
	}
	var out []stateObject
	for _, r := range doc.Values.RootModule.Resources {
		if r.Mode != "managed" || r.Type != "doo_webhook" {
			continue
		}
		out = append(out, stateObject{Address: r.Address, ID: r.Values.ID, Name: r.Values.Name,
			TeamID: r.Values.TeamID, Deposed: r.DeposedKey != ""})
	}
	return out, nil
}
