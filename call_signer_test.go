package alicert

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alicert/alicert/internal/signature"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkSigned verifies a signed body against secret, recomputed from scratch
// with the package-level signer, and the values kept for error messages.
func checkSigned(t *testing.T, signed signedRequest, secret string) {
	t.Helper()
	canonical, encSig, ok := strings.Cut(string(signed.body), signatureParam)
	require.True(t, ok, "no Signature in %q", signed.body)
	sts := signature.AppendStringToSign(nil, "POST", []byte(canonical))
	want := signature.Sign(secret, sts)
	assert.Equal(t, signature.Encode(want), encSig, "the signature sent")
	assert.Equal(t, want, signed.sentSignature(), "the signature kept to scrub messages")
	assert.Equal(t, string(sts), signed.stringToSign(), "the string-to-sign kept to explain errors")
}

// TestSignFollowsTheSecretOfEachAttempt: the client reuses a keyed HMAC
// between signings, so it must notice when the secret changes (a refreshed
// STS credential) and never sign with a stale one.
func TestSignFollowsTheSecretOfEachAttempt(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithAccessKey("id", "unused"))
	require.NoError(t, err)
	params := []signature.Param{{Key: "Domain", Value: "example.com"}, {Key: "A", Value: "a b"}}
	orig := slices.Clone(params)
	for i, secret := range []string{"s1", "s1", "s2", "s1", "s2", "s2", "s1"} {
		cred := &providers.Credentials{AccessKeyId: "id", AccessKeySecret: secret}
		if i%2 == 1 {
			cred.SecurityToken = "token/" + secret
		}
		signed := c.signer.sign(c, opCreateCsr, c.endpoints[apiCAS], params, cred)
		checkSigned(t, signed, secret)
		assert.Equal(t, i%2 == 1, strings.Contains(string(signed.body), "SecurityToken="), "attempt %d", i)
	}
	assert.Equal(t, orig, params, "sign must not modify its parameters")
}

// TestSignConcurrently signs from many goroutines with different secrets on
// one client: the pooled scratch space must never be shared (run with -race).
func TestSignConcurrently(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithAccessKey("id", "unused"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			secret := fmt.Sprintf("secret-%d", g%3)
			for i := range 50 {
				params := []signature.Param{{Key: "N", Value: fmt.Sprint(g, "-", i)}}
				checkSigned(t, c.signer.sign(c, opCreateCsr, c.endpoints[apiCAS], params, &providers.Credentials{AccessKeyId: "id", AccessKeySecret: secret}), secret)
			}
		}()
	}
	wg.Wait()
}
