package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuota(t *testing.T) {
	t.Parallel()
	srv, _ := issuedOrder(t)
	srv.SetPackageQuota("digicert-free-1-free", 50)

	r := runCmd(t, srv, "quota", "-fake")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, []string{"PRODUCT", "BOUGHT", "USED", "ISSUED", "LEFT"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"digicert-free-1-free", "50", "1", "1", "49"}, strings.Fields(lines[1]))

	r = runCmd(t, srv, "quota", "-fake", "-product", "geotrust-dv-1-starter", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var q struct {
		Product string `json:"product"`
		Bought  int64  `json:"bought"`
		Used    int64  `json:"used"`
		Left    int64  `json:"left"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &q))
	assert.Equal(t, "geotrust-dv-1-starter", q.Product)
	assert.Equal(t, int64(20), q.Bought)
	assert.Equal(t, int64(20), q.Left)

	// A code the service does not know: the flag's usage error, nothing sent.
	before := len(srv.Requests())
	usageLine(t, runCmd(t, srv, "quota", "-fake", "-product", "nope"), "quota", "-product")
	assert.Len(t, srv.Requests(), before)
}
