package alicert_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file pin down the retry rules (see the package doc and
// call_retry.go): what is retried, how often, and what a create whose
// outcome is unknown returns.

func TestRetryThrottledTwiceThenSuccessIsThreeFreshlySignedAttemptsAndOneOrder(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t,
		cpErr(400, "Throttling.User", "Request was denied due to user flow control."),
		cpErr(400, "Throttling.User", "Request was denied due to user flow control."),
		cpOrder(98987582437920968),
	)
	c := clientOf(t, srv)

	out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.NoError(t, err)
	assert.Equal(t, int64(98987582437920968), out.OrderID)
	assert.Equal(t, "REQ-98987582437920968", out.RequestID)

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, 1, srv.Acted())
	nonces := map[string]bool{}
	sigs := map[string]bool{}
	for i, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method, "attempt %d", i+1)
		assert.Empty(t, r.RawQuery, "attempt %d: parameters must not be in the URL", i+1)
		assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
		assert.True(t, cpSigned(r), "attempt %d: the signature must match", i+1)
		assert.Equal(t, "CreateCertificateRequest", r.Form.Get("Action"))
		assert.Equal(t, "www.example.com", r.Form.Get("Domain"))
		assert.NotEmpty(t, r.Form.Get("Timestamp"))
		nonces[r.Form.Get("SignatureNonce")] = true
		sigs[r.Form.Get("Signature")] = true
	}
	assert.Len(t, nonces, 3, "every attempt needs a fresh SignatureNonce")
	assert.Len(t, sigs, 3, "every attempt needs a fresh signature")
}

func TestRetryCreateNotRetriedOn503AndOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t,
		cpErr(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
		cpOrder(1),
	)
	c := clientOf(t, srv)

	out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	assert.Nil(t, out)
	assert.Equal(t, 1, srv.Attempts(), "a create whose outcome is unknown must not be retried")
	assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "ServiceUnavailable", apiErr.Code)
	assert.Equal(t, "ERR-ServiceUnavailable", apiErr.RequestID)
	assert.Contains(t, err.Error(), "before trying again", "the message must tell the user to check first")
	// Once: the cause already carries it, and the wrapper must not repeat it.
	assert.Equal(t, 1, strings.Count(err.Error(), "ERR-ServiceUnavailable"), err.Error())
	cpRequireCleanErr(t, err, srv.Signatures()...)
}

func TestRetryCreateNotRetriedOnResetAfterWrite(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, testkit.Script(testkit.Reply{Hijack: true}, cpOrder(1)))

	_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	assert.Equal(t, 1, srv.Attempts())
	assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	var apiErr *alicert.APIError
	assert.False(t, errors.As(err, &apiErr), "no response, so no APIError")
	cpRequireCleanErr(t, err, srv.Signatures()...)
}

func TestRetryReadRetriedOnResetAfterWrite(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, testkit.Script(testkit.Reply{Hijack: true}, testkit.Reply{Hijack: true}, cpState("process")))

	out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 7})
	require.NoError(t, err)
	assert.Equal(t, alicert.StateProcess, out.State)
	assert.Equal(t, 3, srv.Attempts())
}

// cpCountingTransport counts round trips and delegates to base.
type cpCountingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *cpCountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestRetryCreateRetriedWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	ct := &cpCountingTransport{base: &http.Transport{}}
	c, err := alicert.NewClient(
		alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithCASEndpoint("http://"+cpClosedPort(t)),
		alicert.WithHTTPClient(&http.Client{Transport: ct}),
		cpFastRetries,
	)
	require.NoError(t, err)

	_, err = c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.Error(t, err)
	assert.Equal(t, int32(3), ct.n.Load(), "a refused connection proves nothing was sent: retry up to the limit")
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "nothing reached the service")
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "dial", opErr.Op)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	cpRequireCleanErr(t, err)
}

func TestRetryCreateRetriedWhenCustomTransportReturnsDialError(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(42))
	var calls atomic.Int32
	transport := cpRoundTrip(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) <= 2 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no such host")}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := clientOf(t, srv, alicert.WithHTTPClient(&http.Client{Transport: transport}))

	out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.NoError(t, err)
	assert.Equal(t, int64(42), out.OrderID)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, 1, srv.Attempts(), "only the third attempt reached the server")
	assert.Equal(t, 1, srv.Acted())
}

