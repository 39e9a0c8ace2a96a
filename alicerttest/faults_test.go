package alicerttest_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var orderInput = &alicert.CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
	Username: "Tom", Phone: "1390000****", Email: "tom@example.com"}

// faultsOf lists the fault of each request for action, in arrival order.
func faultsOf(srv *alicerttest.Server, action string) []alicerttest.FaultKind {
	var out []alicerttest.FaultKind
	for _, r := range srv.Requests() {
		if r.Action == action {
			out = append(out, r.Fault)
		}
	}
	return out
}

// TestEachFaultFiresExactlyTimes injects each fault twice on
// CreateCertificateRequest, makes three single-attempt calls, and checks
// what the client saw, what the server counted, and whether it acted.
func TestEachFaultFiresExactlyTimes(t *testing.T) {
	t.Parallel()
	apiError := func(status int, code string) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			var apiErr *alicert.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, code, apiErr.Code)
		}
	}
	unknown := func(t *testing.T, err error) {
		assert.True(t, errors.Is(err, alicert.ErrOutcomeUnknown), "%v", err)
	}
	tests := []struct {
		fault  alicerttest.Fault
		check  func(*testing.T, error)
		acts   bool
		client bool // send through srv.Client()
	}{
		{fault: alicerttest.Fault{Kind: alicerttest.FaultThrottle}, check: apiError(400, "Throttling.User")},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultInternalError}, check: func(t *testing.T, err error) {
			apiError(500, "InternalError")(t, err)
			unknown(t, err)
		}},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultBadGatewayHTML}, check: func(t *testing.T, err error) {
			apiError(502, "")(t, err)
			var apiErr *alicert.APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Contains(t, apiErr.Message, "502 Bad Gateway")
		}},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultUnavailable}, check: apiError(503, "ServiceUnavailable")},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultTruncatedJSON}, check: unknown, acts: true},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultResetBeforeAct}, check: unknown},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, check: unknown, acts: true},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Millisecond}, acts: true},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultOversizedBody}, check: unknown, acts: true},
		{fault: alicerttest.Fault{Kind: alicerttest.FaultDialError}, client: true, check: func(t *testing.T, err error) {
			var opErr *net.OpError
			require.True(t, errors.As(err, &opErr), "%v", err)
			assert.Equal(t, "dial", opErr.Op)
			assert.False(t, errors.Is(err, alicert.ErrOutcomeUnknown), "a refused connection has a known outcome")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			opts := []alicert.Option{alicert.WithMaxAttempts(1)}
			if tt.client {
				opts = append(opts, alicert.WithHTTPClient(srv.Client()))
			}
			c := newClient(t, srv, opts...)
			srv.InjectFault("CreateCertificateRequest", tt.fault, 2)
			for i := range 2 {
				out, err := c.CAS.CreateCertificateRequest(t.Context(), orderInput)
				if tt.check == nil {
					require.NoError(t, err, "call %d", i+1)
					continue
				}
				require.Error(t, err, "call %d", i+1)
				assert.Nil(t, out)
				tt.check(t, err)
			}
			_, err := c.CAS.CreateCertificateRequest(t.Context(), orderInput)
			require.NoError(t, err, "the fault fired a third time")

			k := tt.fault.Kind
			assert.Equal(t, []alicerttest.FaultKind{k, k, 0}, faultsOf(srv, "CreateCertificateRequest"))
			want := 1
			if tt.acts {
				want = 3
			}
			assert.Equal(t, want, srv.OrderCount(), "orders created")
			assert.Len(t, srv.OrderIDs(), want)
		})
	}
}

func TestFaultQueues(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultUnavailable}, 1)
	srv.InjectFault("CreateCsr", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
	srv.InjectFault("CreateCsr", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 1)
	for range 3 {
		raw{params: ecsr()}.send(t, srv)
	}
	// The named action's faults first, in order; then the one for any action.
	assert.Equal(t, []alicerttest.FaultKind{alicerttest.FaultThrottle, alicerttest.FaultInternalError, alicerttest.FaultUnavailable},
		faultsOf(srv, "CreateCsr"))
	res := raw{params: map[string]string{"Action": "GetCsrDetail", "Version": casVersion, "CsrId": "1"}}.send(t, srv)
	assert.Equal(t, "InvalidParameter", res.doc.Code, "a spent fault fired again")

	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 0)
	for range 4 {
		res := raw{params: ecsr()}.send(t, srv)
		assert.Equal(t, "Throttling.User", res.doc.Code)
	}
	srv.ClearFaults()
	res = raw{params: ecsr()}.send(t, srv)
	assert.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, 1, srv.CsrCount())
	assert.Panics(t, func() { srv.InjectFault("", alicerttest.Fault{}, 1) })
}

// TestClientRetriesThroughFaults shows the client's policy against the
// fake: throttling and refused connections are retried, even for a create.
func TestClientRetriesThroughFaults(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv, alicert.WithHTTPClient(srv.Client()))
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultDialError}, 1)
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
	_, err := c.CAS.CreateCertificateRequest(t.Context(), orderInput)
	require.NoError(t, err)
	assert.Equal(t, []alicerttest.FaultKind{alicerttest.FaultDialError, alicerttest.FaultThrottle, 0},
		faultsOf(srv, "CreateCertificateRequest"))
	assert.Equal(t, 1, srv.OrderCount())
}

// TestDialErrorWaitsForClient checks that a request sent by another
// transport passes a queued FaultDialError by.
func TestDialErrorWaitsForClient(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault("CreateCsr", alicerttest.Fault{Kind: alicerttest.FaultDialError}, 1)
	res := raw{params: ecsr()}.send(t, srv)
	assert.Equal(t, http.StatusOK, res.status)
	c := newClient(t, srv, alicert.WithHTTPClient(srv.Client()), alicert.WithMaxAttempts(1))
	_, err := c.CAS.CreateCsr(t.Context(), &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256,
		CommonName: "example.com", CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"})
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "%v", err)
	assert.Equal(t, []alicerttest.FaultKind{0, alicerttest.FaultDialError}, faultsOf(srv, "CreateCsr"))
	assert.Equal(t, 1, srv.CsrCount())
}

// TestSlowFaultDropsAbandonedRequest stalls a create until the client
// gives up: the server must not act on it.
func TestSlowFaultDropsAbandonedRequest(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Hour}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.CAS.CreateCertificateRequest(ctx, orderInput)
		done <- err
	}()
	for srv.RequestCount("CreateCertificateRequest") == 0 {
		time.Sleep(time.Millisecond) // wait for the request to stall; no timing is asserted
	}
	cancel()
	err := <-done
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, srv.OrderCount(), "the server acted on an abandoned request")

	// A server closing with a stalled request does not wait out the stall.
	srv.InjectFault("", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Hour}, 1)
	go func() {
		_, err := c.CAS.CreateCertificateRequest(t.Context(), orderInput)
		done <- err
	}()
	for srv.RequestCount("CreateCertificateRequest") == 1 {
		time.Sleep(time.Millisecond)
	}
	srv.Close()
	assert.Error(t, <-done)
	assert.Zero(t, srv.OrderCount())
}
