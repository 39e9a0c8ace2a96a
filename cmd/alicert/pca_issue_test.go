package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pcaFakeServer is a fake with a seeded Private CA, for the pca commands.
func pcaFakeServer(t *testing.T) *alicerttest.Server {
	t.Helper()
	return newFake(t, alicerttest.WithPrivateCA())
}

// issuedJSON runs pca issue -json against srv and decodes its result.
func issuedJSON(t *testing.T, srv *alicerttest.Server, args ...string) pcaIssued {
	t.Helper()
	r := runCmd(t, srv, append([]string{"pca", "issue", "-fake", "-json"}, args...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var res pcaIssued
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&res), r.stdout)
	return res
}

// verifyIssued checks the files pca issue wrote into dir: cert.pem holds
// the certificate alone, chain.pem the sub-CA, fullchain.pem both, ca.pem
// the fake's root, every one a link into the live version; the leaf
// verifies against the root for each usage of want and for no other.
func verifyIssued(t *testing.T, srv *alicerttest.Server, dir string, want []x509.ExtKeyUsage) *x509.Certificate {
	t.Helper()
	pca := srv.PrivateCA()
	leafs := readCerts(t, filepath.Join(dir, store.CertFile))
	require.Len(t, leafs, 1, "cert.pem holds the certificate alone")
	chain := readCerts(t, filepath.Join(dir, store.ChainFile))
	require.Len(t, chain, 1)
	assert.True(t, chain[0].Equal(pca.SubCA), "chain.pem is the sub-CA")
	assert.Equal(t, append([]*x509.Certificate{leafs[0]}, chain...), readCerts(t, filepath.Join(dir, store.FullchainFile)))
	ca := readCerts(t, filepath.Join(dir, store.CAFile))
	require.Len(t, ca, 1)
	assert.True(t, ca[0].Equal(pca.Root), "ca.pem is the root")
	for _, name := range []string{store.CertFile, store.ChainFile, store.FullchainFile, store.CAFile} {
		target, err := os.Readlink(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Equal(t, store.LinkTarget(name), target)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "leftover temporary file")
	}

	inter := x509.NewCertPool()
	inter.AddCert(chain[0])
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		_, err := leafs[0].Verify(x509.VerifyOptions{Roots: pca.Roots(), Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}})
		if containsUsage(want, usage) {
			assert.NoError(t, err, "usage %v", usage)
		} else {
			assert.Error(t, err, "usage %v was not asked for", usage)
		}
	}
	return leafs[0]
}

func containsUsage(list []x509.ExtKeyUsage, u x509.ExtKeyUsage) bool {
	for _, v := range list {
		if v == u {
			return true
		}
	}
	return false
}

func TestPCAIssueWritesTheFilesAsObtainDoes(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	dir := filepath.Join(t.TempDir(), "certs")
	res := issuedJSON(t, srv, "-domain", "api.internal", "-domain", "10.0.0.7", "-out", dir, "-usage", "server,client", "-days", "30")

	leaf := verifyIssued(t, srv, dir, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth})
	assert.NoError(t, leaf.VerifyHostname("api.internal"))
	assert.NoError(t, leaf.VerifyHostname("10.0.0.7"))
	assert.Equal(t, "api.internal", leaf.Subject.CommonName)
	assert.InDelta(t, float64(30*day), float64(leaf.NotAfter.Sub(leaf.NotBefore)), float64(2*60e9))

	_, err := tls.LoadX509KeyPair(filepath.Join(dir, store.FullchainFile), filepath.Join(dir, store.KeyFile))
	require.NoError(t, err, "key.pem belongs to the certificate")
	fi, err := os.Stat(filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The JSON names what was issued and written.
	assert.Equal(t, srv.PrivateCA().SubCAIdentifier, res.CA)
	assert.Equal(t, []string{"api.internal", "10.0.0.7"}, res.Names)
	assert.Equal(t, []string{"server", "client"}, res.Usages)
	assert.Equal(t, []string{store.KeyFile, store.ChainFile, store.FullchainFile, store.CAFile, store.CertFile}, res.Files)
	assert.True(t, res.KeyWritten)
	assert.Equal(t, dir, res.Dir)
	assert.Equal(t, jsonTime(leaf.NotAfter), res.NotAfter)
	assert.Regexp(t, `^alicert-\d{8}T\d{6}Z-[0-9a-f]{8}$`, res.CustomIdentifier)

	// The request carried the custom identifier, and its key never left.
	var sent []alicerttest.Request
	for _, r := range srv.Requests() {
		if r.Action == "CreateCustomCertificate" {
			sent = append(sent, r)
		}
	}
	require.Len(t, sent, 1)
	assert.Equal(t, res.CustomIdentifier, sent[0].Params.Get("customIdentifier"))
	for _, r := range srv.Requests() {
		for k, v := range r.Params {
			assert.NotContains(t, strings.Join(v, ""), "PRIVATE KEY", "%s %s", r.Action, k)
		}
	}
}

