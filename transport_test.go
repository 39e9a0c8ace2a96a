package alicert

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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
				assert.Error(t, err, "a server limited to %s must be refused", tc.name)
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
