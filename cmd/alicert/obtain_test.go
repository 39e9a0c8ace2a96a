package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// creates lists the orders srv received: CreateCertificateRequest and
// CreateCertificateWithCsrRequest requests.
func creates(srv *alicerttest.Server) []alicerttest.Request {
	var out []alicerttest.Request
	for _, r := range srv.Requests() {
		if r.Action == "CreateCertificateRequest" || r.Action == "CreateCertificateWithCsrRequest" {
			out = append(out, r)
		}
	}
	return out
}

// oneLine asserts that s is exactly one line.
func oneLine(t *testing.T, s string) {
	t.Helper()
	assert.Equal(t, 1, strings.Count(s, "\n"), "one line: %q", s)
	assert.True(t, strings.HasSuffix(s, "\n"), "one line: %q", s)
}

func TestObtainContactDetails(t *testing.T) {
	t.Parallel()
	t.Run("a real run needs them", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "certs")
		// No fake: had the run gone on, it would have looked up
		// credentials. It stops first.
		r := runCmd(t, nil, "obtain", "-domain", "example.com", "-out", dir, "-phone", "13800000000")
		require.Equal(t, exitUsage, r.code, r.stderr)
		oneLine(t, r.stderr)
		assert.Contains(t, r.stderr, "-username (or $ALICERT_USERNAME)")
		assert.Contains(t, r.stderr, "-email (or $ALICERT_EMAIL)")
		assert.NotContains(t, r.stderr, "-phone (or")
		assert.Contains(t, r.stderr, "see 'alicert obtain -h'")
		assert.NoDirExists(t, dir, "nothing was done")
	})
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want [3]string // Username, Phone, Email sent
	}{
		{"-fake fills placeholders", nil, nil, [3]string{fakeUsername, fakePhone, fakeEmail}},
		{"from the environment", map[string]string{"ALICERT_USERNAME": "Env Name", "ALICERT_PHONE": "13900000000", "ALICERT_EMAIL": "env@example.com"},
			nil, [3]string{"Env Name", "13900000000", "env@example.com"}},
		{"flags over the environment", map[string]string{"ALICERT_USERNAME": "Env Name", "ALICERT_EMAIL": "env@example.com"},
			[]string{"-username", "Flag Name", "-phone", "13700000000"}, [3]string{"Flag Name", "13700000000", "env@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			c := &cli{fake: srv, getenv: func(k string) string { return tc.env[k] }}
			r := runCLI(t, c, append([]string{"obtain", "-fake", "-domain", "example.com", "-out", t.TempDir()}, tc.args...)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			reqs := creates(srv)
			require.Len(t, reqs, 1)
			p := reqs[0].Params
			assert.Equal(t, tc.want, [3]string{p.Get("Username"), p.Get("Phone"), p.Get("Email")})
		})
	}
}

func TestObtainTwoRunsOnOneDirectoryOrderOnce(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for round := range 50 {
		dir := t.TempDir()
		before := len(creates(srv))
		var wg sync.WaitGroup
		results := make([]result, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir,
					"-poll", "1ms", "-lock-wait", "1ms")
			}()
		}
		wg.Wait()
		orders := len(creates(srv)) - before
		require.LessOrEqual(t, orders, 1, "round %d: %d orders; %+v", round, orders, results)
		ok := 0
		for _, r := range results {
			require.Contains(t, []int{exitOK, exitLocked}, r.code, "round %d: %s", round, r.stderr)
			if r.code == exitLocked {
				assert.Contains(t, r.stderr, "another alicert run holds the lock")
				assert.Empty(t, r.stdout)
			} else {
				ok++
			}
		}
		require.Positive(t, ok, "round %d: one run got the directory", round)
		checkFiles(t, dir, "example.com", srv.CAPool())
	}
}

func TestObtainWaitsForTheLockThenGivesUp(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	unlock, err := store.LockDir(t.Context(), dir, 0)
	require.NoError(t, err)
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-lock-wait", "10ms")
	require.Equal(t, exitLocked, r.code, r.stderr)
	oneLine(t, r.stderr)
	assert.Contains(t, r.stderr, "nothing was done")
	assert.Empty(t, srv.Requests(), "nothing was sent")
	assert.NoFileExists(t, filepath.Join(dir, store.StateFile))

	unlock()
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-lock-wait", "10ms")
	require.Equal(t, exitOK, r.code, r.stderr)
}