func TestPCAIssueClientUsageOnly(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "pca", "issue", "-fake", "-domain", "device-42", "-usage", "client", "-key-type", "rsa2048", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "for device-42 (client) valid until ")
	assert.Contains(t, r.stderr, "-fake: issuing from the fake's sub-CA "+srv.PrivateCA().SubCAIdentifier)
	assert.Contains(t, r.stderr, "for client use: custom identifier alicert-")
	leaf := verifyIssued(t, srv, dir, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	assert.Equal(t, x509.RSA, leaf.PublicKeyAlgorithm, "-key-type rsa2048")
}

// With -csr the certificate holds the request's key and names, and no
// key.pem is written; a key.pem that is the request's key is kept as the
// pair's, and any other is refused before anything is sent.
func TestPCAIssueWithARequestOfYourOwn(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	key, csrPEM, keyPEM := ownCSR(t, "svc.internal")
	csrPath := filepath.Join(t.TempDir(), "svc.csr")
	require.NoError(t, os.WriteFile(csrPath, []byte(csrPEM), 0o644))

	dir := t.TempDir()
	res := issuedJSON(t, srv, "-csr", csrPath, "-out", dir)
	assert.False(t, res.KeyWritten)
	assert.Contains(t, res.Note, "no key.pem written")
	assert.NotContains(t, res.Files, store.KeyFile)
	assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))
	leaf := verifyIssued(t, srv, dir, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	assert.True(t, key.PublicKey.Equal(leaf.PublicKey), "the request's key")
	assert.Equal(t, []string{"svc.internal"}, leaf.DNSNames)

	// The request's own key in -out: kept, and paired.
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.KeyFile), keyPEM, 0o600))
	res = issuedJSON(t, srv, "-csr", csrPath, "-out", dir)
	assert.Contains(t, res.Note, "key.pem kept")
	assert.Contains(t, res.Files, store.KeyFile)
	_, err := tls.LoadX509KeyPair(filepath.Join(dir, store.FullchainFile), filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)

	// Another key: refused, nothing sent.
	other := t.TempDir()
	_, _, otherKey := ownCSR(t, "svc.internal")
	require.NoError(t, os.WriteFile(filepath.Join(other, store.KeyFile), otherKey, 0o600))
	before := srv.RequestCount("CreateCustomCertificate")
	r := runCmd(t, srv, "pca", "issue", "-fake", "-csr", csrPath, "-out", other)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "is not the key of -csr's request")
	assert.Equal(t, before, srv.RequestCount("CreateCustomCertificate"))
	assert.NoFileExists(t, filepath.Join(other, store.CertFile))
}

