package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command line against srv (nil: run's own fake, as -fake
// does for a user).
func runCmd(t *testing.T, srv *alicerttest.Server, args ...string) result {
	t.Helper()
	return runCLI(t, &cli{fake: srv}, args...)
}

// runCLI runs the command line with c, filling in its output, its clock
// and an empty environment where c leaves them unset.
func runCLI(t *testing.T, c *cli, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c.stdout, c.stderr = &stdout, &stderr
	if c.now == nil {
		c.now = time.Now
	}
	if c.getenv == nil {
		c.getenv = testEnv(t)
	}
	code := c.run(t.Context(), args)
	return result{code, stdout.String(), stderr.String()}
}

// testEnv is an empty environment but for the directory of deploy's
// locks, one of the test's own.
func testEnv(t *testing.T) func(string) string {
	dir := t.TempDir()
	return func(k string) string {
		if k == lockDirEnv {
			return dir
		}
		return ""
	}
}

func newFake(t *testing.T, opts ...alicerttest.Option) *alicerttest.Server {
	t.Helper()
	srv := alicerttest.NewServer(append([]alicerttest.Option{alicerttest.WithDNSCheck()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// readCerts parses every certificate of a PEM file.
func readCerts(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		require.Equal(t, "CERTIFICATE", block.Type)
		c, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		certs = append(certs, c)
	}
	require.Empty(t, strings.TrimSpace(string(b)), "nothing but certificates in %s", path)
	return certs
}

// checkFiles checks the files obtain wrote into dir for domain and returns
// the leaf.
func checkFiles(t *testing.T, dir, domain string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	leafs := readCerts(t, filepath.Join(dir, store.CertFile))
	require.Len(t, leafs, 1, "cert.pem holds the certificate alone")
	chain := readCerts(t, filepath.Join(dir, store.ChainFile))
	full := readCerts(t, filepath.Join(dir, store.FullchainFile))
	require.Equal(t, append([]*x509.Certificate{leafs[0]}, chain...), full)

	inter := x509.NewCertPool()
	for _, c := range chain {
		inter.AddCert(c)
	}
	_, err := leafs[0].Verify(x509.VerifyOptions{DNSName: domain, Roots: roots, Intermediates: inter})
	require.NoError(t, err)

	_, err = tls.LoadX509KeyPair(filepath.Join(dir, store.FullchainFile), filepath.Join(dir, store.KeyFile))
	require.NoError(t, err, "key.pem belongs to the certificate")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, store.KeyFile))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	assert.NoFileExists(t, filepath.Join(dir, store.StateFile), "the finished order leaves no state")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".tmp-"), "leftover temporary file %s", e.Name())
	}
	return leafs[0]
}

func TestObtainFakeModeEndToEnd(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "certs")
	r := runCmd(t, nil, "obtain", "-fake", "-domain", "example.com", "-dns", "alidns", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "certificate for example.com (order ")
	for _, want := range []string{"ordering a certificate for example.com", "order ", "created", "adding DNS record _dnsauth.example.com.", "issued", "removing DNS record"} {
		assert.Contains(t, r.stderr, want)
	}
	// run's own fake is gone with it; its CA is the last certificate of
	// the chain the fake returned.
	chain := readCerts(t, filepath.Join(dir, store.ChainFile))
	require.NotEmpty(t, chain)
	roots := x509.NewCertPool()
	roots.AddCert(chain[len(chain)-1])
	checkFiles(t, dir, "example.com", roots)
}

func TestObtainVerifiesAgainstTheFakeCA(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "www.example.com", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	leaf := checkFiles(t, dir, "www.example.com", srv.CAPool())
	assert.Equal(t, []string{"www.example.com"}, leaf.DNSNames)
	assert.Empty(t, srv.DNSRecords(), "the validation record is removed")
	assert.Equal(t, 1, srv.OrderCount())

	// A rerun while the certificate is valid does nothing.
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "www.example.com", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "nothing to do")
	assert.Equal(t, 1, srv.OrderCount())
}

