package doo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// orderFiles returns the files in which env's clients remember the order of the test team.
func orderFiles(t *testing.T, env *testEnv) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(env.Config.GateDir, "terraform-provider-doo-*", "*.order-*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// nextProcess returns another client of env's emulator, as the next provider process of the same user
// on the same machine; with forget, one whose memory of earlier processes is empty (another machine).
func nextProcess(t *testing.T, env *testEnv, forget bool) *doo.Client {
	t.Helper()
	cfg := env.Config
	if forget {
		cfg.GateDir = t.TempDir()
	}
	c, err := doo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Terraform plans and applies in two provider processes. The apply's first delete in a team its plan
// listed is confirmed by one listing: the plan's listing told where the configuration stood, and the
// apply's listing agreeing with it shows doo's order stable. Where earlier listings had shown the order
// stable already, the page holding its place suffices. Without that memory (another machine) the first
// delete takes two listings.
func TestDeleteWebhook_theNextProcessConfirmsWithOneListing(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		forget, learned bool
		want            int
	}{
		"remembered by the plan's process": {want: 3},
		"remembered, order known stable":   {learned: true, want: 1},
		"nothing remembered":               {forget: true, want: 6},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			ids := seed(t, env.Fake, 60) // 3 pages
			mustList(t, env.Client)      // the plan's refresh
			if tt.learned {
				learnOrder(t, env)
			}
			if len(orderFiles(t, env)) != 1 {
				t.Fatal("the plan's listing was not remembered")
			}
			apply := nextProcess(t, env, tt.forget)
			wantDeleteConfirmed(t, env, apply, ids[30], tt.want, "confirming the apply's first delete (3 pages a listing)")
		})
	}
}

// The attack on the one-listing proof, across processes: the next process starts from the remembered
// listing, doo ignores its delete of the first configuration of page 2, and another writer replaces one
// of page 1 while the confirming listing pages. The configuration moves onto page 1, already read; its
// place lies between two pages, which proves nothing, and the second listing finds it.
func TestDeleteWebhook_aRememberedOrderCannotBeFakedByAConcurrentWriter(t *testing.T) {
	t.Parallel()
	var swallowed swallowedDeletes
	env := newTestEnv(t, doofake.Options{}, nil, swallowed.wrap)
	ids := seed(t, env.Fake, 60)
	mustList(t, env.Client)
	ignored := ids[25]
	swallowed.set(ignored)
	env.Fake.ReplaceBetweenPages(testTeam, ids[3])
	err := nextProcess(t, env, false).DeleteWebhook(context.Background(), testTeam, ignored)
	var nc *doo.DeleteNotConfirmedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v: a delete doo ignored was confirmed", err)
	}
	if len(env.Fake.Replacements()) != 1 || !contains(storedIDs(env.Fake), ignored) {
		t.Fatal("the scenario is broken: the replacement did not happen, or the configuration was deleted")
	}
}

// An order once seen to change is remembered as such: the next process, whose own first listing sees the
// order agree, still confirms its first delete with two listings.
func TestDeleteWebhook_aChangedOrderIsRememberedForGood(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 60)
	env.Fake.Update(func(st *doofake.Settings) { st.UnstableOrder = true })
	learnOrder(t, env) // two listings that disagree
	env.Fake.Update(func(st *doofake.Settings) { st.UnstableOrder = false })
	apply := nextProcess(t, env, false)
	wantDeleteConfirmed(t, env, apply, ids[30], 6, "confirming a delete where doo's order once changed")
	if remembered, learned := apply.OrderRemembered(testTeam); remembered || learned {
		t.Errorf("OrderRemembered = %v, %v: a changed order must not count as remembered", remembered, learned)
	}
}

// A damaged memory is not used (and said so in the debug log): the next process proves as if it had none.
func TestDeleteWebhook_aDamagedMemoryIsNotUsed(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"not JSON":     "{ids",
		"repeated ids": `{"ids":["a","a"],"page_size":25,"order_agreed":true}`,
		"empty id":     `{"ids":["a",""],"page_size":25,"order_agreed":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			ids := seed(t, env.Fake, 60)
			mustList(t, env.Client)
			files := orderFiles(t, env)
			if len(files) != 1 {
				t.Fatalf("%d order files, want 1", len(files))
			}
			if err := os.WriteFile(files[0], []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			env.Config.Logger = env.Log
			wantDeleteConfirmed(t, env, nextProcess(t, env, false), ids[30], 6, "confirming a delete with a damaged memory")
			if !strings.Contains(env.Log.Text(), "the file is damaged") {
				t.Errorf("the debug log does not say the memory is damaged:\n%s", env.Log.Text())
			}
		})
	}
}

// The memory holds the order of ids and a page size, nothing of a configuration's content.
func TestOrderMemory_holdsIDsOnly(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	w := webhook("memory")
	w.Authentication = &doo.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/oauth/token",
		Credentials: doo.Credentials{ClientID: "doo", ClientSecret: "s3cr3t-value"}, HeaderFormat: "Authorization",
		HeaderValueFormat: "Bearer %ACCESS_TOKEN%"}
	id := mustCreate(t, env.Client, w)
	mustList(t, nextProcess(t, env, false))
	files := orderFiles(t, env)
	if len(files) != 1 {
		t.Fatalf("%d order files, want 1", len(files))
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), id) || strings.Contains(string(b), "s3cr3t") || strings.Contains(string(b), "memory") {
		t.Errorf("the order file holds more than ids: %s", b)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the order file's mode is %04o, want 0600", fi.Mode().Perm())
	}
}

// The plan's estimate asks what the apply will know. Terraform refreshes and plans a destroy in separate
// processes, so the process that estimates may not have listed the team itself: what an earlier process
// left counts too.
func TestOrderRemembered_countsWhatAnEarlierProcessLeft(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 30)
	if r, l := nextProcess(t, env, false).OrderRemembered(testTeam); r || l {
		t.Errorf("before any listing: OrderRemembered = %v, %v, want false, false", r, l)
	}
	mustList(t, env.Client)
	if r, l := env.Client.OrderRemembered(testTeam); !r || l {
		t.Errorf("the listing process after one listing: OrderRemembered = %v, %v, want true, false", r, l)
	}
	if r, l := nextProcess(t, env, false).OrderRemembered(testTeam); !r || l {
		t.Errorf("the next process after one listing: OrderRemembered = %v, %v, want true, false", r, l)
	}
	learnOrder(t, env)
	if r, l := nextProcess(t, env, false).OrderRemembered(testTeam); !r || !l {
		t.Errorf("the next process after two listings that agree: OrderRemembered = %v, %v, want true, true", r, l)
	}
	if r, l := nextProcess(t, env, true).OrderRemembered(testTeam); r || l {
		t.Errorf("another machine: OrderRemembered = %v, %v, want false, false", r, l)
	}
}