func TestRetryOtherTransportErrorsCountAsAfterWrite(t *testing.T) {
	t.Parallel()
	// A read timeout or reset surfaced by a custom transport: the request
	// may have been processed.
	afterWrite := []error{
		&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded},
		&net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET},
		io.ErrUnexpectedEOF,
	}
	for _, transportErr := range afterWrite {
		t.Run(transportErr.Error(), func(t *testing.T) {
			t.Parallel()
			// The create never reaches the server: its first reply is the
			// describe's.
			srv := testkit.NewScripted(t, cpState("certificate"))
			var calls atomic.Int32
			transport := cpRoundTrip(func(r *http.Request) (*http.Response, error) {
				if calls.Add(1) == 1 {
					return nil, transportErr
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			c := clientOf(t, srv, alicert.WithHTTPClient(&http.Client{Transport: transport}))

			_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
			require.Error(t, err)
			assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
			assert.Equal(t, int32(1), calls.Load(), "create: not retried")

			calls.Store(0)
			out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 5})
			require.NoError(t, err, "read: retried")
			assert.Equal(t, int32(2), calls.Load())
			assert.Equal(t, alicert.StateCertificate, out.State)
		})
	}
}

func TestRetryDescribeRetriedOn503(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t,
		cpErr(503, "ServiceUnavailable", "busy"),
		cpErr(503, "ServiceUnavailable", "busy"),
		cpState("certificate"),
	)
	c := clientOf(t, srv)

	out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 9})
	require.NoError(t, err)
	assert.Equal(t, alicert.StateCertificate, out.State)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.NotEqual(t, reqs[0].Form.Get("SignatureNonce"), reqs[1].Form.Get("SignatureNonce"))
	assert.NotEqual(t, reqs[1].Form.Get("SignatureNonce"), reqs[2].Form.Get("SignatureNonce"))
	for _, r := range reqs {
		assert.True(t, cpSigned(r))
	}
}

// TestRetryErrorDocumentIn2xx: a gateway may answer throttling with 200; it
// is retried like any throttling, and other codes are errors, not successes.
func TestRetryErrorDocumentIn2xx(t *testing.T) {
	t.Parallel()
	throttled := testkit.JSON(200, `{"RequestId":"R-T","Code":"Throttling.User","Message":"slow down"}`)
	srv := testkit.NewScripted(t, throttled, throttled, cpCsrDetail())
	out, err := clientOf(t, srv).CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
	require.NoError(t, err)
	assert.Equal(t, "REQ-CSR", out.RequestID, "the answer after the two throttled ones")
	assert.Contains(t, out.Csr, "BEGIN CERTIFICATE REQUEST")
	assert.Equal(t, 3, srv.Attempts())

	srv = testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R-F","Code":"Forbidden.NoPermission","Message":"no"}`))
	_, err = clientOf(t, srv).KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{CertificateID: "c", Certificate: "pem"})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Forbidden.NoPermission", apiErr.Code)
	assert.Equal(t, "R-F", apiErr.RequestID)
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "the service said no: a definite failure")
	assert.Equal(t, 1, srv.Attempts())
}

func TestRetryReadGivesAPIErrorAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	for _, attempts := range []int{1, 2, 4} {
		c, srv := setup(t, testkit.Script(cpErr(500, "InternalError", "The request processing has failed due to some unknown error.")), alicert.WithMaxAttempts(attempts))

		_, err := c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 3})
		require.Error(t, err)
		assert.Equal(t, attempts, srv.Attempts())
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode)
		assert.Equal(t, "InternalError", apiErr.Code)
		assert.Equal(t, "GetCsrDetail", apiErr.Operation)
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "a read has no unknown outcome")
	}
}

func TestRetryMaxAttemptsOneMeansOneAttempt(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, testkit.Script(cpErr(429, "Throttling", "slow down"), cpOrder(1)), alicert.WithMaxAttempts(1))

	_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.Throttled())
	assert.Equal(t, 1, srv.Attempts())
	assert.Equal(t, 0, srv.Acted())
}

// cpHookHandler is a slog.Handler that passes each record to fn.
type cpHookHandler struct{ fn func(slog.Record) }

