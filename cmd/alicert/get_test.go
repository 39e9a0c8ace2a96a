package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListThenGetEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	seed(srv, "later.example.com", 60*24*time.Hour, false)
	seed(srv, "soon.example.com", 5*24*time.Hour, false)

	// What expires within 30 days, then its files.
	r := runCmd(t, srv, "list", "-fake", "-expiring", "30d", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var due []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &due))
	require.Len(t, due, 1)
	dir := filepath.Join(t.TempDir(), "certs")
	r = runCmd(t, srv, "get", "-fake", "-cert", strconv.FormatInt(due[0].CertID, 10), "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "certificate "+strconv.FormatInt(due[0].CertID, 10)+" (soon.example.com) valid until ")
	leaf := checkFiles(t, dir, "soon.example.com", srv.CAPool())
	assert.Equal(t, due[0].NotAfter, leaf.NotAfter.UTC().Format(time.RFC3339))

	// The files are obtain's layout: links into the live version, which
	// a rerun replaces in one step, keeping the previous one.
	target, err := os.Readlink(filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, store.LinkTarget(store.KeyFile), target)
	r = runCmd(t, srv, "get", "-fake", "-cert", strconv.FormatInt(due[0].CertID, 10), "-out", dir, "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var got gotResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, due[0].CertID, got.CertID)
	assert.True(t, got.KeyWritten)
	assert.ElementsMatch(t, store.PairFiles(), got.Files)
	checkFiles(t, dir, "soon.example.com", srv.CAPool())
	assert.Len(t, (&store.Installer{Dir: dir}).Versions(), 2, "the previous version is kept")
}

func TestGetFakeModeWithoutAnAccount(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCmd(t, nil, "get", "-fake", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "which expires within days")
	assert.Contains(t, r.stdout, "(shop.example.com) valid until ")
	_, err := tls.LoadX509KeyPair(filepath.Join(dir, store.FullchainFile), filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
}

// csrOrder orders a certificate for domain with a CSR of one's own from
// a fake that issues at once, and returns the fake, the certificate's id
// and the key.
func csrOrder(t *testing.T, domain string) (*alicerttest.Server, int64, []byte) {
	t.Helper()
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue())
	t.Cleanup(srv.Close)
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	_, csr, key := ownCSR(t, domain)
	ctx := context.Background()
	_, err = cl.CAS.CreateCertificateWithCsrRequest(ctx, &alicert.CreateCertificateWithCsrRequestInput{
		Csr: csr, ValidateType: alicert.ValidateDNS, Username: fakeUsername, Phone: fakePhone, Email: fakeEmail,
	})
	require.NoError(t, err)
	for o, err := range cl.CAS.AllUserCertificateOrders(ctx, &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}) {
		require.NoError(t, err)
		if o.CommonName == domain {
			return srv, o.CertificateID, key
		}
	}
	t.Fatalf("no certificate for %s", domain)
	return nil, 0, nil
}

func TestGetOwnKeyCertificate(t *testing.T) {
	t.Parallel()
	srv, id, key := csrOrder(t, "own.example.com")
	args := []string{"get", "-fake", "-cert", strconv.FormatInt(id, 10)}

	// No key in the service and none in -out: the certificate files
	// only, and the run says so.
	dir := t.TempDir()
	r := runCmd(t, srv, append(args, "-out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "no key.pem written: the service holds no private key for this certificate")
	assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))
	leafs := readCerts(t, filepath.Join(dir, store.CertFile))
	require.Len(t, leafs, 1)
	assert.Equal(t, []string{"own.example.com"}, leafs[0].DNSNames)
	r = runCmd(t, srv, append(args, "-out", dir, "-json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var got gotResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.False(t, got.KeyWritten)
	assert.NotContains(t, got.Files, store.KeyFile)

	// Its own key in -out: kept, and installed with it as a pair.
	dir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.KeyFile), key, 0o600))
	r = runCmd(t, srv, append(args, "-out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "key.pem kept")
	checkFiles(t, dir, "own.example.com", srv.CAPool())

	// Another key in -out: refused, nothing written.
	dir = t.TempDir()
	_, _, other := ownCSR(t, "own.example.com")
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.KeyFile), other, 0o600))
	r = runCmd(t, srv, append(args, "-out", dir)...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "is not its key; nothing was written")
	assert.NoFileExists(t, filepath.Join(dir, store.CertFile))
	b, err := os.ReadFile(filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, other, b)
	assert.NotContains(t, r.stderr, "PRIVATE KEY")
}

func TestGetFakeNeverReplacesARealCertificate(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := seed(srv, "soon.example.com", 5*24*time.Hour, false)
	dir := t.TempDir()
	real := selfSigned(t, time.Now().Add(365*24*time.Hour))
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), real, 0o644))
	r := runCmd(t, srv, "get", "-fake", "-cert", strconv.FormatInt(id, 10), "-out", dir)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-fake never replaces it")
	b, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, real, b)
}

func TestGetUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{}, "-cert is required"},
		{[]string{"-cert", "-4"}, "-cert"},
		{[]string{"-cert", "x"}, "-cert"},
		{[]string{"-cert", "7", "-out", ""}, "-out"},
		{[]string{"-cert", "7", "-lock-wait", "-1s"}, "-lock-wait"},
	} {
		usageLine(t, runCLI(t, &cli{}, append([]string{"get"}, tc.args...)...), "get", tc.flag)
	}
	// A test's own fake has no seed to default to.
	usageLine(t, runCmd(t, srv, "get", "-fake", "-out", t.TempDir()), "get", "-cert is required")
	assert.Empty(t, srv.Requests())
}

// get never silently swaps the live certificate for one of another
// domain; a flag says so explicitly.
func TestGetRefusesAnotherDomainsCertificate(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	mine := seed(srv, "example.com", 60*24*time.Hour, false)
	other := seed(srv, "shop.example.org", 60*24*time.Hour, false)
	dir := t.TempDir()
	get := func(cert int64, extra ...string) result {
		return runCmd(t, srv, append([]string{"get", "-fake", "-cert", strconv.FormatInt(cert, 10), "-out", dir}, extra...)...)
	}
	require.Equal(t, exitOK, get(mine).code)
	before, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)

	r := get(other)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "holds a certificate for example.com, and certificate "+strconv.FormatInt(other, 10)+
		" (for shop.example.org) does not cover example.com; nothing was written")
	assert.Contains(t, r.stderr, "-replace-other-domain")
	after, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, before, after, "cert.pem is as it was")

	// The same domain again is fine; so is the other one, when asked for.
	require.Equal(t, exitOK, get(mine).code)
	r = get(other, "-replace-other-domain")
	require.Equal(t, exitOK, r.code, r.stderr)
	checkFiles(t, dir, "shop.example.org", srv.CAPool())
}
