package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// mainTF is the configuration every step applies: two for_each maps, one of them replaced
// create-before-destroy, filled from soak.auto.tfvars.json. Values come from JSON variables, not
// HCL literals, so nothing in them is read as a template.
const mainTF = `terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "base_url" { type = string }

variable "plain" { type = map(object(%[1]s)) }
variable "cbd" { type = map(object(%[1]s)) }

provider "doo" {
  base_url            = var.base_url
  requests_per_second = 50
}

resource "doo_webhook" "plain" {
  for_each    = var.plain
  team_id     = each.value.team_id
  name        = each.value.name
  description = each.value.description
  hooks       = [for h in each.value.hooks : { type = h.type, endpoint = h.endpoint, origin = h.origin }]
  authentication = each.value.auth == null ? null : {
    endpoint    = each.value.auth.endpoint
    credentials = { client_id = "doo", client_secret = each.value.auth.client_secret }
  }
}

resource "doo_webhook" "cbd" {
  for_each    = var.cbd
  team_id     = each.value.team_id
  name        = each.value.name
  description = each.value.description
  hooks       = [for h in each.value.hooks : { type = h.type, endpoint = h.endpoint, origin = h.origin }]
  authentication = each.value.auth == null ? null : {
    endpoint    = each.value.auth.endpoint
    credentials = { client_id = "doo", client_secret = each.value.auth.client_secret }
  }
  lifecycle {
    create_before_destroy = true
  }
}
`

// specType is the HCL object type of one map entry.
const specType = `{
  team_id     = number
  name        = string
  description = optional(string)
  hooks = list(object({
    type     = string
    endpoint = string
    origin   = optional(object({ endpoint = string, body = string }))
  }))
  auth = optional(object({ endpoint = string, client_secret = string }))
}`

// Groups of resources: plain ones are replaced destroy-first, cbd ones create-before-destroy.
const (
	groupPlain = "plain"
	groupCBD   = "cbd"
)

// graphQLBody is a GraphQL request as doo's docs show it.
const graphQLBody = `{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id title } }"}`

var hookTypes = []string{"order_created", "order_updated", "order_cancelled", "event_created", "event_updated", "attendee_checkin"}

type hookSpec struct {
	Type     string      `json:"type"`
	Endpoint string      `json:"endpoint"`
	Origin   *originSpec `json:"origin"`
}

type originSpec struct {
	Endpoint string `json:"endpoint"`
	Body     string `json:"body"`
}

type authSpec struct {
	Endpoint     string `json:"endpoint"`
	ClientSecret string `json:"client_secret"`
}

// spec is one managed configuration as the soak wants it.
type spec struct {
	TeamID      int64      `json:"team_id"`
	Name        string     `json:"name"`
	Description *string    `json:"description"`
	Hooks       []hookSpec `json:"hooks"`
	Auth        *authSpec  `json:"auth"`
}

// model is the configuration the soak applies: keys are unique for the whole run and so are names.
type model struct {
	groups map[string]map[string]spec
	next   int
	// names holds every name a key ever had: a configuration with such a name is managed.
	names map[string]bool
}

func newModel() *model {
	return &model{groups: map[string]map[string]spec{groupPlain: {}, groupCBD: {}}, names: map[string]bool{}}
}

// key is a group and a key of its map.
type key struct{ group, key string }

// address is the resource address of k, as -replace takes it.
func (k key) address() string { return fmt.Sprintf("doo_webhook.%s[%q]", k.group, k.key) }

// keys returns every key, sorted, so a seed always picks the same ones.
func (m *model) keys() []key {
	var out []key
	for _, g := range []string{groupPlain, groupCBD} {
		names := make([]string, 0, len(m.groups[g]))
		for k := range m.groups[g] {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			out = append(out, key{g, k})
		}
	}
	return out
}

func (m *model) size() int { return len(m.groups[groupPlain]) + len(m.groups[groupCBD]) }

func (m *model) get(k key) spec { return m.groups[k.group][k.key] }

func (m *model) set(k key, s spec) { m.groups[k.group][k.key] = s }

func (m *model) remove(k key) { delete(m.groups[k.group], k.key) }