func (h cpHookHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h cpHookHandler) Handle(_ context.Context, r slog.Record) error {
	h.fn(r)
	return nil
}
func (h cpHookHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cpHookHandler) WithGroup(string) slog.Handler      { return h }

func TestRetryContextCancelledDuringBackoffReturnsPromptly(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpErr(503, "ServiceUnavailable", "busy"), cpState("certificate"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The attempt is logged just before the backoff starts: cancel then,
	// a little later, so that the cancellation lands inside the wait.
	logger := slog.New(cpHookHandler{fn: func(slog.Record) { time.AfterFunc(10*time.Millisecond, cancel) }})
	const backoff = time.Hour
	c := clientOf(t, srv, alicert.WithRetryDelay(backoff, backoff), alicert.WithLogger(logger))

	start := time.Now()
	_, err := c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: 9})
	elapsed := time.Since(start)

	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, elapsed, backoff/60, "the wait must end with ctx, not with the backoff")
	assert.Equal(t, 1, srv.Attempts())
	var apiErr *alicert.APIError
	assert.ErrorAs(t, err, &apiErr, "the error still says what failed before the wait")
}

func TestRetryContextAlreadyCancelledSendsNothing(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, testkit.Script(cpOrder(1)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := c.CAS.CreateCertificateRequest(ctx, cpValidCreate())
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.Attempts())
}

func TestRetryThrottlingCodesRetriedWhateverTheStatus(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"Throttling", "Throttling.User", "Throttling.Api"} {
		for _, status := range []int{400, 403, 429, 500, 503} {
			c, srv := setup(t, testkit.Script(cpErr(status, code, "flow control"), cpOrder(77)))

			out, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
			require.NoError(t, err, "%s with HTTP %d", code, status)
			assert.Equal(t, int64(77), out.OrderID)
			assert.Equal(t, 2, srv.Attempts(), "%s with HTTP %d: a throttled call was not processed", code, status)
			assert.Equal(t, 1, srv.Acted())
		}
	}
}

func TestRetryThrottlingLookalikesNotRetried(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"ThrottlingX", "User.Throttling", "throttling"} {
		c, srv := setup(t, testkit.Script(cpErr(400, code, "not a throttling code"), cpOrder(1)))

		_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err)
		assert.Equal(t, 1, srv.Attempts(), code)
	}
}

func TestRetryInvalidParameterNotRetried(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"create", "read"} {
		c, srv := setup(t, testkit.Script(cpErr(400, "InvalidParameter", "The specified parameter is invalid."), cpOrder(1)))

		var err error
		if op == "create" {
			_, err = c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		} else {
			_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
		}
		var apiErr *alicert.APIError
		require.ErrorAs(t, err, &apiErr, op)
		assert.Equal(t, "InvalidParameter", apiErr.Code)
		assert.Equal(t, 400, apiErr.StatusCode)
		assert.Equal(t, 1, srv.Attempts(), op)
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, "a 4xx is a definite failure")
	}
}

func TestRetryCreateCsrAndKMSCreatesFollowTheCreateRules(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *alicert.Client) error{
		"CreateCsr": func(c *alicert.Client) error {
			_, err := c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{
				Algorithm: alicert.AlgorithmRSA, KeySize: 2048, CommonName: "example.com",
				CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou",
			})
			return err
		},
		"CreateCertificate": func(c *alicert.Client) error {
			_, err := c.KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{
				KeySpec: alicert.KeySpecECP256,
				Subject: alicert.Subject{CommonName: "example.com", Country: "CN", Organization: "Ex", OrganizationalUnit: "IT"},
			})
			return err
		},
		"UploadCertificate": func(c *alicert.Client) error {
			_, err := c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{
				CertificateID: "cert-1", Certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			})
			return err
		},
	}
	for name, call := range calls {
		srv := testkit.NewScripted(t, cpErr(502, "BadGateway", "upstream"), testkit.JSON(200, `{}`))
		err := call(clientOf(t, srv))
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, name)
		assert.Equal(t, 1, srv.Attempts(), name)

		srv = testkit.NewScripted(t, cpErr(400, "Throttling.Api", "busy"), cpErr(400, "InvalidParameter", "no"))
		err = call(clientOf(t, srv))
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown, name)
		assert.Equal(t, 2, srv.Attempts(), "%s: throttled, then a definite failure", name)
	}
}

