package provider

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// secretRecordKey is the private state key of a doo_webhook's receiver-secret record.
const secretRecordKey = "receiver_secret"

// saltSize is the length in bytes of the random per-resource HMAC key.
const saltSize = 32

// privateState is what secret records are read from and written to: the framework's private
// state of a request (read) or a response (read and write).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateStateWriter interface {
	privateState
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// secretRecord is kept in a doo_webhook's private state so that drift of the receiver secret
// can be detected when the secret itself is not in state (client_secret_wo).
// It holds keyed fingerprints only: HMAC-SHA-256 under a random salt of its own, never the
// secret and never a bare hash, so equal secrets of two resources do not look alike and a
// fingerprint cannot be looked up in a table of common secrets' hashes.
type secretRecord struct {
	// Salt is the HMAC key, random per resource instance.
	Salt []byte `json:"salt,omitempty"`
	// Sent fingerprints the secret Terraform last sent to doo (create) or recorded (update).
	Sent []byte `json:"sent,omitempty"`
	// Listed fingerprints the secret doo listed at the last refresh.
	Listed []byte `json:"listed,omitempty"`
}

// fingerprint returns the keyed fingerprint of secret; nil without a salt.
func (r *secretRecord) fingerprint(secret string) []byte {
	if len(r.Salt) == 0 {
		return nil
	}
	mac := hmac.New(sha256.New, r.Salt)
	mac.Write([]byte(secret))
	return mac.Sum(nil)
}

// matchesListed reports whether secret is the one doo listed at the last refresh; known is false
// when no refresh has fingerprinted doo's secret yet.
func (r *secretRecord) matchesListed(secret string) (match, known bool) {
	if len(r.Salt) == 0 || len(r.Listed) == 0 {
		return false, false
	}
	return hmac.Equal(r.fingerprint(secret), r.Listed), true
}

// changedOutOfBand reports whether doo lists another secret than the one Terraform last sent.
func (r *secretRecord) changedOutOfBand() bool {
	return len(r.Sent) > 0 && len(r.Listed) > 0 && !hmac.Equal(r.Sent, r.Listed)
}

// ensureSalt gives the record a fresh random salt when it has none. A new salt invalidates
// fingerprints made under an old one, so they are dropped.
func (r *secretRecord) ensureSalt() error {
	if len(r.Salt) == saltSize {
		return nil
	}
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	*r = secretRecord{Salt: salt}
	return nil
}

// loadSecretRecord reads the record from private state; a missing or unreadable one is empty.
func loadSecretRecord(ctx context.Context, p privateState) (secretRecord, diag.Diagnostics) {
	var rec secretRecord
	if p == nil {
		return rec, nil
	}
	raw, diags := p.GetKey(ctx, secretRecordKey)
	if diags.HasError() || len(raw) == 0 {
		return rec, diags
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		// Not a secret and not fatal: the next refresh starts a new record.
		return secretRecord{}, diags
	}
	return rec, diags
}

// save writes the record to private state.
func (r secretRecord) save(ctx context.Context, p privateStateWriter) diag.Diagnostics {
	raw, err := json.Marshal(r)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the receiver secret's fingerprint", err.Error())
		return diags
	}
	return p.SetKey(ctx, secretRecordKey, raw)
}
