package alicerttest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)

func TestAcceptsSignedPOSTAndGET(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	seen := map[string]bool{}
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		res := raw{method: method, params: ecsr()}.send(t, srv)
		require.Equal(t, http.StatusOK, res.status, "%s: %s", method, res.body)
		var out struct {
			CsrID     json.Number `json:"CsrId"`
			Csr       string
			RequestID string `json:"RequestId"`
		}
		require.NoError(t, json.Unmarshal(res.body, &out))
		assert.Contains(t, out.Csr, "-----BEGIN CERTIFICATE REQUEST-----")
		assert.Equal(t, res.header.Get("x-acs-request-id"), out.RequestID)
		assert.Regexp(t, requestIDPattern, out.RequestID)
		assert.False(t, seen[out.RequestID], "request ids repeat")
		seen[out.RequestID] = true
	}
	assert.Equal(t, 2, srv.CsrCount())
}

func TestRejectsBadRequests(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddCredentials("LTAIsts", "sts-secret", "the-token")
	tests := []struct {
		name       string
		req        raw
		wantStatus int
		wantCode   string
		wantInMsg  string
	}{
		{"wrong secret", raw{secret: "not-the-secret"}, 400, "SignatureDoesNotMatch", "server string to sign is:POST&%2F&"},
		{"changed after signing", raw{tamper: func(v url.Values) { v.Set("CommonName", "evil.example") }},
			400, "SignatureDoesNotMatch", "CommonName%3Devil.example"},
		{"signed for GET, sent as POST", raw{signAs: http.MethodGet}, 400, "SignatureDoesNotMatch", "is:POST&"},
		{"unknown key", raw{id: "LTAIunknown"}, 404, "InvalidAccessKeyId.NotFound", ""},
		{"stale timestamp", raw{timestamp: time.Now().Add(-16 * time.Minute)}, 400, "InvalidTimeStamp.Expired", ""},
		{"future timestamp", raw{timestamp: time.Now().Add(16 * time.Minute)}, 400, "InvalidTimeStamp.Expired", ""},
		{"malformed timestamp", raw{tamper: func(v url.Values) { v.Set("Timestamp", "2024-01-02 03:04:05") }},
			400, "InvalidTimeStamp.Format", ""},
		{"unknown action", raw{params: map[string]string{"Action": "DeleteEverything", "Version": casVersion}},
			400, "InvalidAction.NotFound", "DeleteEverything"},
		{"CAS action with the KMS version", raw{params: with(ecsr(), "Version", kmsVersion)},
			400, "InvalidAction.NotFound", ""},
		{"HMAC-SHA256", raw{tamper: func(v url.Values) { v.Set("SignatureMethod", "HMAC-SHA256") }},
			400, "InvalidParameter", `"SignatureMethod"`},
		{"XML", raw{tamper: func(v url.Values) { v.Set("Format", "XML") }}, 400, "InvalidParameter", `"Format"`},
		{"duplicate parameter", raw{tamper: func(v url.Values) { v.Add("CommonName", "b.example") }},
			400, "InvalidParameter", `"CommonName"`},
		{"STS key without its token", raw{id: "LTAIsts", secret: "sts-secret"},
			400, "InvalidSecurityToken.MismatchWithAccessKey", ""},
		{"STS key with another token", raw{id: "LTAIsts", secret: "sts-secret", token: "other"},
			400, "InvalidSecurityToken.MismatchWithAccessKey", ""},
		{"token with a plain key", raw{token: "the-token"}, 400, "InvalidSecurityToken.MismatchWithAccessKey", ""},
	}
	for _, name := range []string{"Action", "Version", "Format", "AccessKeyId", "SignatureMethod",
		"SignatureVersion", "SignatureNonce", "Timestamp", "Signature"} {
		tests = append(tests, struct {
			name       string
			req        raw
			wantStatus int
			wantCode   string
			wantInMsg  string
		}{"without " + name, raw{omit: name}, 400, "MissingParameter", `"` + name + `"`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.params == nil {
				tt.req.params = ecsr()
			}
			res := tt.req.send(t, srv)
			assert.Equal(t, tt.wantStatus, res.status, "%s", res.body)
			assert.Equal(t, tt.wantCode, res.doc.Code)
			assert.Contains(t, res.doc.Message, tt.wantInMsg)
			assert.Regexp(t, requestIDPattern, res.doc.RequestID)
			assert.Equal(t, res.doc.RequestID, res.header.Get("x-acs-request-id"))
			assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), res.doc.HostID)
			assert.Contains(t, res.doc.Recommend, "q="+tt.wantCode)
		})
	}
	assert.Zero(t, srv.CsrCount(), "a rejected request created a CSR")

	t.Run("with its token", func(t *testing.T) {
		res := raw{params: ecsr(), id: "LTAIsts", secret: "sts-secret", token: "the-token"}.send(t, srv)
		assert.Equal(t, http.StatusOK, res.status, "%s", res.body)
	})
}