// TestCreateNeverOffersItsBodyForReplay: a transport may re-send a request
// on its own only through GetBody (HTTP/2 does after some stream resets);
// a create withholds it, a read offers it.
func TestCreateNeverOffersItsBodyForReplay(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, cpOrder(7), cpState("process"))
	var offered []bool
	var mu sync.Mutex
	rt := cpRoundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		offered = append(offered, r.GetBody != nil)
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	c := clientOf(t, srv, alicert.WithHTTPClient(&http.Client{Transport: rt}))
	_, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
	require.NoError(t, err)
	_, err = c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 7})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true}, offered, "create withholds GetBody, read offers it")
}

// TestFailuresBeforeTheRequestIsWrittenAreRetriedForCreates: a TLS
// handshake that fails (here an untrusted certificate) and a proxy that
// refuses CONNECT write nothing of the request, so even a create is
// retried, and its error is a definite failure, not an unknown outcome.
func TestFailuresBeforeTheRequestIsWrittenAreRetriedForCreates(t *testing.T) {
	t.Parallel()
	t.Run("TLS handshake", func(t *testing.T) {
		t.Parallel()
		var handshakes atomic.Int32
		// Hand-written: a TLS server, which testkit does not start.
		tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("no request may arrive over an untrusted connection")
		}))
		tlsSrv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			handshakes.Add(1)
			return nil, nil
		}}
		tlsSrv.StartTLS()
		t.Cleanup(tlsSrv.Close)
		// The default transport: it does not trust the test certificate.
		c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret), alicert.WithCASEndpoint(tlsSrv.URL), cpFastRetries)
		require.NoError(t, err)

		_, err = c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err)
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
		assert.Equal(t, int32(3), handshakes.Load(), "three attempts, each failing in the handshake")
	})
	t.Run("proxy refuses CONNECT", func(t *testing.T) {
		t.Parallel()
		proxy := testkit.NewScripted(t, testkit.Reply{Status: http.StatusForbidden, Body: "forbidden",
			Header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}})
		proxyURL, err := url.Parse(proxy.URL)
		require.NoError(t, err)
		hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
		c, err := alicert.NewClient(alicert.WithAccessKey(cpKeyID, cpSecret),
			alicert.WithCASEndpoint("https://cas.example.invalid"), alicert.WithHTTPClient(hc), cpFastRetries)
		require.NoError(t, err)

		_, err = c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		require.Error(t, err)
		assert.NotErrorIs(t, err, alicert.ErrOutcomeUnknown)
		var connects []string
		for _, r := range proxy.Requests() {
			connects = append(connects, r.Method)
		}
		assert.Equal(t, []string{http.MethodConnect, http.MethodConnect, http.MethodConnect}, connects,
			"three attempts, each refused by the proxy")
	})
}

// TestTruncatedSuccessIsRetriedForReads: a 2xx whose JSON stops short is
// retried for a read whether or not a Content-Length revealed the cut, and
// leaves a create's outcome unknown.
func TestTruncatedSuccessIsRetriedForReads(t *testing.T) {
	t.Parallel()
	const whole = `{"RequestId":"R-1","Type":"process"}`
	half := whole[:len(whole)/2]
	for name, cut := range map[string]testkit.Reply{
		// The whole length, then half the bytes: the read fails.
		"Content-Length declared": {Body: half, Header: map[string]string{"Content-Length": strconv.Itoa(len(whole))}},
		// The length of what is sent: the cut shows only in the JSON.
		"Content-Length of the cut body": testkit.JSON(http.StatusOK, half),
	} {
		srv := testkit.NewScripted(t, cut, testkit.JSON(http.StatusOK, whole))
		out, err := clientOf(t, srv).CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: 1})
		require.NoError(t, err, name)
		assert.Equal(t, alicert.StateProcess, out.State, name)
		assert.Equal(t, 2, srv.Attempts(), name)

		srv = testkit.NewScripted(t, cut, cpOrder(1))
		_, err = clientOf(t, srv).CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, name)
		assert.Equal(t, 1, srv.Attempts(), "%s: a create is not retried", name)
	}
}
