package main

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// issuedOrder returns a fake that issues at once and an issued order.
func issuedOrder(t *testing.T) (*alicerttest.Server, int64) {
	t.Helper()
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue())
	t.Cleanup(srv.Close)
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := cl.CAS.CreateCertificateRequest(context.Background(), &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS, Username: fakeUsername, Phone: fakePhone, Email: fakeEmail,
	})
	require.NoError(t, err)
	return srv, out.OrderID
}

func TestRevokeAsksForYes(t *testing.T) {
	t.Parallel()
	srv, order := issuedOrder(t)
	id := strconv.FormatInt(order, 10)

	r := runCmd(t, srv, "revoke", "-fake", "-order", id)
	usageLine(t, r, "revoke", "-yes")
	assert.Contains(t, r.stderr, "without -yes nothing was done: this would revoke the certificate of order "+id+" for good")
	assert.Zero(t, srv.RequestCount("CancelCertificateForPackageRequest"))

	r = runCmd(t, srv, "revoke", "-fake", "-order", id, "-yes", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res struct {
		OrderID int64 `json:"order_id"`
		Revoked bool  `json:"revoked"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, order, res.OrderID)
	assert.True(t, res.Revoked)

	// Revoked: its certificate is listed as valid no more, and a second
	// revocation is the service's failure.
	r = runCmd(t, srv, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	r = runCmd(t, srv, "revoke", "-fake", "-order", id, "-yes")
	assert.Equal(t, exitFailure, r.code, r.stderr)
}

func TestRevokeUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv, order := issuedOrder(t)
	srv.InjectFault("CancelCertificateForPackageRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	r := runCmd(t, srv, "revoke", "-fake", "-order", strconv.FormatInt(order, 10), "-yes")
	require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "may have been revoked")
	assert.Equal(t, 1, srv.RequestCount("CancelCertificateForPackageRequest"), "not repeated")
}

func TestRevokeAndDeleteFakeModeWithoutAnAccount(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "revoke", "-fake")
	usageLine(t, r, "revoke", "-yes")
	r = runCmd(t, nil, "revoke", "-fake", "-yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "revoked the certificate of order ")

	r = runCmd(t, nil, "delete", "-fake")
	usageLine(t, r, "delete", "-yes")
	r = runCmd(t, nil, "delete", "-fake", "-yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "deleted certificate ")
}

func TestRevokeUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"-order", "0", "-yes"}, {"-order", "-2", "-yes"}, {"-order", "x"}} {
		usageLine(t, runCLI(t, &cli{}, append([]string{"revoke"}, args...)...), "revoke", "-order")
	}
}
