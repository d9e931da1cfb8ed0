package provider

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// memPrivate is an in-memory private state.
type memPrivate map[string][]byte

func (m memPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return m[key], nil
}

func (m memPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	m[key] = value
	return nil
}

func TestSecretRecord_fingerprintIsKeyedPerResource(t *testing.T) {
	const secret = "receiver-secret-0c9a"
	var a, b secretRecord
	if err := a.ensureSalt(); err != nil {
		t.Fatal(err)
	}
	if err := b.ensureSalt(); err != nil {
		t.Fatal(err)
	}
	if len(a.Salt) != saltSize || bytes.Equal(a.Salt, b.Salt) {
		t.Fatalf("salts %x and %x: want two different random %d-byte salts", a.Salt, b.Salt, saltSize)
	}
	fa, fb := a.fingerprint(secret), b.fingerprint(secret)
	if bytes.Equal(fa, fb) {
		t.Error("the same secret has the same fingerprint under two salts")
	}
	bare := sha256.Sum256([]byte(secret))
	if bytes.Equal(fa, bare[:]) {
		t.Error("the fingerprint is a bare SHA-256 of the secret")
	}
	mac := hmac.New(sha256.New, a.Salt)
	mac.Write([]byte(secret))
	if !bytes.Equal(fa, mac.Sum(nil)) {
		t.Error("the fingerprint is not HMAC-SHA-256 keyed by the salt")
	}
	if !bytes.Equal(fa, a.fingerprint(secret)) || bytes.Equal(fa, a.fingerprint(secret+"x")) {
		t.Error("the fingerprint is not a deterministic function of the secret")
	}
	if (&secretRecord{}).fingerprint(secret) != nil {
		t.Error("a record without salt fingerprints secrets")
	}
}

func TestSecretRecord_matchesAndOutOfBand(t *testing.T) {
	var r secretRecord
	if _, known := r.matchesListed("s"); known {
		t.Error("an empty record claims to know doo's secret")
	}
	if err := r.ensureSalt(); err != nil {
		t.Fatal(err)
	}
	r.Sent = r.fingerprint("sent")
	r.Listed = r.fingerprint("sent")
	if match, known := r.matchesListed("sent"); !match || !known {
		t.Errorf("matchesListed(sent) = %v, %v; want true, true", match, known)
	}
	if match, _ := r.matchesListed("other"); match {
		t.Error("another secret matches")
	}
	if r.changedOutOfBand() {
		t.Error("unchanged secret reported as changed outside Terraform")
	}
	r.Listed = r.fingerprint("rotated")
	if !r.changedOutOfBand() {
		t.Error("a rotated secret is not reported as changed outside Terraform")
	}
	salt := r.Salt
	if err := r.ensureSalt(); err != nil || !bytes.Equal(r.Salt, salt) || r.Listed == nil {
		t.Error("ensureSalt replaced an existing salt")
	}
	stale := secretRecord{Sent: []byte("stale"), Listed: []byte("stale")}
	if err := stale.ensureSalt(); err != nil || stale.Sent != nil || stale.Listed != nil {
		t.Errorf("a new salt must drop fingerprints made without it: %+v", stale)
	}
}

func TestSecretRecord_privateStateHoldsNoSecret(t *testing.T) {
	ctx := context.Background()
	const secret = "receiver-secret-71bd"
	var r secretRecord
	if err := r.ensureSalt(); err != nil {
		t.Fatal(err)
	}
	r.Sent, r.Listed = r.fingerprint(secret), r.fingerprint(secret)
	p := memPrivate{}
	if diags := r.save(ctx, p); diags.HasError() {
		t.Fatal(diags)
	}
	raw := string(p[secretRecordKey])
	if !json.Valid([]byte(raw)) || strings.Contains(raw, secret) {
		t.Fatalf("private state %s: want JSON without the secret", raw)
	}
	got, diags := loadSecretRecord(ctx, p)
	if diags.HasError() || !bytes.Equal(got.Salt, r.Salt) || !bytes.Equal(got.Listed, r.Listed) || !bytes.Equal(got.Sent, r.Sent) {
		t.Fatalf("round trip: got %+v, want %+v", got, r)
	}
	p[secretRecordKey] = []byte(`{"salt": 1}`)
	if got, _ := loadSecretRecord(ctx, p); len(got.Salt) != 0 {
		t.Errorf("an unreadable record loads as %+v, want empty", got)
	}
	if got, _ := loadSecretRecord(ctx, memPrivate{}); len(got.Salt) != 0 || got.Sent != nil {
		t.Errorf("a missing record loads as %+v, want empty", got)
	}
}

