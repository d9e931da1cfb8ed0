package provider

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// githubAnchor is the anchor GitHub (and the registry) give a heading: lowercase, punctuation other
// than hyphens and underscores dropped, spaces turned into hyphens.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// The error hints link to these sections: renaming one breaks the links, so the list is pinned here.
func TestTroubleshootingGuide_anchorsAreStable(t *testing.T) {
	want := []string{
		anchorMissingCredentials,
		anchorConflicting,
		anchorUnknownSetting,
		anchorInvalidURL,
		"doo-host-unreachable",
		"401-client-credentials-refused",
		"401-access-token-expired",
		"403-forbidden",
		"403-from-the-token-endpoint",
		"404-team-not-found",
		"doo-refused-the-configuration",
		"cannot-import-non-existent-remote-object",
		"doo-webhook-configuration-no-longer-exists",
		"429-throttled",
		"429-daily-quota-exhausted",
		"502-503-or-504-from-doo",
		"cannot-confirm-the-deletion",
		"recovered-a-doo-create-whose-answer-was-lost",
		"create-outcome-unknown",
		"inconsistent-team-listing",
		"redirect-from-doo",
		"debug-logs",
	}
	// The generated page, which is what users open; make docs keeps it in step with the template.
	text, err := os.ReadFile("../../docs/guides/troubleshooting.md")
	if err != nil {
		t.Fatalf("reading the generated troubleshooting guide: %v", err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^## (.+)$`).FindAllStringSubmatch(string(text), -1) {
		got = append(got, githubAnchor(m[1]))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the troubleshooting guide's sections have the anchors\n%s\nwant\n%s\n(update the hints that link to a renamed section)",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, a := range want {
		if !strings.Contains(seeTroubleshooting(a), "troubleshooting.md#"+a) {
			t.Fatalf("seeTroubleshooting(%q) = %q", a, seeTroubleshooting(a))
		}
	}
}
