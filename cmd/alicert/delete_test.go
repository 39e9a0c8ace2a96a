package main

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeleteAsksForYes(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	expired := seed(srv, "gone.example.com", -10*24*time.Hour, false)
	valid := seed(srv, "live.example.com", 60*24*time.Hour, false)
	id := strconv.FormatInt(expired, 10)

	r := runCmd(t, srv, "delete", "-fake", "-cert", id)
	usageLine(t, r, "delete", "-yes")
	assert.Contains(t, r.stderr, "this would delete certificate "+id+" from the account, for good")
	assert.Empty(t, srv.Requests())
	assert.Equal(t, 2, srv.CertificateCount())

	r = runCmd(t, srv, "delete", "-fake", "-cert", id, "-yes", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res struct {
		CertID  int64 `json:"cert_id"`
		Deleted bool  `json:"deleted"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, expired, res.CertID)
	assert.True(t, res.Deleted)
	assert.Equal(t, 1, srv.CertificateCount())

	// The service keeps a valid certificate it issued.
	r = runCmd(t, srv, "delete", "-fake", "-cert", strconv.FormatInt(valid, 10), "-yes")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Equal(t, 1, srv.CertificateCount())
}

func TestDeleteUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"-cert", "0", "-yes"}, {"-cert", "-2"}, {"-cert", "x"}} {
		usageLine(t, runCLI(t, &cli{}, append([]string{"delete"}, args...)...), "delete", "-cert")
	}
}
