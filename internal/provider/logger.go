package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogBridge sends the client's log lines to tflog, masking every configured secret
// wherever it might appear, as a second guard behind the client never logging them.
type tflogBridge struct {
	secrets []string
}

func (b tflogBridge) mask(ctx context.Context) context.Context {
	ctx = tflog.SetField(ctx, "subsystem", "doo-client")
	ctx = tflog.MaskMessageStrings(ctx, b.secrets...)
	return tflog.MaskAllFieldValuesStrings(ctx, b.secrets...)
}

// Debug logs one request line.
func (b tflogBridge) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(b.mask(ctx), msg, fields)
}

// Warn logs a retry or a failure.
func (b tflogBridge) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(b.mask(ctx), msg, fields)
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
