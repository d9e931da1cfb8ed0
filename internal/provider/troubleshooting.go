package provider

// troubleshootingURL is the troubleshooting guide. Each error has its own section, whose anchor is
// pinned by TestTroubleshootingGuide_anchorsAreStable, so hints can link to it.
const troubleshootingURL = "https://github.com/doo-net/terraform-provider-doo/blob/main/docs/guides/troubleshooting.md"

// Anchors of the troubleshooting guide's sections that the provider's own diagnostics link to.
const (
	anchorMissingCredentials = "missing-doo-api-key-or-client-credentials"
	anchorConflicting        = "conflicting-doo-credentials"
	anchorUnknownSetting     = "provider-setting-unknown-at-plan-time"
	anchorInvalidURL         = "invalid-doo-base_url"
)

// seeTroubleshooting ends a diagnostic with a pointer to its section of the troubleshooting guide.
func seeTroubleshooting(anchor string) string {
	return " Troubleshooting: " + troubleshootingURL + "#" + anchor
}
