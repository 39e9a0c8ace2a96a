package alicert

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryRuleIsTotalAndSafe checks the one retry rule as a table: every
// outcome has a decision for both classes of operation, and a create is
// retried only when the service provably did not act.
func TestRetryRuleIsTotalAndSafe(t *testing.T) {
	t.Parallel()
	assert.Len(t, retryRules, int(outRejected)+1, "every outcome has a rule")
	notActed := map[outcome]bool{outNotSent: true, outThrottled: true}
	mayHaveActed := map[outcome]bool{outNoResponse: true, outUnreadable: true, outUnusable: true, outServerError: true, outReplayed: true}
	for o := outSuccess; o <= outRejected; o++ {
		read, create := decide(opIdempotent, o), decide(opCreate, o)
		assert.False(t, read.unknown, "a read never has an unknown outcome (%d)", o)
		assert.False(t, create.retry && create.unknown, "retry or stop, not both (%d)", o)
		assert.Equal(t, notActed[o], create.retry, "a create is retried exactly when the service did not act (%d)", o)
		assert.Equal(t, mayHaveActed[o], create.unknown, "a create's outcome is unknown exactly when the service may have acted (%d)", o)
	}
	for _, o := range []outcome{outNotSent, outNoResponse, outUnreadable, outThrottled, outServerError, outReplayed} {
		assert.True(t, decide(opIdempotent, o).retry, "a read is retried after outcome %d", o)
	}
	for _, o := range []outcome{outSuccess, outUnusable, outRejected} {
		assert.False(t, decide(opIdempotent, o).retry, "a read is not retried after outcome %d", o)
	}
}

// TestClassifyServiceErrors pins how an error from the service maps to an
// outcome, whatever status carries it.
func TestClassifyServiceErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		code   string
		want   outcome
	}{
		{400, "Throttling.User", outThrottled},
		{200, "Throttling", outThrottled},
		{503, "ServiceUnavailable", outServerError},
		{200, "InternalError", outServerError},
		{200, "ServiceUnavailable.Temporary", outServerError},
		{400, "SignatureNonceUsed", outReplayed},
		{400, "InvalidParameter", outRejected},
		{200, "InvalidParameter", outRejected},
		{404, "", outRejected},
		{502, "", outServerError},
	} {
		apiErr := &APIError{StatusCode: tc.status, Code: tc.code}
		got, err := classifyAPIError(apiErr)
		assert.Equal(t, tc.want, got, "%d %s", tc.status, tc.code)
		assert.Same(t, apiErr, err, "the service's error is returned as it is")
	}
}

// TestNoProxyForPlainHTTP: an http:// request never goes through the
// environment's proxy, which would carry the signed body in clear text.
func TestNoProxyForPlainHTTP(t *testing.T) {
	t.Parallel()
	proxyURL := mustParseURL(t, "http://proxy.invalid:3128")
	proxy := noProxyForHTTP(func(*http.Request) (*url.URL, error) { return proxyURL, nil })
	for scheme, want := range map[string]*url.URL{"http": nil, "https": proxyURL} {
		req, err := http.NewRequest(http.MethodPost, scheme+"://127.0.0.1:8080/", nil)
		require.NoError(t, err)
		got, err := proxy(req)
		require.NoError(t, err)
		assert.Equal(t, want, got, scheme)
	}
	c, err := NewClient(WithAccessKey("id", "secret"))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", nil)
	require.NoError(t, err)
	got, err := c.cfg.httpClient.Transport.(*http.Transport).Proxy(req)
	require.NoError(t, err)
	assert.Nil(t, got, "the default transport sends plain http directly")
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}
