package redact_test

import (
	"strings"
	"testing"

	"github.com/alicert/alicert/internal/redact"
	"github.com/stretchr/testify/assert"
)

func TestTextRemovesPrivateKeys(t *testing.T) {
	key := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkeyBytes\n-----END EC PRIVATE KEY-----\n"
	cert := "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n"
	got := redact.Text("before " + cert + key + "after")
	assert.NotContains(t, got, "MHcCAQEEIBkeyBytes")
	assert.Contains(t, got, "MIIBcert", "certificates are public and kept")
	assert.Contains(t, got, redact.Placeholder)
	assert.True(t, strings.HasPrefix(got, "before ") && strings.HasSuffix(got, "after"))

	// A key cut short (a truncated body) is removed to the end.
	got = redact.Text("x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN")
	assert.Equal(t, "x "+redact.Placeholder, got)
}

func TestTextRemovesSecurityTokens(t *testing.T) {
	for _, in := range []string{
		"Action=X&SecurityToken=tok.en/+=&Version=1",
		"POST&%2F&Action%3DX%26SecurityToken%3Dtok.en%252F%26Version%3D1",
		"quoted: SecurityToken%253Dtok.en%2526Version",
		`{"SecurityToken":"tok.en","x":1}`,
	} {
		got := redact.Text(in)
		assert.NotContains(t, got, "tok.en", in)
		assert.Contains(t, got, redact.Placeholder, in)
	}
	assert.Contains(t, redact.Text("Action=X&SecurityToken=t&Version=1"), "&Version=1", "what follows the token is kept")
}

func TestTextLeavesOrdinaryText(t *testing.T) {
	for _, in := range []string{"", "plain message", "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----", "-----BEGIN "} {
		assert.Equal(t, in, redact.Text(in))
	}
}

func TestTextRemovesSecretAssignments(t *testing.T) {
	// As credentials-go quotes a malformed ~/.aliyun/config.json.
	profile := `{"profiles":[{"name":"default","access_key_id":"LTAIkeyid","access_key_secret":"SUPERSECRET1","sts_token": "STSVALUE2",}]}`
	got := redact.Text("parse error: " + profile)
	assert.NotContains(t, got, "SUPERSECRET1")
	assert.NotContains(t, got, "STSVALUE2")
	assert.Contains(t, got, "LTAIkeyid", "key ids are not secret and help debugging")
	for _, in := range []string{"AccessKeySecret=SUPERSECRET1&x=1", "access_key_secret = SUPERSECRET1", "password: SUPERSECRET1", "ClientSecret=SUPERSECRET1"} {
		assert.NotContains(t, redact.Text(in), "SUPERSECRET1", in)
	}
	assert.Equal(t, "the access key secret is empty", redact.Text("the access key secret is empty"))
}
