package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// obtain -json prints one object, what the run did, and nothing else on
// stdout: a new certificate, then nothing to do, and a deployment.
func TestObtainJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	decode := func(r result) obtainResult {
		t.Helper()
		var res obtainResult
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.stdout)
		return res
	}
	srv := newFake(t)
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-key-source", "service", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	res := decode(r)
	assert.Equal(t, "written", res.Outcome)
	assert.Equal(t, "example.com", res.Domain)
	assert.Equal(t, dir, res.Dir)
	assert.Positive(t, res.OrderID)
	assert.Positive(t, res.CertID, "the service's id of the certificate")
	assert.NotEmpty(t, res.NotAfter)
	assert.Zero(t, res.ExitCode)

	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-json", "-q")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "not_due", decode(r).Outcome)

	r = runCmd(t, nil, append(deployArgs(t.TempDir()), "-json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	res = decode(r)
	require.NotNil(t, res.Deployment)
	assert.Len(t, res.Deployment.Resources, 2)
	assert.Positive(t, res.CertID)

	// A failure still gives its object, with the exit code.
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "other.example.com", "-out", dir, "-json")
	require.NotEqual(t, exitOK, r.code, r.stderr)
	res = decode(r)
	assert.Equal(t, "failed", res.Outcome)
	assert.Equal(t, r.code, res.ExitCode)
	assert.Contains(t, r.stderr, "example.com")
}