func TestObtainResetAfterWriteThenRerunOrdersOnce(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	srv.InjectFault("CreateCertificateWithCsrRequest", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}

	r := runCmd(t, srv, args...)
	require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "outcome unknown")
	assert.Contains(t, r.stderr, "-order ID")
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.True(t, st.Pending(), "the state file records the create: %+v", st)
	assert.Equal(t, 1, srv.OrderCount(), "the service made the order")

	// A rerun does not order blindly.
	r = runCmd(t, srv, args...)
	require.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "may have been created at "+st.CreateSentAt.Format(time.RFC3339))
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))

	// The user finds the order (here: the fake's only one) and resumes it.
	ids := srv.OrderIDs()
	require.Len(t, ids, 1)
	r = runCmd(t, srv, append(args, "-order", strconv.FormatInt(ids[0], 10))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	checkFiles(t, dir, "example.com", srv.CAPool())
	assert.Equal(t, 1, srv.OrderCount(), "exactly one order")
	assert.Equal(t, 1, srv.RequestCount("CreateCertificateWithCsrRequest"))
}

func TestObtainResumesTheOrderInTheStateFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	// A run that died after the order was created left this state file.
	order := createOrder(t, srv, "example.com")
	require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", OrderID: order, Fake: true}))

	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming order "+strconv.FormatInt(order, 10))
	checkFiles(t, dir, "example.com", srv.CAPool())
	assert.Equal(t, 1, srv.OrderCount())

	// The state of another domain is not taken over.
	require.NoError(t, store.SaveState(dir, &store.State{Domain: "other.example.com", OrderID: order, Fake: true}))
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "other.example.com")
}

// createOrder creates an order through the library, as an earlier run did.
func createOrder(t *testing.T, srv *alicerttest.Server, domain string) int64 {
	t.Helper()
	c, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	out, err := c.CAS.CreateCertificateRequest(t.Context(), &alicert.CreateCertificateRequestInput{
		Domain: domain, ValidateType: alicert.ValidateDNS, Username: fakeUsername, Phone: fakePhone, Email: fakeEmail,
	})
	require.NoError(t, err)
	return out.OrderID
}

func TestObtainNeverOverwritesANewerCertificate(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	newer, newerKey := fakePair(t, srv, "example.com", 10*365*24*time.Hour)
	writePair(t, dir, newer, newerKey)

	// -renew-within 0 orders whatever cert.pem holds; the certificate
	// bought is kept aside, not thrown away, and the run says so.
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir, "-renew-within", "0"}
	r := runCmd(t, srv, args...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Empty(t, r.stdout, "nothing claims the certificate was written")
	assert.Contains(t, r.stderr, "kept "+filepath.Join(dir, store.CertFile)+": it expires later")
	assert.Contains(t, r.stderr, "cert.new.pem")
	got, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, newer, got)
	got, err = os.ReadFile(filepath.Join(dir, store.KeyFile))
	require.NoError(t, err)
	assert.Equal(t, newerKey, got, "the key stays with its certificate")

	// The new certificate is in the *.new.pem files, its key owner-only.
	leafs := readCerts(t, filepath.Join(dir, "cert.new.pem"))
	require.Len(t, leafs, 1)
	assert.Equal(t, append(leafs, readCerts(t, filepath.Join(dir, "chain.new.pem"))...), readCerts(t, filepath.Join(dir, "fullchain.new.pem")))
	_, err = tls.LoadX509KeyPair(filepath.Join(dir, "fullchain.new.pem"), filepath.Join(dir, "key.new.pem"))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, "key.new.pem"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	// The state file keeps the order: a rerun fetches it again rather
	// than buying another.
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.NotNil(t, st)
	assert.Equal(t, srv.OrderIDs(), []int64{st.OrderID})
	r = runCmd(t, srv, args...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Equal(t, 1, srv.OrderCount())
}

