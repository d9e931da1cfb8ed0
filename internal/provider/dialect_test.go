package provider

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// The tests here run against the emulator speaking doo's framework (Laminas API Tools) by default: an
// empty team answered with page_count 0 and page 0, a page that no longer exists answered 409, errors as
// ApiProblem documents. Each failed before the client understood that dialect.

// The first create in a team that holds nothing: one listing (the empty team, page_count 0), one POST,
// then an empty plan.
func TestAccWebhook_firstCreateInAnEmptyTeam(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(plainWebhook, "first"),
				Check: func(s *terraform.State) error {
					if n := env.fake.Count(doofake.RouteList); n != 1 {
						return fmt.Errorf("sent %d list requests before the first create, want 1 (the empty team)", n)
					}
					if n := env.fake.Count(doofake.RouteCreate); n != 1 {
						return fmt.Errorf("sent %d creates, want 1", n)
					}
					return expectIDs(env, stateID(s))
				},
			},
			{Config: env.config(plainWebhook, "first"), PlanOnly: true},
		},
	})
}

// twentyFiveWebhooks fills exactly one page of doo's 25.
const twentyFiveWebhooks = `
resource "doo_webhook" "page" {
  count   = 25
  team_id = 1
  name    = "page-${count.index}"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/${count.index}" }]
}
`

// Another writer deletes its configuration while the provider pages a team of 26: page 2 no longer exists
// and doo answers 409. The refresh starts the listing over; nothing is dropped from state, nothing is
// planned, nothing is created.
func TestAccWebhook_a409PageWhileAnotherWriterDeletesDropsNothing(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var other string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(twentyFiveWebhooks), Check: expectStored(env, 25)},
			{
				PreConfig: func() {
					other = env.fake.Seed(testTeam, doofake.Webhook{Name: "other pipeline", Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://other.example.com/"}}})
					env.fake.DeleteBetweenPages(testTeam, other)
				},
				Config: env.config(twentyFiveWebhooks),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := len(env.fake.DeletionsBetweenPages()); n != 1 {
						return fmt.Errorf("the other writer's delete fired %d times, want once", n)
					}
					conflict := 0
					for _, r := range env.fake.Requests() {
						if r.Route == doofake.RouteList && r.Status == http.StatusConflict {
							conflict++
						}
					}
					if conflict == 0 {
						return fmt.Errorf("no list page was answered 409: the scenario did not happen")
					}
					if n := env.fake.Count(doofake.RouteCreate); n != 25 {
						return fmt.Errorf("sent %d creates in all, want the first apply's 25", n)
					}
					return expectStored(env, 25)(nil)
				},
			},
		},
	})
}

// doo refuses the configuration with a 422 and its validation_messages: the error quotes each message
// with its field, one POST was sent, and neither state nor doo holds anything.
func TestAccWebhook_a422ShowsDoosValidationMessages(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	body, err := os.ReadFile("../doofake/testdata/doo-answers/create-invalid-422.json")
	if err != nil {
		t.Fatal(err)
	}
	env.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusUnprocessableEntity, Fraction: 1, Body: string(body)})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(plainWebhook, "refused"),
			ExpectError: regexp.MustCompile(`(?s)` + phrase("HTTP 422") + `.*` + phrase("Failed Validation") + `.*` +
				phrase("hooks.0.endpoint: The input does not appear to be a valid Uri") + `.*` + phrase("nothing was stored")),
		}},
	})
	if n := env.fake.Count(doofake.RouteCreate); n != 1 {
		t.Errorf("sent %d creates, want 1: a refusal is final", n)
	}
}

// A base_url where nothing listens fails within seconds, naming the setting and the URL.
func TestAccProvider_unreachableBaseURLFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	env := &testEnv{url: closed}
	start := time.Now()
	// Not parallel: the time measured is this test's own, not the wait for a parallel slot.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:      env.config(plainWebhook, "unreachable"),
			ExpectError: regexp.MustCompile(`(?s)` + phrase("could not connect to "+closed) + `.*` + phrase("Check base_url")),
		}},
	})
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("an unreachable doo took %s to report, want under 20 s", elapsed)
	}
}

// phrase matches the words of s in order, however the CLI wraps the lines between them.
func phrase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `\s+`)
}