func TestObtainReplacesACertificateWithoutAWorkingKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		key  func(other []byte) []byte // key.pem's content; nil: none
		want string
	}{
		{"missing", nil, "key.pem is missing"},
		{"garbage", func([]byte) []byte { return []byte("garbage") }, "do not load as a pair"},
		{"another certificate's", func(other []byte) []byte { return other }, "do not load as a pair"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			cert, _ := fakePair(t, srv, "example.com", 365*24*time.Hour)
			_, other := fakePair(t, srv, "example.com", 365*24*time.Hour)
			require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), cert, 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, store.FullchainFile), cert, 0o644))
			if tc.key != nil {
				require.NoError(t, os.WriteFile(filepath.Join(dir, store.KeyFile), tc.key(other), 0o600))
			}
			r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.NotContains(t, r.stdout, "nothing to do")
			assert.Contains(t, r.stderr, tc.want)
			assert.Len(t, creates(srv), 1)
			checkFiles(t, dir, "example.com", srv.CAPool())
		})
	}
}

func TestObtainNeverInstallsAnotherDomainsOrder(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	// A working pair, due for renewal.
	cert, key := fakePair(t, srv, "example.com", 24*time.Hour)
	writePair(t, dir, cert, key)
	other := createOrder(t, srv, "other.example.com")

	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-order", strconv.FormatInt(other, 10))
	require.NotEqual(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "other.example.com")
	got, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, cert, got, "cert.pem is left as it was")
	got, err = os.ReadFile(filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, key, got, "key.pem is left as it was")
	assert.Len(t, creates(srv), 1, "nothing else was ordered")
}

func TestObtainChecksBeforeOrdering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opts  []alicerttest.Option
		setup func(t *testing.T, dir string) (out string)
		args  []string
		want  string
	}{
		{"-out is a file", nil, func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "certs")
			require.NoError(t, os.WriteFile(p, nil, 0o644))
			return p
		}, nil, "is not a directory"},
		{"-out is below a file", nil, func(t *testing.T, dir string) string {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), nil, 0o644))
			return filepath.Join(dir, "f", "certs")
		}, nil, "not a directory"},
		{"key.pem is a directory", nil, func(t *testing.T, dir string) string {
			require.NoError(t, os.MkdirAll(filepath.Join(dir, store.KeyFile, "x"), 0o755))
			return dir
		}, nil, "is not a file"},
		{"the versions directory is a file", nil, func(t *testing.T, dir string) string {
			require.NoError(t, os.WriteFile(filepath.Join(dir, store.VersionsDir), nil, 0o644))
			return dir
		}, nil, "is not a directory"},
		{"the zone is not hosted", []alicerttest.Option{alicerttest.WithDNSZones("example.org")},
			func(t *testing.T, dir string) string { return dir }, nil, "no zone holding www.example.com is hosted"},
		{"-dns-zone is not hosted", nil, func(t *testing.T, dir string) string { return dir },
			[]string{"-dns-zone", "www.example.com"}, "-dns-zone www.example.com is not hosted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, tc.opts...)
			out := tc.setup(t, t.TempDir())
			r := runCmd(t, srv, append([]string{"obtain", "-fake", "-domain", "www.example.com", "-out", out}, tc.args...)...)
			require.Equal(t, exitFailure, r.code, r.stderr)
			oneLine(t, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Contains(t, r.stderr, "nothing was ordered")
			assert.Empty(t, creates(srv))
			assert.NoFileExists(t, filepath.Join(out, store.StateFile))
		})
	}
	t.Run("-out cannot be written", func(t *testing.T) {
		t.Parallel()
		dir, want := unwritableDir(t)
		srv := newFake(t)
		r := runCmd(t, srv, "obtain", "-fake", "-domain", "www.example.com", "-out", dir)
		require.Equal(t, exitFailure, r.code, r.stderr)
		oneLine(t, r.stderr)
		assert.Contains(t, r.stderr, want)
		assert.Contains(t, r.stderr, "nothing was ordered")
		assert.Empty(t, creates(srv))
	})
}