// Every bad flag is one usage line naming it, and nothing is sent, locked
// or written.
func TestPCAIssueUsageErrorsSendNothing(t *testing.T) {
	t.Parallel()
	_, csrPEM, keyPEM := ownCSR(t, "svc.internal")
	files := t.TempDir()
	csrPath, keyPath := filepath.Join(files, "svc.csr"), filepath.Join(files, "svc.key")
	require.NoError(t, os.WriteFile(csrPath, []byte(csrPEM), 0o644))
	require.NoError(t, os.WriteFile(keyPath, keyPEM, 0o600))
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-domain", "a.internal"}, "-ca is required"},
		{[]string{"-ca", "sub", "-ca", "bad id", "-domain", "a.internal"}, "-ca"},
		{[]string{"-ca", "sub"}, "-domain or -csr is required"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-csr", csrPath}, "-domain and -csr exclude each other"},
		{[]string{"-ca", "sub", "-domain", "a b.internal"}, "-domain"},
		{[]string{"-ca", "sub", "-domain", "a,b.internal"}, "-domain"},
		{[]string{"-ca", "sub", "-domain", "ex..internal"}, "empty label"},
		{[]string{"-ca", "sub", "-domain", "-a.internal"}, "hyphen"},
		{[]string{"-ca", "sub", "-domain", "a.*.internal"}, "wildcard"},
		{[]string{"-ca", "sub", "-domain", "bücher.internal"}, "punycode"},
		{[]string{"-ca", "sub", "-domain", "a.internal."}, "trailing dot"},
		{[]string{"-ca", "sub", "-domain", strings.Repeat("a", 64) + ".internal"}, "63"},
		{[]string{"-ca", "sub", "-domain", "A.internal", "-domain", "a.internal"}, "twice"},
		{[]string{"-ca", "sub", "-domain", ""}, "-domain"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-usage", "email"}, "-usage"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-usage", ","}, "-usage"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-days", "0"}, "-days"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-days", "-5"}, "-days"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-days", "100001"}, "-days"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-days", "5", "-duration", "5d"}, "exclude each other"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-duration", "500ms"}, "-duration"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-duration", "0s"}, "-duration"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-key-type", "ec521"}, "-key-type"},
		{[]string{"-ca", "sub", "-csr", csrPath, "-key-type", "ec256"}, "-key-type"},
		{[]string{"-ca", "sub", "-csr", filepath.Join(files, "missing.csr")}, "-csr"},
		{[]string{"-ca", "sub", "-csr", keyPath}, "-csr"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-custom-id", "two words"}, "-custom-id"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-timeout", "0s"}, "-timeout"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "-lock-wait", "-1s"}, "-lock-wait"},
		{[]string{"-ca", "sub", "-domain", "a.internal", "extra"}, `"extra"`},
	} {
		srv := testkit.NewScripted(t)
		out := filepath.Join(t.TempDir(), "out")
		r := runCLI(t, scripted(srv), append(append([]string{"pca", "issue"}, tc.args...), "-out", out)...)
		usageLine(t, r, "pca issue", tc.flag)
		assert.Zero(t, srv.Attempts(), "%v: nothing is sent", tc.args)
		assert.NoDirExists(t, out, "%v: nothing is written", tc.args)
	}
	// A request file that is no request, and one too large to be one.
	big := filepath.Join(files, "big.csr")
	require.NoError(t, os.WriteFile(big, make([]byte, pcaMaxCSRBytes+1), 0o644))
	r := runCLI(t, scripted(testkit.NewScripted(t)), "pca", "issue", "-ca", "sub", "-csr", big)
	usageLine(t, r, "pca issue", "larger than 64 KiB")
}

// The sub-CA is read before anything costs quota: a root, a sub-CA with
// no quota left, one that ends before the certificate would, and one that
// does not exist issue nothing.
func TestPCAIssueChecksTheSubCAFirst(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	pca := srv.PrivateCA()
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		want  string
		setup func()
	}{
		{"a root", []string{"-ca", pca.RootIdentifier}, exitUsage, "is a root CA", nil},
		{"longer than the sub-CA", []string{"-days", "3000"}, exitUsage, "ask for at most", nil},
		{"no such CA", []string{"-ca", "0123456789abcdef0123456789abcdef"}, exitFailure, "looking up sub-CA", nil},
		{"no quota left", nil, exitFailure, "no certificate quota left", func() {
			require.NoError(t, srv.SetSubCAQuota(pca.SubCAIdentifier, 0))
		}},
	} {
		if tc.setup != nil {
			tc.setup()
		}
		dir := t.TempDir()
		args := []string{"pca", "issue", "-fake", "-ca", pca.SubCAIdentifier, "-domain", "a.internal", "-out", dir}
		r := runCmd(t, srv, append(args, tc.args...)...)
		assert.Equal(t, tc.code, r.code, "%s: %s", tc.name, r.stderr)
		assert.Contains(t, r.stderr, tc.want, tc.name)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", tc.name, r.stderr)
		assert.Zero(t, srv.RequestCount("CreateCustomCertificate"), tc.name)
		assert.NoFileExists(t, filepath.Join(dir, store.CertFile), tc.name)
	}
}

// A request that may have acted is not repeated: exit 3, nothing written,
// and the message says how to find the certificate; pca list finds it by
// its custom identifier, and pca revoke revokes it.
func TestPCAIssueUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, kind := range []alicerttest.FaultKind{alicerttest.FaultResetAfterAct, alicerttest.FaultTruncatedJSON, alicerttest.FaultServerErrorIn200} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := pcaFakeServer(t)
			srv.InjectFault("CreateCustomCertificate", alicerttest.Fault{Kind: kind}, 1)
			dir := t.TempDir()
			r := runCmd(t, srv, "pca", "issue", "-fake", "-domain", "a.internal", "-out", dir, "-custom-id", "cr-1")
			require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
			assert.Contains(t, r.stderr, "custom identifier cr-1: look for it with 'alicert pca list -certs -custom-id cr-1'")
			assert.Contains(t, r.stderr, "nothing was written to "+dir)
			assert.Equal(t, 1, srv.RequestCount("CreateCustomCertificate"), "not repeated")
			assert.NoFileExists(t, filepath.Join(dir, store.CertFile))
			assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))

			found := listedCerts(t, srv, "-custom-id", "cr-1")
			require.Len(t, found, 1, "the fault came after the fake issued it")
			r = runCmd(t, srv, "pca", "revoke", "-fake", "-id", found[0].Identifier, "-yes")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, "REVOKE", listedCerts(t, srv, "-custom-id", "cr-1")[0].Status)
		})
	}
}

