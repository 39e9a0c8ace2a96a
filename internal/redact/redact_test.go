package redact_test

import (
	"net/url"
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

// TestTextRemovesPrivateKeysInEveryEncoding: a service or web firewall that
// echoes a request puts the key in the form the request carried it.
func TestTextRemovesPrivateKeysInEveryEncoding(t *testing.T) {
	const body = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+KEY/BODY=="
	key := "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n"
	forms := map[string]string{
		"literal":            key,
		"form-encoded":       url.Values{"Key": {key}}.Encode(),
		"query-escaped":      url.QueryEscape(key),
		"percent-encoded":    strings.ReplaceAll(url.PathEscape(key), "+", "%2B"),
		"encoded twice":      strings.ReplaceAll(url.QueryEscape(url.PathEscape(key)), "+", "%2B"),
		"plus for space":     strings.ReplaceAll(key, " ", "+"),
		"JSON string":        strings.ReplaceAll(key, "\n", `\n`),
		"EC key, form":       url.QueryEscape(strings.ReplaceAll(key, "PRIVATE KEY", "EC PRIVATE KEY")),
		"RSA key, cut short": url.QueryEscape(strings.ReplaceAll(key, "PRIVATE KEY", "RSA PRIVATE KEY"))[:80],
		"encrypted PKCS #8":  strings.ReplaceAll(key, "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
	}
	for name, form := range forms {
		got := redact.Text("<pre>Name=x&" + form + "&Cert=y</pre>")
		for _, piece := range []string{body[:30], url.QueryEscape(body)[:30], "BODY"} {
			assert.NotContains(t, got, piece, name)
		}
		assert.Contains(t, got, redact.Placeholder, name)
		assert.True(t, strings.HasPrefix(got, "<pre>Name=x&"), "%s: what precedes the key is kept: %s", name, got)
		if !strings.Contains(name, "cut short") {
			assert.True(t, strings.HasSuffix(got, "&Cert=y</pre>"), "%s: what follows the key is kept: %s", name, got)
		}
	}
	cert := url.QueryEscape("-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n")
	assert.Equal(t, cert, redact.Text(cert), "a certificate is public, in any form")
}

// TestTextRemovesCredentialFileLinesWithoutDelimiter: the credentials file's
// parser quotes a line that has no '='.
func TestTextRemovesCredentialFileLinesWithoutDelimiter(t *testing.T) {
	for _, in := range []string{
		"ERROR: Can not open filekey-value delimiter not found: access_key_secret SUPERSECRET1\n",
		"key-value delimiter not found: SUPERSECRET1",
		"bad line: access_key_secret SUPERSECRET1",
		"bad line: sts_token\tSUPERSECRET1 in profile",
		"ACCESS_KEY_SECRET SUPERSECRET1",
	} {
		got := redact.Text(in)
		assert.NotContains(t, got, "SUPERSECRET1", in)
		assert.Contains(t, got, redact.Placeholder, in)
	}
	for _, in := range []string{"the access key secret is empty", "SecurityToken is required", "access_key_id LTAIkeyid"} {
		assert.Equal(t, in, redact.Text(in))
	}
	assert.Equal(t, "access_key_secret = "+redact.Placeholder, redact.Text("access_key_secret = SUPERSECRET1"))
}
