package provider

import (
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// advice says, in Terraform's words, what the user can do about a failed doo call. The client classifies
// failures (doo.Reason) in the API's words; only this layer knows attribute, variable and data source names.
func advice(err error) string {
	var unconfirmed *doo.DeleteNotConfirmedError
	switch {
	case errors.As(err, &unconfirmed):
		return "Run terraform apply (or destroy) again: the configuration stays in state, so the next run deletes it again and checks anew. " +
			"If it is still listed after that, ask doo support." + seeTroubleshooting("cannot-confirm-the-deletion")
	case doo.IsOutcomeUnknown(err):
		return "Run the apply again, unless the message names several candidate ids: then import the right one first " +
			"(`terraform import <address> <team_id>/<id>`) and delete the others." + seeTroubleshooting("create-outcome-unknown")
	}
	if a, ok := adviceByReason[doo.ReasonOf(err)]; ok {
		return a.text + seeTroubleshooting(a.anchor)
	}
	return ""
}

// adviceByReason is what to do about each classified failure, and the troubleshooting section on it.
var adviceByReason = map[doo.Reason]struct{ text, anchor string }{
	doo.ReasonThrottled: {"Lower requests_per_second in the provider block, or run terraform with a lower -parallelism (e.g. -parallelism=2).",
		"429-throttled"},
	doo.ReasonQuotaExhausted: {"Wait for the quota to reset, or ask doo support to raise the limit of the API key; -target limits a run to fewer configurations.",
		"429-daily-quota-exhausted"},
	doo.ReasonBadCredentials: {"Check client_id and client_secret (or DOO_CLIENT_ID and DOO_CLIENT_SECRET): a doo administrator creates them in the Manager App " +
		"under Organization Settings → Users → Client credentials.", "401-client-credentials-refused"},
	doo.ReasonUnauthorized: {"Check access_token (or DOO_ACCESS_TOKEN): a static token cannot be renewed once it expires; prefer client_id and client_secret.",
		"401-access-token-expired"},
	doo.ReasonForbidden: {"Check api_key (or DOO_API_KEY), and that team_id is one of the teams data source doo_organizations lists for these credentials.",
		"403-forbidden"},
	doo.ReasonTeamNotFound: {"Check team_id against data source doo_organizations. Nothing was removed from state: a 404 never proves a configuration gone.",
		"404-team-not-found"},
	doo.ReasonInconsistentList: {"Nothing was removed from state or created. Run the command again; if it persists, another pipeline may be changing the team, " +
		"or doo is misbehaving.", "inconsistent-team-listing"},
	doo.ReasonAPIUnreachable: {"Check base_url (or DOO_BASE_URL): the host the message names must be doo's API host and reachable from this machine " +
		"(DNS, firewall, HTTPS_PROXY). Nothing was sent.", "doo-host-unreachable"},
	doo.ReasonTokenEndpointUnreachable: {"Check token_url (or DOO_TOKEN_URL), or unset it to use base_url followed by /v1/oauth. Nothing was sent.",
		"doo-host-unreachable"},
	doo.ReasonTokenRefused: {"Check api_key (or DOO_API_KEY), and token_url (or DOO_TOKEN_URL) if you set one.", "403-from-the-token-endpoint"},
	doo.ReasonInvalidConfiguration: {"Change the attributes doo's messages name (hooks.0.endpoint is the endpoint of the first hook block) and apply again: " +
		"the create was refused, so nothing was stored.", "doo-refused-the-configuration"},
	doo.ReasonRedirect: {"Check base_url and token_url (or DOO_BASE_URL and DOO_TOKEN_URL): they must name doo's API host itself, e.g. https://rest.doo.net.",
		"redirect-from-doo"},
}

// addError adds an error diagnostic for a failed doo call: what failed and why (the client's message),
// then what to do next.
func addError(diags *diag.Diagnostics, summary string, err error, next ...string) {
	detail := err.Error()
	if !endsSentence(detail) {
		detail += "."
	}
	for _, n := range next {
		detail += " " + n
	}
	if a := advice(err); a != "" {
		detail += "\n\n" + a
	}
	diags.AddError(summary, detail)
}

func endsSentence(s string) bool {
	return s != "" && (s[len(s)-1] == '.' || s[len(s)-1] == '!' || s[len(s)-1] == '?')
}