// listedCerts runs pca list -certs -json with args against srv.
func listedCerts(t *testing.T, srv *alicerttest.Server, args ...string) []listedPCACert {
	t.Helper()
	r := runCmd(t, srv, append([]string{"pca", "list", "-fake", "-certs", "-json"}, args...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var got []listedPCACert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), r.stdout)
	return got
}

// A certificate of other names is not replaced unless asked; one for the
// same names is, and the previous version is kept.
func TestPCAIssueReplacesOnlyTheSameNames(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	dir := t.TempDir()
	first := issuedJSON(t, srv, "-domain", "a.internal", "-out", dir)

	r := runCmd(t, srv, "pca", "issue", "-fake", "-domain", "b.internal", "-out", dir)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "does not cover a.internal")
	assert.Equal(t, 1, srv.RequestCount("CreateCustomCertificate"), "nothing sent")

	second := issuedJSON(t, srv, "-domain", "*.internal", "-out", dir)
	assert.NotEqual(t, first.Identifier, second.Identifier)
	leaf := verifyIssued(t, srv, dir, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	assert.Equal(t, []string{"*.internal"}, leaf.DNSNames, "a wildcard covers a.internal")
	assert.Len(t, (&store.Installer{Dir: dir}).Versions(), 2, "the previous version is kept")

	issuedJSON(t, srv, "-domain", "b.internal", "-out", dir, "-replace-other-domain")
	assert.Equal(t, []string{"b.internal"}, readCerts(t, filepath.Join(dir, store.CertFile))[0].DNSNames)
}

// -fake never replaces a certificate a real CA issued, and no run writes
// where obtain keeps an order.
func TestPCAIssueLeavesOthersCertificatesAlone(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	real := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(real, store.CertFile), selfSigned(t, time.Now().Add(30*day)), 0o644))
	r := runCmd(t, srv, "pca", "issue", "-fake", "-domain", "a.internal", "-out", real)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-fake never replaces it")

	ordering := t.TempDir()
	require.NoError(t, store.SaveState(ordering, &store.State{Domain: "www.example.com", OrderID: 5}))
	r = runCmd(t, srv, "pca", "issue", "-fake", "-domain", "a.internal", "-out", ordering)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "obtain keeps an order or a deployment for www.example.com")
	assert.Zero(t, srv.RequestCount("CreateCustomCertificate"))
}

// A link alicert did not make, in place of a file pca issue writes, is
// refused before anything is sent, and left as it was.
func TestPCAIssueRefusesAPlantedLink(t *testing.T) {
	t.Parallel()
	for _, name := range []string{store.CAFile, store.CertFile, store.KeyFile} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := pcaFakeServer(t)
			elsewhere := filepath.Join(t.TempDir(), "elsewhere")
			require.NoError(t, os.WriteFile(elsewhere, []byte("not alicert's"), 0o644))
			dir := t.TempDir()
			require.NoError(t, os.Symlink(elsewhere, filepath.Join(dir, name)))
			r := runCmd(t, srv, "pca", "issue", "-fake", "-domain", "a.internal", "-out", dir)
			refusedOnce(t, r, filepath.Join(dir, name)+" is a symbolic link alicert did not make", "remove the link")
			assert.Zero(t, srv.RequestCount("CreateCustomCertificate"))
			target, err := os.Readlink(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Equal(t, elsewhere, target)
			b, err := os.ReadFile(elsewhere)
			require.NoError(t, err)
			assert.Equal(t, "not alicert's", string(b))
		})
	}
}

// -fake with no fake of the test's own: a new fake Private CA, whose
// sub-CA -ca defaults to.
func TestPCAIssueFakeModeWithoutAnAccount(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCmd(t, nil, "pca", "issue", "-fake", "-domain", "localhost", "-domain", "127.0.0.1", "-out", dir, "-q")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr, "-q: nothing when all went well")
	leaf := readCerts(t, filepath.Join(dir, store.CertFile))[0]
	assert.Equal(t, []net.IP{net.ParseIP("127.0.0.1").To4()}, leaf.IPAddresses)
	_, err := tls.LoadX509KeyPair(filepath.Join(dir, store.FullchainFile), filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
}