func TestStateFileDamageIsRefused(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"domain": "example.com", "order_id": -5}`,
		`{"domain": "example.com", "order_id": 0.5}`,
		`{"domain": "example.com", "orderid": 7}`,
		`{"domain": "example.com"} {"domain": "example.com"}`,
		`{"order_id": 7}`,
	} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, store.StateFile), []byte(body), 0o600))
			_, err := store.LoadState(dir)
			require.ErrorContains(t, err, "not a state file written by alicert")
			assert.ErrorContains(t, err, "remove the file")

			r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
			require.Equal(t, exitFailure, r.code, r.stderr)
			assert.Contains(t, r.stderr, "remove the file")
			assert.Empty(t, srv.Requests())
		})
	}
}

// pairIs reports which of the pairs the certificate files of dir load as:
// "old", "new", or "" when they do not load as a pair.
func pairIs(t *testing.T, dir string, old, new []byte) string {
	t.Helper()
	for _, name := range []string{store.CertFile, store.FullchainFile} {
		if _, err := tls.LoadX509KeyPair(filepath.Join(dir, name), filepath.Join(dir, store.KeyFile)); err != nil {
			return ""
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	switch {
	case bytes.Equal(got, old):
		return "old"
	case bytes.Equal(got, new):
		return "new"
	}
	t.Fatalf("cert.pem holds neither pair:\n%s", got)
	return ""
}

// pairOutFiles are the files of a pair, as install takes them.
func pairOutFiles(cert, key []byte) []store.File {
	return []store.File{{Name: store.KeyFile, Data: key, Perm: 0o600}, {Name: store.ChainFile, Data: nil, Perm: 0o644}, {Name: store.FullchainFile, Data: cert, Perm: 0o644}, {Name: store.CertFile, Data: cert, Perm: 0o644}}
}

func TestObtainRemovesLeftoverTemporaryFiles(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	cert, key := fakePair(t, srv, "example.com", 365*24*time.Hour)
	require.NoError(t, (&store.Installer{Dir: dir}).Install(pairOutFiles(cert, key)))
	// What a run that died while writing leaves: a temporary key file, an
	// unrenamed link, and a version never made live.
	leftovers := []string{".key.pem.tmp-12345", ".cert.pem" + store.LinkTmpSuffix, filepath.Join(store.VersionsDir, store.LiveTmp), filepath.Join(store.VersionsDir, "9")}
	require.NoError(t, os.WriteFile(filepath.Join(dir, leftovers[0]), key, 0o600))
	require.NoError(t, os.Symlink("x", filepath.Join(dir, leftovers[1])))
	require.NoError(t, os.Symlink("9", filepath.Join(dir, leftovers[2])))
	require.NoError(t, os.Mkdir(filepath.Join(dir, leftovers[3]), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, leftovers[3], store.KeyFile), key, 0o600))

	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "nothing to do")
	for _, l := range leftovers {
		_, err := os.Lstat(filepath.Join(dir, l))
		assert.ErrorIs(t, err, os.ErrNotExist, "%s is left", l)
		assert.Contains(t, r.stderr, "removed "+filepath.Join(dir, l))
	}
	assert.Equal(t, "old", pairIs(t, dir, cert, nil))
}

func TestRenewWithinTakesDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"30d": 30 * day, "0": 0, "1.5d": 36 * time.Hour, "720h": 30 * day, "0d": 0} {
		var d daysValue
		require.NoError(t, d.Set(in), in)
		assert.Equal(t, want, time.Duration(d), in)
	}
	for _, in := range []string{"", "d", "-1d", "30 days", "-5h", "NaNd", "1e300d"} {
		var d daysValue
		assert.Error(t, d.Set(in), in)
	}
	d := daysValue(30 * day)
	assert.Equal(t, "30d", d.String())

	srv := newFake(t)
	dir := t.TempDir()
	cert, key := fakePair(t, srv, "example.com", 90*day)
	writePair(t, dir, cert, key)
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-renew-within", "30d")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "more than -renew-within 30d away: nothing to do")
	assert.Empty(t, r.stderr)

	// Longer than the certificate lives: every run would order.
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-renew-within", "100d")
	assert.Contains(t, r.stderr, "-renew-within 100d is not shorter than the certificate's lifetime (90d)")

	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-renew-within", "30x")
	require.Equal(t, exitUsage, r.code)
	oneLine(t, r.stderr)
	assert.Contains(t, r.stderr, "-renew-within")
}

func TestObtainTimeoutBoundsOnlyTheWaiting(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	// The order request takes longer than the whole -timeout: it still
	// runs to its end, and the order is known, not of unknown outcome.
	// (-timeout also bounds the look-ups before the order, which the fake
	// answers at once, well within it.) Then the first read of the order
	// stalls past -timeout: the waiting gives up.
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: 1500 * time.Millisecond}, 1)
	srv.InjectFault("DescribeCertificateState", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Hour}, 1)
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
	r := runCmd(t, srv, append(args, "-timeout", "1s")...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "outcome unknown")
	ids := srv.OrderIDs()
	require.Len(t, ids, 1)
	assert.Contains(t, r.stderr, fmt.Sprintf("rerun to resume order %d", ids[0]))
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	assert.Equal(t, ids[0], st.OrderID)

	r = runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, creates(srv), 1)
	checkFiles(t, dir, "example.com", srv.CAPool())
}

func TestObtainQuietPrintsNothingWhenNothingIsDone(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir, "-q"}
	r := runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "no progress")
	oneLine(t, r.stdout)

	r = runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout+r.stderr)
}

// A domain the library refuses is refused before anything is made, locked
// or ordered, whatever the key mode: one usage line, exit 2, and nothing
// on disk, not even -out.
func TestObtainValidatesTheDomainBeforeAnything(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ domain, want string }{
		{"www.example.com.", "ends with a dot"},
		{" www.example.com", "is not a single domain name"},
		{"www.example.com ", "is not a single domain name"},
		{"www.example.com\r", "U+000D, a control character"},
		{"bücher.example.com", `use the punycode form "xn--bcher-kva.example.com"`},
	} {
		for _, keyArgs := range [][]string{nil, {"-key-source", "service"}, {"-kms-key", "fake"}} {
			srv := newFake(t)
			out := filepath.Join(t.TempDir(), "certs")
			args := append([]string{"obtain", "-fake", "-domain", tc.domain, "-out", out}, keyArgs...)
			r := runCmd(t, srv, args...)
			assert.Equal(t, exitUsage, r.code, "%q %v: %s", tc.domain, keyArgs, r.stderr)
			assert.Contains(t, r.stderr, "-domain: ", "%q %v", tc.domain, keyArgs)
			assert.Contains(t, r.stderr, tc.want, "%q %v", tc.domain, keyArgs)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.Zero(t, srv.OrderCount(), "%q %v: nothing was ordered", tc.domain, keyArgs)
			assert.Zero(t, srv.RequestCount("CreateKey"), "%q %v: nothing was created", tc.domain, keyArgs)
			assert.NoDirExists(t, out, "%q %v: nothing on disk", tc.domain, keyArgs)
		}
	}
}

// unwritableDir returns a directory the test's user cannot write in, and
// what obtain says of it. Root writes past any mode, so for root (as CI
// runs) it is a read-only file system; where root cannot mount one, the
// test fails under CI and is skipped elsewhere.
func unwritableDir(t *testing.T) (dir, want string) {
	t.Helper()
	if os.Geteuid() != 0 {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o555))
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
		return dir, "permission denied"
	}
	dir, ok := readOnlyDir(t)
	switch {
	case !ok && os.Getenv("CI") != "":
		t.Fatal("CI runs as root, and no read-only file system could be mounted: -out's write checks go untested")
	case !ok:
		t.Skip("root writes past any mode, and no read-only file system can be mounted here")
	}
	return dir, "read-only file system"
}