// TestSignatureMessageQuotesStringToSign checks the exact message: the
// client compares the quoted string-to-sign with its own.
func TestSignatureMessageQuotesStringToSign(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	res := raw{params: ecsr(), secret: "wrong"}.send(t, srv)
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "Specified signature is not matched with our calculation. server string to sign is:"+res.sts, res.doc.Message)
}

func TestRejectsReplayedNonce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	wire, _ := raw{params: ecsr()}.sign(srv)
	first := sendWire(t, srv, http.MethodPost, wire)
	require.Equal(t, http.StatusOK, first.status, "%s", first.body)
	again := sendWire(t, srv, http.MethodPost, wire)
	assert.Equal(t, http.StatusBadRequest, again.status)
	assert.Equal(t, "SignatureNonceUsed", again.doc.Code)
	assert.Equal(t, 1, srv.CsrCount(), "the replay created a second CSR")
	assert.Equal(t, 2, srv.RequestCount("CreateCsr"))
}

// TestClientSeesAuthErrors runs the real client into each rejection.
func TestClientSeesAuthErrors(t *testing.T) {
	t.Parallel()
	ahead := func() time.Time { return time.Now().Add(20 * time.Minute) }
	tests := []struct {
		name       string
		server     []alicerttest.Option
		client     func(srv *alicerttest.Server) []alicert.Option
		wantStatus int
		wantCode   string
	}{
		{"wrong secret", nil, func(srv *alicerttest.Server) []alicert.Option {
			id, _ := srv.Credentials()
			return []alicert.Option{alicert.WithAccessKey(id, "wrong-secret")}
		}, 400, "SignatureDoesNotMatch"},
		{"unknown key", nil, func(*alicerttest.Server) []alicert.Option {
			return []alicert.Option{alicert.WithAccessKey("LTAInobody", "secret")}
		}, 404, "InvalidAccessKeyId.NotFound"},
		{"clock skew", []alicerttest.Option{alicerttest.WithClock(ahead)}, nil, 400, "InvalidTimeStamp.Expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.server...)
			var opts []alicert.Option
			if tt.client != nil {
				opts = tt.client(srv)
			}
			c := newClient(t, srv, opts...)
			_, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
			var apiErr *alicert.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			assert.Equal(t, tt.wantStatus, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Regexp(t, requestIDPattern, apiErr.RequestID)
			assert.Equal(t, 1, srv.RequestCount("DescribeCertificateState"), "an auth error was retried")
		})
	}
}

func TestSTSCredentialsThroughClient(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddCredentials("STS.key", "sts-secret", "sts-token/with+odd=chars")
	c := newClient(t, srv, alicert.WithSTSToken("STS.key", "sts-secret", "sts-token/with+odd=chars"))
	_, err := c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256,
		CommonName: "example.com", CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
	require.NoError(t, err)

	wrong := newClient(t, srv, alicert.WithSTSToken("STS.key", "sts-secret", "stale-token"))
	_, err = wrong.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	var apiErr *alicert.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "InvalidSecurityToken.MismatchWithAccessKey", apiErr.Code)
}