func TestObtainDoesNotResumeWhileTheCertificateIsValid(t *testing.T) {
	t.Parallel()
	for _, explicit := range []bool{false, true} {
		t.Run(fmt.Sprintf("-order %v", explicit), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			order := createOrder(t, srv, "example.com")
			args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
			if explicit {
				args = append(args, "-order", strconv.FormatInt(order, 10))
			} else {
				require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", OrderID: order, Fake: true}))
			}
			cert, key := fakePair(t, srv, "example.com", 365*24*time.Hour)
			writePair(t, dir, cert, key)

			r := runCmd(t, srv, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, "nothing to do")
			assert.Contains(t, r.stdout, "order "+strconv.FormatInt(order, 10))
			assert.Zero(t, srv.RequestCount("DescribeCertificateState"), "the order is not resumed")
			if !explicit {
				assert.FileExists(t, filepath.Join(dir, store.StateFile), "the order stays recorded for later")
			}
		})
	}
}

// selfSigned returns a throwaway certificate PEM expiring at notAfter.
func selfSigned(t *testing.T, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, DNSNames: []string{"example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestObtainCleanupFailureExitCode(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	srv.InjectFault("DeleteDomainRecord", alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 0)
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitCleanupFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "by hand")
	checkFiles(t, dir, "example.com", srv.CAPool())
	assert.Len(t, srv.DNSRecords(), 1)
}

func TestObtainVerifyFailureNeedsNewOrder(t *testing.T) {
	t.Parallel()
	srv := newFake(t, alicerttest.WithVerifyFailure("example.com"))
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
	r := runCmd(t, srv, args...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "rerun with -new-order")
	assert.Empty(t, srv.DNSRecords())
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.NotNil(t, st, "the failed order stays in the state file")
	ids := srv.OrderIDs()
	require.Len(t, ids, 1)
	assert.Equal(t, ids[0], st.OrderID)

	// A daily cron run does not buy a new order every day.
	r = runCmd(t, srv, args...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "rerun with -new-order")
	assert.Equal(t, 1, srv.OrderCount())

	// -new-order does.
	r = runCmd(t, srv, append(args, "-new-order")...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Equal(t, 2, srv.OrderCount())
}

func TestObtainInvalidFlagValueIsAUsageError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		// A single-domain product for a wildcard.
		{[]string{"-domain", "*.example.com", "-product", "digicert-free-1-free"}, "needs a wildcard -product"},
		{[]string{"-domain", "example.com", "-email", "not-an-address"}, "-email: "},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			r := runCmd(t, srv, append([]string{"obtain", "-fake", "-out", dir}, tc.args...)...)
			require.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stderr, "ProductCode")
			assert.NotContains(t, r.stderr, "Email:")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
			assert.Contains(t, r.stderr, "see 'alicert obtain -h'")
			assert.NoFileExists(t, filepath.Join(dir, store.StateFile), "nothing was ordered")
			assert.Zero(t, srv.OrderCount())
		})
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	order := createOrder(t, srv, "example.com")
	r := runCmd(t, srv, "status", "-order", strconv.FormatInt(order, 10))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "order "+strconv.FormatInt(order, 10)+": domain_verify")
	assert.Contains(t, r.stdout, `_dnsauth.example.com. TXT "`)

	r = runCmd(t, srv, "status", "-order", "12345")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "12345")
}

func TestStatusJSON(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	order := createOrder(t, srv, "example.com")
	r := runCmd(t, srv, "status", "-order", strconv.FormatInt(order, 10), "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc stateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	assert.Equal(t, order, doc.OrderID)
	assert.Equal(t, "domain_verify", doc.State)
	require.NotNil(t, doc.Record)
	assert.Equal(t, "_dnsauth.example.com", doc.Record.Name)
	assert.Equal(t, "TXT", doc.Record.Type)
}

// status -fake reads the fake account's issued order; -json shows its
// certificate, never its key.
func TestStatusFake(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "status", "-fake")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, ": certificate\ncertificate: CN=www.example.com")
	r = runCmd(t, nil, "status", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc stateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	assert.Equal(t, "certificate", doc.State)
	assert.Equal(t, []string{"www.example.com"}, doc.Domains)
	assert.Positive(t, doc.CertID)
	assert.NotContains(t, r.stdout, "PRIVATE KEY")
}

