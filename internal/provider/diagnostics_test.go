package provider

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// Every classified failure gets advice in Terraform's words and a link to its troubleshooting section.
func TestAdvice_everyReasonLinksItsSection(t *testing.T) {
	t.Parallel()
	reasons := []doo.Reason{doo.ReasonThrottled, doo.ReasonQuotaExhausted, doo.ReasonBadCredentials, doo.ReasonUnauthorized,
		doo.ReasonForbidden, doo.ReasonTeamNotFound, doo.ReasonInconsistentList, doo.ReasonRedirect}
	guide, err := os.ReadFile("../../docs/guides/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## (.+)$`).FindAllStringSubmatch(string(guide), -1) {
		sections[githubAnchor(m[1])] = true
	}
	for _, r := range reasons {
		if !sections[adviceByReason[r].anchor] {
			t.Errorf("advice for %q links to #%s, which the troubleshooting guide does not have", r, adviceByReason[r].anchor)
		}
		a := advice(&doo.Error{Reason: r})
		if a == "" || !strings.Contains(a, "troubleshooting.md#"+adviceByReason[r].anchor) {
			t.Errorf("advice for %q = %q, want a text and a link to its section", r, a)
		}
	}
	if a := advice(errors.New("plain")); a != "" {
		t.Errorf("advice for an unclassified error = %q, want none", a)
	}
	if a := advice(&doo.DeleteNotConfirmedError{TeamID: 1, ID: "x"}); !strings.Contains(a, "#cannot-confirm-the-deletion") {
		t.Errorf("advice for an unconfirmed delete = %q", a)
	}
}
