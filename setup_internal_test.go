package alicert

import (
	"testing"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/require"
)

// The one way the internal tests build a client, as the external tests do
// (setup_test.go): setup for a scripted server, clientOf for another client
// of it, both over newTestClient. Their clients have the golden files'
// fixed clock and nonce (wireFixed), so that what they send is the same on
// every run, and no retry delay; options given to them come last and win.

// setup starts a scripted server answering with respond and returns a
// client of it and the server: every API's endpoint is the server, the
// credentials are the golden AccessKey (wireKeyID, wireSecret), then opts.
func setup(t testing.TB, respond testkit.Responder, opts ...Option) (*Client, *testkit.Server) {
	t.Helper()
	srv := testkit.NewServer(t, respond)
	return clientOf(t, srv, opts...), srv
}

// clientOf returns a client of the scripted server srv, built as setup
// builds its own.
func clientOf(t testing.TB, srv *testkit.Server, opts ...Option) *Client {
	t.Helper()
	return newTestClient(t, append([]Option{
		WithAccessKey(wireKeyID, wireSecret),
		WithCASEndpoint(srv.URL),
		WithKMSEndpoint(srv.URL),
		WithDNSEndpoint(srv.URL),
		WithRetryDelay(0, 0),
		wireFixed,
	}, opts...)...)
}

// newTestClient is NewClient with opts, failing the test on an error.
func newTestClient(t testing.TB, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(opts...)
	require.NoError(t, err)
	return c
}
