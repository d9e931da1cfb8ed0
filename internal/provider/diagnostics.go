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
		return "Check the team's configurations with data source doo_webhooks; if one matches, import it with " +
			"`terraform import <address> <team_id>/<id>` before applying again." + seeTroubleshooting("create-outcome-unknown")
	}
	switch doo.ReasonOf(err) {
	case doo.ReasonThrottled:
		return "Lower requests_per_second in the provider block, or run terraform with a lower -parallelism (e.g. -parallelism=2)." +
			seeTroubleshooting("429-throttled")
	case doo.ReasonQuotaExhausted:
		return "Wait for the quota to reset, or ask doo support to raise the limit of the API key; -target limits a run to fewer configurations." +
			seeTroubleshooting("429-daily-quota-exhausted")
	case doo.ReasonBadCredentials:
		return "Check client_id and client_secret (or DOO_CLIENT_ID and DOO_CLIENT_SECRET): a doo administrator creates them in the Manager App " +
			"under Organization Settings → Users → Client credentials." + seeTroubleshooting("401-client-credentials-refused")
	case doo.ReasonUnauthorized:
		return "Check access_token (or DOO_ACCESS_TOKEN): a static token cannot be renewed once it expires; prefer client_id and client_secret." +
			seeTroubleshooting("401-access-token-expired")
	case doo.ReasonForbidden:
		return "Check api_key (or DOO_API_KEY), and that team_id is one of the teams data source doo_organizations lists for these credentials." +
			seeTroubleshooting("403-forbidden")
	case doo.ReasonTeamNotFound:
		return "Check team_id against data source doo_organizations. Nothing was removed from state: a 404 never proves a configuration gone." +
			seeTroubleshooting("404-team-not-found")
	case doo.ReasonInconsistentList:
		return "Nothing was removed from state or created. Run the command again; if it persists, another pipeline may be changing the team, " +
			"or doo is misbehaving." + seeTroubleshooting("inconsistent-team-listing")
	case doo.ReasonRedirect:
		return "Check base_url and token_url (or DOO_BASE_URL and DOO_TOKEN_URL): they must name doo's API host itself, " +
			"e.g. https://rest.doo.net." + seeTroubleshooting("redirect-from-doo")
	}
	return ""
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
