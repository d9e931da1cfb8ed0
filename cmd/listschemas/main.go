// Command listschemas adds the provider's list resource schemas to a `providers schema -json`
// document read from stdin and writes the result to stdout, so that tfplugindocs can render list
// resource pages: OpenTofu 1.12 and Terraform before 1.14 leave list resources out of that document.
// It asks the provider itself, through the same protocol call Terraform makes (GetProviderSchema).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/doo-net/terraform-provider-doo/internal/provider"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "listschemas:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var doc map[string]any
	if err := json.NewDecoder(in).Decode(&doc); err != nil {
		return fmt.Errorf("reading the providers schema document: %w", err)
	}
	providers, ok := doc["provider_schemas"].(map[string]any)
	if !ok || len(providers) != 1 {
		return fmt.Errorf("want a providers schema document with exactly one provider, got %d", len(providers))
	}
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("GetProviderSchema: %s: %s", d.Summary, d.Detail)
		}
	}
	lists := map[string]any{}
	for name, s := range resp.ListResourceSchemas {
		block, err := blockJSON(s.Block)
		if err != nil {
			return fmt.Errorf("list resource %s: %w", name, err)
		}
		lists[name] = map[string]any{"version": s.Version, "block": block}
	}
	for _, p := range providers {
		if schema, ok := p.(map[string]any); ok {
			schema["list_resource_schemas"] = lists
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// blockJSON renders a protocol schema block in the providers schema JSON format. List resource
// configurations of this provider have plain attributes only; anything else is refused.
func blockJSON(b *tfprotov6.SchemaBlock) (map[string]any, error) {
	if len(b.BlockTypes) > 0 {
		return nil, fmt.Errorf("nested blocks are not supported")
	}
	attrs := map[string]any{}
	for _, a := range b.Attributes {
		if a.NestedType != nil {
			return nil, fmt.Errorf("attribute %s: nested attributes are not supported", a.Name)
		}
		typ, err := primitiveType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		attr := map[string]any{"type": typ, "description": a.Description, "description_kind": kind(a.DescriptionKind)}
		for flag, set := range map[string]bool{"required": a.Required, "optional": a.Optional, "computed": a.Computed, "sensitive": a.Sensitive} {
			if set {
				attr[flag] = true
			}
		}
		attrs[a.Name] = attr
	}
	return map[string]any{"attributes": attrs, "description": b.Description, "description_kind": kind(b.DescriptionKind)}, nil
}

// primitiveType names a primitive type as the providers schema JSON format does.
func primitiveType(t tftypes.Type) (string, error) {
	switch {
	case t.Is(tftypes.String):
		return "string", nil
	case t.Is(tftypes.Number):
		return "number", nil
	case t.Is(tftypes.Bool):
		return "bool", nil
	}
	return "", fmt.Errorf("type %s is not supported", t)
}

func kind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}
