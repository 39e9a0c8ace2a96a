package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListExpiringSoonestFirst(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	day := 24 * time.Hour
	later := seed(srv, "later.example.com", 60*day, false)
	soon := seed(srv, "soon.example.com", 5*day, false)
	expired := seed(srv, "gone.example.com", -10*day, false)
	uploaded := seed(srv, "up.example.org", 20*day, true)

	r := runCmd(t, srv, "list", "-fake", "-expiring", "30d")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 4, r.stdout)
	assert.True(t, strings.HasPrefix(lines[0], "CERT ID "), "a header: %q", lines[0])
	// Expired first, then by expiry; the one due in 60 days is left out.
	for i, id := range []int64{expired, soon, uploaded} {
		assert.True(t, strings.HasPrefix(lines[i+1], strconv.FormatInt(id, 10)+" "), "line %d: %q", i+1, lines[i+1])
	}
	assert.Contains(t, lines[1], "EXPIRED")
	assert.Contains(t, lines[2], "soon.example.com")
	assert.Contains(t, lines[3], "uploaded")
	assert.NotContains(t, r.stdout, strconv.FormatInt(later, 10))

	// -json: the same certificates, machine-readable.
	r = runCmd(t, srv, "list", "-fake", "-expiring", "30d", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var got []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 3)
	assert.Equal(t, []int64{expired, soon, uploaded}, []int64{got[0].CertID, got[1].CertID, got[2].CertID})
	assert.Equal(t, "EXPIRED", got[0].Status)
	assert.Equal(t, []string{"soon.example.com"}, got[1].Domains)
	assert.InDelta(t, 4.5, float64(got[1].DaysLeft), 0.5)
	assert.True(t, got[2].Uploaded)
	_, err := time.Parse(time.RFC3339, got[1].NotAfter)
	require.NoError(t, err)

	// -status valid leaves the expired one out; the default lists the
	// valid ones, all of them.
	r = runCmd(t, srv, "list", "-fake", "-expiring", "30d", "-status", "valid", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Len(t, got, 2)
	r = runCmd(t, srv, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Len(t, got, 3)
	r = runCmd(t, srv, "list", "-fake", "-status", "expired", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	assert.Equal(t, expired, got[0].CertID)
}

func TestListQuietPrintsNothingWhenNothingExpires(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	seed(srv, "later.example.com", 60*24*time.Hour, false)
	r := runCmd(t, srv, "list", "-fake", "-expiring", "30d", "-q")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)

	// Without -q the empty result says so; -json gives an empty array.
	r = runCmd(t, srv, "list", "-fake", "-expiring", "30d")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "no certificates\n", r.stdout)
	r = runCmd(t, srv, "list", "-fake", "-expiring", "30d", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
}

func TestListLongInventoryShowsProgressAndCountsEachOnce(t *testing.T) {
	t.Parallel()
	const n = 2100
	srv := newFake(t, alicerttest.WithCertificates(n))
	r := runCmd(t, srv, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var got []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, n, "uploaded certificates, listed as certificates and as uploads, count once")
	assert.True(t, slices.IsSortedFunc(got, func(a, b listedCert) int { return strings.Compare(a.NotAfter, b.NotAfter) }))
	assert.Contains(t, r.stderr, "alicert: 1000 certificates read\n")
	assert.Contains(t, r.stderr, "alicert: 2000 certificates read\n")
	// One page at a time: as many requests as pages, no more.
	pages := (n+49)/50 + (n/4+49)/50
	assert.Equal(t, pages, srv.RequestCount("ListUserCertificateOrder"))

	r = runCmd(t, srv, "list", "-fake", "-q")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "-q: no progress")
	assert.Equal(t, n+1, strings.Count(r.stdout, "\n"))
}

func TestListUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-status", "bogus"}, "-status"},
		{[]string{"-status", "revoked"}, "-status"},
		{[]string{"-expiring", "soon"}, "-expiring"},
		{[]string{"-expiring", "-3d"}, "-expiring"},
		{[]string{"-nope"}, "-nope"},
		{[]string{"extra"}, `"extra"`},
	} {
		r := runCLI(t, &cli{}, append([]string{"list"}, tc.args...)...)
		usageLine(t, r, "list", tc.flag)
	}
}

func TestListHelpExplainsBeforeTheFlags(t *testing.T) {
	t.Parallel()
	for _, verb := range []string{"list", "get", "upload", "revoke", "delete", "quota"} {
		r := runCLI(t, &cli{}, "help", verb)
		require.Equal(t, exitOK, r.code, verb)
		desc, flags, ok := strings.Cut(r.stdout, "\nFlags:\n")
		require.True(t, ok, verb)
		assert.True(t, strings.HasPrefix(desc, "usage: alicert "+verb), verb)
		assert.Contains(t, desc, "Exit codes:", verb)
		assert.Contains(t, flags, "-fake", verb)
		assert.Contains(t, flags, "-json", verb)
	}
}
