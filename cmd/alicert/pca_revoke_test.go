package main

import (
	"encoding/json"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue, revoke, list: the certificate shows as revoked; revoking it again
// sends nothing.
func TestPCAIssueRevokeList(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	issued := issuedJSON(t, srv, "-domain", "a.internal", "-out", t.TempDir())

	r := runCmd(t, srv, "pca", "revoke", "-fake", "-id", issued.Identifier)
	usageLine(t, r, "pca revoke", "without -yes nothing was done: this would revoke certificate "+issued.Identifier+" for good")
	assert.Zero(t, srv.RequestCount("CreateRevokeClientCertificate"))
	assert.Zero(t, srv.RequestCount("DescribeClientCertificate"), "nothing is sent without -yes")

	r = runCmd(t, srv, "pca", "revoke", "-fake", "-id", issued.Identifier, "-yes", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res pcaRevoked
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, pcaRevoked{Identifier: issued.Identifier, CommonName: "a.internal", Names: []string{"a.internal"}, Revoked: true}, res)

	got := listedCerts(t, srv, "-custom-id", issued.CustomIdentifier)
	require.Len(t, got, 1)
	assert.Equal(t, issued.Identifier, got[0].Identifier)
	assert.Equal(t, "REVOKE", got[0].Status)
	r = runCmd(t, srv, "pca", "list", "-fake", "-certs")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, issued.Identifier+`\s+`+issued.CustomIdentifier+`\s+SERVER\s+a\.internal\s+\S+\s+\d+\s+REVOKE\n`, r.stdout)

	r = runCmd(t, srv, "pca", "revoke", "-fake", "-id", issued.Identifier, "-yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "certificate "+issued.Identifier+" (a.internal) was already revoked; nothing was sent\n", r.stdout)
	assert.Equal(t, 1, srv.RequestCount("CreateRevokeClientCertificate"))
}

func TestPCARevokeUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	issued := issuedJSON(t, srv, "-domain", "a.internal", "-out", t.TempDir())
	srv.InjectFault("CreateRevokeClientCertificate", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	r := runCmd(t, srv, "pca", "revoke", "-fake", "-id", issued.Identifier, "-yes")
	require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "may have been revoked")
	assert.Contains(t, r.stderr, "run this again")
	assert.Equal(t, 1, srv.RequestCount("CreateRevokeClientCertificate"), "not repeated")

	// As the message says, a rerun settles it.
	r = runCmd(t, srv, "pca", "revoke", "-fake", "-id", issued.Identifier, "-yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "was already revoked")
	assert.Equal(t, 1, srv.RequestCount("CreateRevokeClientCertificate"))
}

func TestPCARevokeFakeModeWithoutAnAccount(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "pca", "revoke", "-fake")
	usageLine(t, r, "pca revoke", "-yes")
	r = runCmd(t, nil, "pca", "revoke", "-fake", "-yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-fake: revoking certificate ")
	assert.Contains(t, r.stdout, "revoked certificate ")
	assert.Contains(t, r.stdout, "(www.example.com)")
}

func TestPCARevokeFailures(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	r := runCmd(t, srv, "pca", "revoke", "-fake", "-id", "0123456789abcdef0123456789abcdef", "-yes")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "looking up certificate 0123456789abcdef0123456789abcdef")
	assert.Zero(t, srv.RequestCount("CreateRevokeClientCertificate"))

	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-yes"}, "-id is required"},
		{[]string{"-id", "a b", "-yes"}, "-id"},
		{[]string{"-id", "x"}, "-yes"},
		{[]string{"-id", "x", "-yes", "-timeout", "0s"}, "-timeout"},
	} {
		srv := testkit.NewScripted(t)
		r := runCLI(t, scripted(srv), append([]string{"pca", "revoke"}, tc.args...)...)
		usageLine(t, r, "pca revoke", tc.flag)
		assert.Zero(t, srv.Attempts())
	}
}
