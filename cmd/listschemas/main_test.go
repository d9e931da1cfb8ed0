package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRun_addsTheListResourceSchemas(t *testing.T) {
	in := `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/doo":{"resource_schemas":{"doo_webhook":{}}}}}`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas     map[string]any `json:"resource_schemas"`
			ListResourceSchemas map[string]struct {
				Block struct {
					Attributes map[string]struct {
						Type     string `json:"type"`
						Required bool   `json:"required"`
					} `json:"attributes"`
				} `json:"block"`
			} `json:"list_resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.ProviderSchemas["registry.terraform.io/hashicorp/doo"]
	if _, kept := p.ResourceSchemas["doo_webhook"]; !kept {
		t.Error("the input document's resource schemas were dropped")
	}
	team := p.ListResourceSchemas["doo_webhook"].Block.Attributes["team_id"]
	if team.Type != "number" || !team.Required {
		t.Errorf("list resource doo_webhook team_id is %+v, want a required number; output:\n%s", team, out.String())
	}
}

func TestRun_refusesAnotherDocument(t *testing.T) {
	if err := run(strings.NewReader(`{"provider_schemas":{}}`), &bytes.Buffer{}); err == nil {
		t.Error("a document without a provider was accepted")
	}
}