// add creates a new key: a fresh spec, or with a template one identical to it but for the name.
func (m *model) add(rng *rand.Rand, group string, template *spec) key {
	m.next++
	k := key{group, fmt.Sprintf("k%d", m.next)}
	var s spec
	if template != nil {
		s = cloneSpec(*template)
	} else {
		s = randomSpec(rng, m.next)
	}
	s.Name = fmt.Sprintf("soak-%s-%d", group, m.next)
	m.names[s.Name] = true
	m.set(k, s)
	return k
}

// randomSpec is a configuration with one or two hooks, maybe GraphQL-based, maybe with authentication.
func randomSpec(rng *rand.Rand, n int) spec {
	s := spec{TeamID: int64(1 + rng.IntN(2))}
	if rng.IntN(2) == 0 {
		d := fmt.Sprintf("soak configuration %d", n)
		s.Description = &d
	}
	first := rng.IntN(len(hookTypes))
	for i := range 1 + rng.IntN(2) {
		h := hookSpec{Type: hookTypes[(first+i)%len(hookTypes)], Endpoint: fmt.Sprintf("https://receiver.example.com/soak/%d", n)}
		if rng.IntN(3) == 0 {
			h.Origin = &originSpec{Endpoint: "https://gql.doo.net", Body: graphQLBody}
		}
		s.Hooks = append(s.Hooks, h)
	}
	if rng.IntN(3) == 0 {
		s.Auth = &authSpec{Endpoint: "https://receiver.example.com/oauth/token", ClientSecret: fmt.Sprintf("receiver-secret-%d", n)}
	}
	return s
}

// edit changes one attribute that forces a replacement (never the name or the team).
func edit(rng *rand.Rand, s spec, n int) spec {
	s = cloneSpec(s)
	switch rng.IntN(3) {
	case 0:
		d := fmt.Sprintf("edited %d", n)
		s.Description = &d
	case 1:
		s.Hooks[0].Endpoint = fmt.Sprintf("https://receiver.example.com/soak/edited/%d", n)
	default:
		if s.Auth == nil {
			s.Auth = &authSpec{Endpoint: "https://receiver.example.com/oauth/token", ClientSecret: fmt.Sprintf("rotated-%d", n)}
		} else {
			s.Auth.ClientSecret = fmt.Sprintf("rotated-%d", n)
		}
	}
	return s
}

func cloneSpec(s spec) spec {
	if s.Description != nil {
		d := *s.Description
		s.Description = &d
	}
	hooks := make([]hookSpec, len(s.Hooks))
	for i, h := range s.Hooks {
		hooks[i] = h
		if h.Origin != nil {
			o := *h.Origin
			hooks[i].Origin = &o
		}
	}
	s.Hooks = hooks
	if s.Auth != nil {
		a := *s.Auth
		s.Auth = &a
	}
	return s
}

// tfvars renders the variables file of a step.
func (m *model) tfvars(baseURL string) ([]byte, error) {
	return json.MarshalIndent(map[string]any{
		"base_url": baseURL, groupPlain: m.groups[groupPlain], groupCBD: m.groups[groupCBD],
	}, "", "  ")
}

// webhookOf is the configuration the provider sends for s, as doofake.Seed takes it: a hand-made
// lookalike of a managed configuration.
func webhookOf(s spec) doofake.Webhook {
	w := doofake.Webhook{Name: s.Name}
	if s.Description != nil {
		w.Description = *s.Description
	}
	for _, h := range s.Hooks {
		dh := doofake.Hook{Type: h.Type, Method: "POST", Endpoint: h.Endpoint}
		if h.Origin != nil {
			dh.Origin = &doofake.Origin{Method: "POST", Endpoint: h.Origin.Endpoint, Body: h.Origin.Body}
		}
		w.Hooks = append(w.Hooks, dh)
	}
	if s.Auth != nil {
		w.Authentication = &doofake.Authentication{GrantType: "client_credentials", Endpoint: s.Auth.Endpoint,
			Credentials: doofake.Credentials{ClientID: "doo", ClientSecret: s.Auth.ClientSecret}}
	}
	return w
}