func TestCSRJSON(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	keyPath := filepath.Join(t.TempDir(), "csr-key.pem")
	r := runCmd(t, srv, "csr", "-fake", "-cn", "example.com", "-country", "CN", "-province", "Zhejiang", "-locality", "Hangzhou",
		"-key", keyPath, "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		CsrID   int64  `json:"csr_id"`
		Csr     string `json:"csr"`
		KeyFile string `json:"key_file"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
	assert.Positive(t, doc.CsrID)
	assert.Equal(t, keyPath, doc.KeyFile)
	csr, err := alicert.ParseCSR(doc.Csr)
	require.NoError(t, err)
	assert.Equal(t, "example.com", csr.Subject.CommonName)
	assert.NotContains(t, r.stdout, "PRIVATE KEY")
}

func TestCSR(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	keyPath := filepath.Join(t.TempDir(), "csr-key.pem")
	args := []string{"csr", "-fake", "-cn", "example.com", "-san", "www.example.com, api.example.com",
		"-country", "CN", "-province", "Zhejiang", "-locality", "Hangzhou", "-key", keyPath}
	r := runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	csr, err := alicert.ParseCSR(r.stdout)
	require.NoError(t, err)
	assert.Equal(t, "example.com", csr.Subject.CommonName)
	assert.Subset(t, csr.DNSNames, []string{"www.example.com", "api.example.com"})
	key, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	assert.Contains(t, string(key), "PRIVATE KEY")
	assert.NotContains(t, r.stdout+r.stderr, strings.Split(string(key), "\n")[1], "the key is never printed")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(keyPath)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	r = runCmd(t, srv, args...)
	assert.Equal(t, exitUsage, r.code, "an existing key file is never overwritten")
	assert.Equal(t, 1, srv.CsrCount())

	r = runCmd(t, srv, "csr", "-fake", "-cn", "example.com", "-country", "China", "-province", "P", "-locality", "L")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-country: ")
	assert.NotContains(t, r.stderr, "CountryCode", "the flag is named, not the Go field")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
	assert.Contains(t, r.stderr, "see 'alicert csr -h'")
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout+stderr
	}{
		{nil, exitUsage, "usage: alicert <command>"},
		{[]string{"-h"}, exitOK, "Exit codes"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"obtain", "-h"}, exitOK, "-renew-within"},
		{[]string{"status", "-h"}, exitOK, "-order"},
		{[]string{"help", "csr"}, exitOK, "-key-size"},
		{[]string{"obtain", "-fake"}, exitUsage, "-domain is required"},
		{[]string{"obtain", "-domain", "example.com", "-dns", "route53"}, exitUsage, "the only DNS provider is alidns"},
		{[]string{"obtain", "-domain", "example.com", "-order", "5", "-new-order"}, exitUsage, "exclude each other"},
		{[]string{"obtain", "-domain", "example.com", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"obtain", "-nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"status"}, exitUsage, "-order is required"},
		{[]string{"status", "-order", "x"}, exitUsage, `invalid value "x" for flag -order`},
		{[]string{"csr", "-key-size", "big"}, exitUsage, "-key-size"},
		{[]string{"obtain", "-domain", "example.com", "-renew-within", "1w"}, exitUsage, "-renew-within"},
		{[]string{"obtain", "-domain", "example.com", "-lock-wait", "-1s"}, exitUsage, "-lock-wait"},
		{[]string{"status", "-fake", "-order", "-5"}, exitUsage, "-order is required"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, tc.args...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stdout+r.stderr, tc.want)
			if len(tc.args) > 1 && tc.code == exitUsage {
				// A command's usage error: one line a cron mail shows
				// whole, and where to read more.
				assert.Empty(t, r.stdout)
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
				assert.Contains(t, r.stderr, "(see 'alicert "+tc.args[0]+" -h')")
			}
		})
	}
}

func TestStatusShowsTheFullRecordName(t *testing.T) {
	t.Parallel()
	st := &alicert.DescribeCertificateStateOutput{State: alicert.StateDomainVerify, ValidateType: "DNS",
		RecordType: "TXT", RecordDomain: "_dnsauth.www", RecordValue: "tok"}
	var b strings.Builder
	require.NoError(t, printState(&b, 7, st, "www.example.com"))
	assert.Equal(t, "order 7: domain_verify\nwaiting for the DNS record: _dnsauth.www.example.com. TXT \"tok\"\n", b.String())

	b.Reset()
	st = &alicert.DescribeCertificateStateOutput{State: alicert.StateDomainVerify, ValidateType: "FILE",
		Domain: "www.example.com", URI: ".well-known/pki-validation/f.txt", Content: "tok"}
	require.NoError(t, printState(&b, 7, st, ""))
	assert.Equal(t, "order 7: domain_verify\nwaiting for the file: http://www.example.com/.well-known/pki-validation/f.txt\n", b.String())
}

func TestErrorsAreNotPrefixedTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault string // action failed with a 5xx every time
		args  []string
		code  int
	}{
		{"invalid input", "", []string{"-domain", "*.example.com", "-product", "digicert-free-1-free"}, exitUsage},
		{"cleanup failure", "DeleteDomainRecord", []string{"-domain", "example.com"}, exitCleanupFailed},
		{"unknown outcome", "CreateCertificateWithCsrRequest", []string{"-domain", "example.com"}, exitOutcomeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			if tc.fault != "" {
				srv.InjectFault(tc.fault, alicerttest.Fault{Kind: alicerttest.FaultInternalError}, 0)
			}
			r := runCmd(t, srv, append([]string{"obtain", "-fake", "-out", t.TempDir()}, tc.args...)...)
			require.Equal(t, tc.code, r.code, r.stderr)
			assert.NotContains(t, r.stderr, "alicert: alicert:")
		})
	}
	srv := newFake(t)
	r := runCmd(t, srv, "status", "-order", "12345")
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "alicert: alicert:")
}

func TestObtainResumingAnOrderTheServiceDoesNotKnow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		state bool // the order comes from the state file, not -order
	}{{"state file", true}, {"-order", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			dir := t.TempDir()
			args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir}
			if tc.state {
				require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", OrderID: 12345, Fake: true}))
			} else {
				args = append(args, "-order", "12345")
			}
			r := runCmd(t, srv, args...)
			require.Equal(t, exitFailure, r.code, r.stderr)
			assert.Contains(t, r.stderr, "order 12345 cannot be resumed; rerun with -new-order")
			assert.NotContains(t, r.stderr, "rerun to resume")
			assert.Zero(t, srv.OrderCount())

			// -new-order goes on with a new order.
			r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-new-order")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, 1, srv.OrderCount())
		})
	}
}

func TestUnknownOrderIsOnlyARefusedOrderID(t *testing.T) {
	t.Parallel()
	describe := func(status int, code string) error {
		return fmt.Errorf("alicert: Obtain: %w", &alicert.APIError{Operation: "DescribeCertificateState", StatusCode: status, Code: code})
	}
	assert.True(t, unknownOrder(describe(400, "InvalidParameter")))
	assert.True(t, unknownOrder(describe(404, "OrderNotFound")))
	for _, err := range []error{
		describe(400, "Throttling.User"),
		describe(403, "Forbidden.RAM"),
		describe(400, "SignatureDoesNotMatch"),
		describe(404, "InvalidAccessKeyId.NotFound"),
		describe(500, "InternalError"),
		&alicert.APIError{Operation: "AddDomainRecord", StatusCode: 400, Code: "InvalidParameter"},
		errors.New("connection reset"),
	} {
		assert.False(t, unknownOrder(err), "%v", err)
	}
}

// fakeIssued returns a certificate PEM for domain that srv's test CA
// issued, valid for validity.
func fakeIssued(t *testing.T, srv *alicerttest.Server, domain string, validity time.Duration) []byte {
	t.Helper()
	cert, _ := fakePair(t, srv, domain, validity)
	return cert
}

// fakePair returns a certificate PEM for domain that srv's test CA issued,
// valid for validity, and its private key PEM.
func fakePair(t *testing.T, srv *alicerttest.Server, domain string, validity time.Duration) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
	}, k)
	require.NoError(t, err)
	c, err := srv.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), validity)
	require.NoError(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return []byte(c), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// writePair writes cert.pem, fullchain.pem and key.pem into dir as plain
// files, as an earlier alicert or a person did.
func writePair(t *testing.T, dir string, cert, key []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), cert, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.FullchainFile), cert, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.KeyFile), key, 0o600))
}

func TestObtainCountsOnlyACertificateForTheDomain(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	year := 365 * 24 * time.Hour

	// A valid certificate for another name is not "nothing to do", and
	// is not replaced either: the run stops before ordering.
	dir := t.TempDir()
	other := fakeIssued(t, srv, "other.example.com", year)
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), other, 0o644))
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "holds a certificate for other.example.com, not example.com")
	assert.Zero(t, srv.OrderCount())
	got, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, other, got)

	// A wildcard certificate counts for the wildcard.
	dir = t.TempDir()
	cert, key := fakePair(t, srv, "*.example.com", year)
	writePair(t, dir, cert, key)
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "*.example.com", "-product", "geotrust-dv-w-starter", "-out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "nothing to do")
	assert.Zero(t, srv.OrderCount())
}

func TestObtainReportsABrokenCertificateFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), []byte("-----BEGIN CERTIFICATE-----\ntruncated"), 0o644))
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, filepath.Join(dir, store.CertFile))
	assert.Zero(t, srv.OrderCount(), "nothing is ordered while cert.pem cannot be read")
	assert.NoFileExists(t, filepath.Join(dir, store.KeyFile))
}

func TestObtainFakeAndRealRunsDoNotMix(t *testing.T) {
	t.Parallel()
	srv := newFake(t)

	// A real run refuses the state of a -fake run: its order exists only
	// in the fake. It stops before any call.
	dir := t.TempDir()
	require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", OrderID: 7, Fake: true}))
	r := runCmd(t, nil, "obtain", "-domain", "example.com", "-out", dir, "-username", "A", "-phone", "1", "-email", "a@example.com")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the state of a -fake run")
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	assert.Equal(t, int64(7), st.OrderID, "the state file is left alone")

	// A -fake run refuses the state of a real run.
	dir = t.TempDir()
	require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", OrderID: 7}))
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the state of a real run")

	// A -fake run never replaces a real certificate, even one due for
	// renewal.
	dir = t.TempDir()
	real := selfSigned(t, time.Now().Add(24*time.Hour))
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), real, 0o644))
	r = runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir)
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-fake never replaces a real certificate")
	got, err := os.ReadFile(filepath.Join(dir, store.CertFile))
	require.NoError(t, err)
	assert.Equal(t, real, got)
	assert.Zero(t, srv.OrderCount())

	// A real run does not take a certificate of the test CA for a valid
	// one: it goes on to order (and would replace it).
	dir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, store.CertFile), fakeIssued(t, srv, "example.com", 365*24*time.Hour), 0o644))
	var stderr strings.Builder
	c := &cli{stdout: io.Discard, stderr: &stderr, now: time.Now}
	run := &obtainRun{c: c, f: &obtainFlags{domain: "example.com", renewWithin: daysValue(30 * day)}}
	leaf, code, stop := run.checkExisting(dir)
	assert.False(t, stop, "code %d: %s", code, stderr.String())
	assert.Nil(t, leaf)
	assert.Contains(t, stderr.String(), "test CA")
}

func TestSubcommandHelpDescribesTheCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"obtain", []string{"cert.pem", "key.pem", "0600", store.StateFile, "-new-order", "outcome unknown",
			"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICERT_USERNAME", "ALICERT_PHONE", "ALICERT_EMAIL", "-lock-wait", ".alicert/live",
			"-timeout bounds the wait", "Exit codes", "4 ", "5 another run"}},
		{"status", []string{"prints the order's state", "DNS record", "certificate"}},
		{"csr", []string{"CSR", "private key", "-key"}},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "help", tc.cmd)
			require.Equal(t, exitOK, r.code)
			out := r.stdout + r.stderr
			flags := strings.Index(out, "\nFlags:\n")
			require.Positive(t, flags, out)
			for _, w := range tc.want {
				i := strings.Index(out, w)
				assert.True(t, i >= 0 && i < flags, "%q is not described before the flags:\n%s", w, out)
			}
		})
	}
}
