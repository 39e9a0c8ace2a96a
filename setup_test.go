package alicert_test

import (
	"net/url"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The one way the external tests build a client: setup for a scripted
// server (what a test reads in one place is the replies it scripts, the
// call, and with testAction and testFormValues what was sent), setupFake
// for the in-process fake. Both give the client fast retries, so that retry
// tests do not sleep; options given to them come last and win.

// setup starts a scripted server answering with respond and returns a
// client of it and the server: every API's endpoint is the server, the
// credentials are the test AccessKey (cpKeyID, cpSecret), then opts.
func setup(t testing.TB, respond testkit.Responder, opts ...alicert.Option) (*alicert.Client, *testkit.Server) {
	t.Helper()
	srv := testkit.NewServer(t, respond)
	return clientOf(t, srv, opts...), srv
}

// clientOf returns another client of a scripted server, built as setup
// builds its own: for a test that calls one server through several clients.
func clientOf(t testing.TB, srv *testkit.Server, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	return newTestClient(t, append([]alicert.Option{
		alicert.WithAccessKey(cpKeyID, cpSecret),
		alicert.WithCASEndpoint(srv.URL),
		alicert.WithKMSEndpoint(srv.URL),
		alicert.WithDNSEndpoint(srv.URL),
	}, opts...)...)
}

// setupFake starts the in-process fake with srvOpts and returns a client of
// every API of it and the fake, which is closed when the test ends.
func setupFake(t testing.TB, srvOpts ...alicerttest.Option) (*alicert.Client, *alicerttest.Server) {
	t.Helper()
	srv := alicerttest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	return fakeClientOf(t, srv), srv
}

// fakeClientOf returns a client of every API of the fake srv through the
// fake's own transport (which injects its dial faults), then opts.
func fakeClientOf(t testing.TB, srv *alicerttest.Server, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	return newTestClient(t, append(srv.ClientOptions(), opts...)...)
}

// newTestClient is the client builder under setup and setupFake: fast
// retries, then opts.
func newTestClient(t testing.TB, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	c, err := alicert.NewClient(append([]alicert.Option{cpFastRetries}, opts...)...)
	require.NoError(t, err)
	return c
}

// testAction checks that r called the action want.
func testAction(t testing.TB, r testkit.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.Action(), "the action of request %d", r.N)
}

// testFormValues checks that r's form body (where the HMAC-SHA1 signature
// sends the parameters; V3 sends them in the query) held each parameter of
// want with exactly its values. The parameters every call carries (the
// signature, the nonce, the timestamp, ...) are compared only when want
// names them.
func testFormValues(t testing.TB, r testkit.Request, want url.Values) {
	t.Helper()
	for key, values := range want {
		assert.Equal(t, values, r.Form[key], "parameter %s of request %d", key, r.N)
	}
}
