package alicert

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultTransportIsBounded checks the transport used when the caller
// gives no http.Client: every phase has a timeout, so that an unattended
// renewal job never hangs, and TLS starts at 1.2.
func TestDefaultTransportIsBounded(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithAccessKey("id", "secret"))
	require.NoError(t, err)
	hc := c.cfg.httpClient
	require.NotNil(t, hc)
	assert.Positive(t, hc.Timeout, "overall request timeout")
	tr, ok := hc.Transport.(*http.Transport)
	require.True(t, ok, "the default transport is an *http.Transport, got %T", hc.Transport)
	assert.NotNil(t, tr.DialContext, "dial with a timeout")
	assert.Positive(t, tr.TLSHandshakeTimeout)
	assert.Positive(t, tr.ResponseHeaderTimeout)
	require.NotNil(t, tr.TLSClientConfig)
	assert.GreaterOrEqual(t, tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS12))
	assert.NotSame(t, http.DefaultTransport, hc.Transport, "a transport of its own, not the shared global one")
}

// TestDefaultTransportRefusesOldTLS talks to real TLS servers: one that
// speaks at most TLS 1.1 is refused, a TLS 1.2 one is fine.
func TestDefaultTransportRefusesOldTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		max    uint16
		wantOK bool
	}{
		{"TLS 1.1", tls.VersionTLS11, false},
		{"TLS 1.2", tls.VersionTLS12, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Hand-written: a TLS server limited to one version, which testkit does not start.
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`{"RequestId":"R","Type":"process"}`))
			}))
			srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tc.max}
			srv.StartTLS()
			defer srv.Close()

			c, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL), WithMaxAttempts(1))
			require.NoError(t, err)
			// Trust the test server's certificate, and nothing else changes.
			c.cfg.httpClient.Transport.(*http.Transport).TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

			_, err = c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
			if tc.wantOK {
				assert.NoError(t, err)
			} else {
				require.Error(t, err, "a server limited to %s must be refused", tc.name)
				// Refused for its version, not for anything else the
				// handshake could trip on.
				assert.Contains(t, err.Error(), "protocol version")
			}
		})
	}
}

// TestDeclaredOversizedBodyIsNotRead checks that a response announcing more
// than the limit is refused at once, not read (or waited for) to the limit.
func TestDeclaredOversizedBodyIsNotRead(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	// Hand-written: a server that stalls mid-body, which a testkit.Reply cannot.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000000")
		_, _ = w.Write([]byte(`{"Type":"`))
		w.(http.Flusher).Flush()
		select { // stall: a client that reads on would hang here
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL), WithMaxAttempts(1))
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		_, err := c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "larger than")
	case <-time.After(10 * time.Second):
		t.Fatal("the client kept reading a body that announced itself as too large")
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestReplacedDefaultTransport: a program that replaces http.DefaultTransport
// with a wrapper (tracing does) still gets a working client, whose bounded
// transport is its own: the replaced global is never used. Not parallel:
// it swaps a global.
func TestReplacedDefaultTransport(t *testing.T) {
	orig := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = orig })
	var used atomic.Int32
	http.DefaultTransport = roundTripFunc(func(*http.Request) (*http.Response, error) {
		used.Add(1)
		return nil, errors.New("the replaced global transport was used")
	})
	srv := testkit.NewScripted(t, testkit.JSON(http.StatusOK, `{"RequestId":"R-1","Type":"process"}`))

	c, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL), WithMaxAttempts(1))
	require.NoError(t, err)
	tr, ok := c.cfg.httpClient.Transport.(*http.Transport)
	require.True(t, ok, "a transport of its own, got %T", c.cfg.httpClient.Transport)
	assert.Positive(t, tr.ResponseHeaderTimeout, "still bounded")
	require.NotNil(t, tr.TLSClientConfig)
	assert.GreaterOrEqual(t, tr.TLSClientConfig.MinVersion, uint16(tls.VersionTLS12))

	out, err := c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	assert.Equal(t, StateProcess, out.State)
	assert.Equal(t, 1, srv.Attempts(), "the call reached the server")
	assert.Zero(t, used.Load(), "the replaced global transport is not used")
}

// TestRedirectIsNotFollowed: a 307 would post the signed body, token
// included, to another host. Neither the default HTTP client nor one the
// caller gives follows it, and the caller's client is left as it was.
func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	elsewhere := testkit.NewScripted(t, testkit.JSON(http.StatusOK, `{"RequestId":"R-CSR","Csr":"csr"}`))
	srv := testkit.NewScripted(t, testkit.Reply{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": elsewhere.URL}})
	callers := &http.Client{}
	for name, opts := range map[string][]Option{
		"default HTTP client": nil,
		"caller's client":     {WithHTTPClient(callers)},
	} {
		c, err := NewClient(append([]Option{WithSTSToken("id", "secret", "token"), WithCASEndpoint(srv.URL)}, opts...)...)
		require.NoError(t, err, name)
		_, err = c.CAS.GetCsrDetail(t.Context(), &GetCsrDetailInput{CsrID: 1})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode, name)
	}
	assert.Equal(t, 2, srv.Attempts(), "one attempt per client: a redirect is not retried")
	assert.Equal(t, 0, elsewhere.Attempts(), "nothing reaches the redirect target")
	assert.Nil(t, callers.CheckRedirect, "the caller's client is not changed")
}

// TestBodyLimitIsExactForChunkedBodies: a body without a Content-Length
// (chunked) of exactly the limit is read; one byte more is refused.
func TestBodyLimitIsExactForChunkedBodies(t *testing.T) {
	t.Parallel()
	const doc = `{"RequestId":"R-1","Type":"process"`
	for _, tc := range []struct {
		size   int
		wantOK bool
	}{{maxResponseBytes, true}, {maxResponseBytes + 1, false}} {
		// Hand-written: a chunked body sent in pieces, which a testkit.Reply cannot.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length: chunked
			body := doc + strings.Repeat(" ", tc.size-len(doc)-1) + "}"
			for len(body) > 0 { // in pieces, as a slow server sends it
				n := min(len(body), 64<<10)
				_, _ = io.WriteString(w, body[:n])
				body = body[n:]
			}
		}))
		c, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL), WithMaxAttempts(1))
		require.NoError(t, err)
		out, err := c.CAS.DescribeCertificateState(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
		if tc.wantOK {
			require.NoError(t, err, "a body of exactly %d bytes", tc.size)
			assert.Equal(t, StateProcess, out.State)
		} else {
			require.Error(t, err, "a body of %d bytes", tc.size)
			assert.Contains(t, err.Error(), "larger than")
		}
		srv.Close()
	}
}
