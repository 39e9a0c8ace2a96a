package alicert_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialsErrorNeverQuotesAProfileSecret: credentials-go quotes a
// malformed ~/.aliyun/config.json whole in its error.
func TestCredentialsErrorNeverQuotesAProfileSecret(t *testing.T) {
	cpIsolateCredentialsEnv(t)
	home := os.Getenv("HOME")
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	cfg := `{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAIkey","access_key_secret":"` + cpSecret + `",}]}`
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(cfg), 0o600))
	srv := newScriptedServer(t, cpState("process"))
	c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
	require.NoError(t, err)

	_, err = c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.Error(t, err)
	cpRequireNoSecret(t, "credentials error", err.Error())
	assert.Equal(t, 0, srv.attempts())
}

// TestRedirectIsNotFollowed: a 307 would post the signed body, token
// included, to another host.
func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := newScriptedServer(t, cpCsrDetail())
	srv := newScriptedServer(t, scriptedReply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": elsewhere.URL}})
	for _, c := range []*alicert.Client{
		srv.client(t, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken)),
		srv.client(t, alicert.WithSTSToken(cpKeyID, cpSecret, cpToken), alicert.WithHTTPClient(&http.Client{})),
	} {
		_, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	}
	assert.Equal(t, 0, elsewhere.attempts(), "nothing reaches the redirect target")
}

// TestReplacedDefaultTransport: programs that wrap http.DefaultTransport
// (tracing) must still get a working client. Not parallel: it swaps a global.
func TestReplacedDefaultTransport(t *testing.T) {
	orig := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = orig })
	http.DefaultTransport = cpRoundTrip(orig.RoundTrip)

	c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret))
	require.NoError(t, err)
	require.NotNil(t, c)
}

// cpCancelingProvider is a slow provider: the caller's ctx ends while it works.
type cpCancelingProvider struct{ cancel context.CancelFunc }

func (p cpCancelingProvider) GetCredentials() (*providers.Credentials, error) {
	p.cancel()
	return &providers.Credentials{AccessKeyId: cpKeyID, AccessKeySecret: cpSecret}, nil
}
func (cpCancelingProvider) GetProviderName() string { return "slow" }

// TestContextEndedDuringCredentialsIsNotAnUnknownOutcome: nothing was sent,
// so the user must not be sent to look for an order.
func TestContextEndedDuringCredentialsIsNotAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpOrder(1))
	ctx, cancel := context.WithCancel(t.Context())
	c := srv.client(t, alicert.WithCredentials(cpCancelingProvider{cancel}))
	_, err := c.CAS.CreateCertificateRequest(ctx, cpValidCreate())
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.attempts())
}

// TestErrorDocumentIn2xx: a gateway may answer throttling with 200; it is
// retried like any throttling, and other codes are errors, not successes.
func TestErrorDocumentIn2xx(t *testing.T) {
	t.Parallel()
	throttled := cpJSON(200, `{"RequestId":"R-T","Code":"Throttling.User","Message":"slow down"}`)
	srv := newScriptedServer(t, throttled, throttled, cpCsrDetail())
	out, err := srv.client(t).CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.NoError(t, err)
	assert.NotEmpty(t, out.Csr)
	assert.Equal(t, 3, srv.attempts())

	srv = newScriptedServer(t, cpJSON(200, `{"RequestId":"R-F","Code":"Forbidden.NoPermission","Message":"no"}`))
	_, err = srv.client(t).KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c", Certificate: "pem"})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Forbidden.NoPermission", apiErr.Code)
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "the service said no: a definite failure")
	assert.Equal(t, 1, srv.attempts())
}

// TestEmptyCsrDetailIsAnError: {} is no CSR.
func TestEmptyCsrDetailIsAnError(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpJSON(200, `{"RequestId":"R-E"}`))
	out, err := srv.client(t, alicert.WithMaxAttempts(1)).CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.Error(t, err)
	assert.Nil(t, out)
	assert.Contains(t, err.Error(), "R-E")
}

// TestUnknownOutcomeNamesTheRequestIDOnce: the cause already carries it.
func TestUnknownOutcomeNamesTheRequestIDOnce(t *testing.T) {
	t.Parallel()
	srv := newScriptedServer(t, cpErr(503, "ServiceUnavailable", "busy"))
	_, err := srv.client(t).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Equal(t, 1, strings.Count(err.Error(), "ERR-ServiceUnavailable"), err.Error())
}

// TestOutputsHideKeysFromSlogJSON: the JSON handler marshals values.
func TestOutputsHideKeysFromSlogJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("state", "out", alicert.DescribeCertificateStateOutput{State: alicert.StateCertificate, PrivateKey: cpPrivateKeyPEM})
	log.Info("csr", "out", &alicert.GetCsrDetailOutput{Csr: "csr", PrivateKey: cpPrivateKeyPEM})
	log.Info("obtained", "out", alicert.ObtainOutput{OrderID: 7, PrivateKey: cpPrivateKeyPEM})
	cpRequireNoSecret(t, "slog JSON", buf.String())
	assert.Contains(t, buf.String(), "certificate")
}

// cpCsrDetail is a successful GetCsrDetail response.
func cpCsrDetail() scriptedReply {
	return cpJSON(200, `{"RequestId":"REQ-CSR","Csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"}`)
}