func TestRecordableAuthenticationChange(t *testing.T) {
	var rec secretRecord
	if err := rec.ensureSalt(); err != nil {
		t.Fatal(err)
	}
	rec.Listed = rec.fingerprint("doo-secret")
	auth := func(secret types.String, version types.Int64) *authenticationModel {
		return &authenticationModel{
			GrantType: types.StringValue("client_credentials"), Endpoint: types.StringValue("https://crm.example.com/token"),
			HeaderFormat: types.StringValue("Authorization"), HeaderValueFormat: types.StringValue("Bearer %ACCESS_TOKEN%"),
			Credentials: &credentialsModel{ClientID: types.StringValue("doo"), ClientSecret: secret,
				ClientSecretWO: types.StringNull(), ClientSecretWOVersion: version},
		}
	}
	null, v1, v2 := types.Int64Null(), types.Int64Value(1), types.Int64Value(2)
	noSecret, stored := types.StringNull(), types.StringValue("doo-secret")
	otherEndpoint := auth(noSecret, v1)
	otherEndpoint.Endpoint = types.StringValue("https://elsewhere.example.com/token")
	cases := []struct {
		name            string
		prior, planned  *authenticationModel
		configured      string
		known, wantOK   bool
		withFingerprint bool
	}{
		{"import or move to write-only with a version, same secret", auth(stored, null), auth(noSecret, v1), "doo-secret", true, true, true},
		{"import or move to write-only without a version, same secret", auth(stored, null), auth(noSecret, null), "doo-secret", true, true, true},
		{"import or move to write-only, another secret", auth(stored, null), auth(noSecret, v1), "mine", true, false, true},
		{"import or move to write-only, secret unknown at plan", auth(stored, null), auth(noSecret, v1), "", false, false, true},
		{"move to write-only, same secret, no fingerprint", auth(stored, null), auth(noSecret, v1), "doo-secret", true, true, false},
		{"move to write-only, another secret, no fingerprint", auth(stored, null), auth(noSecret, null), "new", true, false, false},
		{"version added, same secret", auth(noSecret, null), auth(noSecret, v1), "doo-secret", true, true, true},
		{"version added, another secret", auth(noSecret, null), auth(noSecret, v1), "mine", true, false, true},
		{"version added, never refreshed", auth(noSecret, null), auth(noSecret, v1), "doo-secret", true, false, false},
		{"version removed, same secret", auth(noSecret, v1), auth(noSecret, null), "doo-secret", true, true, true},
		{"version unknown", auth(noSecret, null), auth(noSecret, types.Int64Unknown()), "doo-secret", true, false, true},
		{"version bump", auth(noSecret, v1), auth(noSecret, v2), "doo-secret", true, false, true},
		{"write-only back to stored", auth(noSecret, v1), auth(stored, null), "doo-secret", true, false, true},
		{"stored secret changed", auth(stored, null), auth(types.StringValue("new"), null), "new", true, false, true},
		{"endpoint changed too", auth(stored, null), otherEndpoint, "doo-secret", true, false, true},
		{"authentication added", nil, auth(noSecret, v1), "doo-secret", true, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rec
			if !tc.withFingerprint {
				r = secretRecord{}
			}
			ok, why := recordableAuthenticationChange(tc.prior, tc.planned, tc.configured, tc.known, r)
			if ok != tc.wantOK {
				t.Errorf("recordable = %v (%s), want %v", ok, why, tc.wantOK)
			}
			if !ok && why == "" {
				t.Error("a refusal without a reason")
			}
		})
	}
}
