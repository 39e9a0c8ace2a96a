package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listedCAs runs pca list -json against srv.
func listedCAs(t *testing.T, srv *alicerttest.Server, args ...string) []listedCA {
	t.Helper()
	r := runCmd(t, srv, append([]string{"pca", "list", "-fake", "-json"}, args...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var got []listedCA
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), r.stdout)
	return got
}

// issueN has srv's sub-CA issue n certificates through the library.
func issueN(t *testing.T, srv *alicerttest.Server, n int) {
	t.Helper()
	cl, err := alicert.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for i := range n {
		csr, err := pcaCSR(key, []string{fmt.Sprintf("host-%03d.internal", i)})
		require.NoError(t, err)
		_, err = cl.PCA.SignCSR(context.Background(), &alicert.SignCSRInput{
			CAIdentifier: srv.PrivateCA().SubCAIdentifier, CSR: csr, Duration: day * 30,
			ExtKeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CustomIdentifier: fmt.Sprintf("n-%d", i),
		})
		require.NoError(t, err)
	}
}

// The CAs, with their quota: a root has none, the sub-CA's goes down by
// one with each certificate.
func TestPCAListShowsTheCAsAndTheirQuota(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	pca := srv.PrivateCA()
	issueN(t, srv, 2)

	cas := listedCAs(t, srv)
	require.Len(t, cas, 2)
	root, sub := cas[0], cas[1]
	assert.Equal(t, pca.RootIdentifier, root.Identifier)
	assert.Equal(t, "ROOT", root.Type)
	assert.Nil(t, root.QuotaLeft, "a root has no certificate quota")
	assert.Equal(t, pca.SubCAIdentifier, sub.Identifier)
	assert.Equal(t, pca.RootIdentifier, sub.ParentIdentifier)
	assert.Equal(t, "SUB_ROOT", sub.Type)
	assert.Equal(t, "ISSUE", sub.Status)
	require.NotNil(t, sub.QuotaLeft)
	assert.Equal(t, int64(998), *sub.QuotaLeft)
	assert.Equal(t, int64(1000), *sub.QuotaTotal)
	assert.Equal(t, int64(2), *sub.Issued)
	assert.Equal(t, jsonTime(pca.SubCA.NotAfter), sub.NotAfter)
	assert.Equal(t, "ECC_256", sub.Algorithm)
	certs, err := alicert.ParseCertificates(root.Certificate)
	require.NoError(t, err)
	assert.True(t, certs[0].Equal(pca.Root), "the JSON holds the CA's certificate")

	// The table: one line a CA, "-" for the root's quota.
	r := runCmd(t, srv, "pca", "list", "-fake")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Regexp(t, `^`+pca.RootIdentifier+`\s+ROOT\s+ISSUE\s+.*\s+-\s+-$`, lines[1])
	assert.Regexp(t, `^`+pca.SubCAIdentifier+`\s+SUB_ROOT\s+ISSUE\s+.*\s+998\s+1000$`, lines[2])

	// -ca keeps one.
	only := listedCAs(t, srv, "-ca", pca.SubCAIdentifier)
	require.Len(t, only, 1)
	assert.Equal(t, pca.SubCAIdentifier, only[0].Identifier)
}

// The certificates, every page of them, one request a page; -ca and
// -custom-id pick among them.
func TestPCAListCertsReadsEveryPage(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	issueN(t, srv, 45)
	got := listedCerts(t, srv)
	require.Len(t, got, 45)
	assert.Equal(t, 3, srv.RequestCount("ListClientCertificate"), "pages of 20")
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.CustomIdentifier] = true
		assert.Equal(t, srv.PrivateCA().SubCAIdentifier, c.CA)
		assert.Equal(t, "ISSUE", c.Status)
		assert.Equal(t, "CLIENT", c.Type)
		assert.Equal(t, []string{c.CommonName}, c.Names)
	}
	assert.Len(t, seen, 45, "each once")

	one := listedCerts(t, srv, "-custom-id", "n-7")
	require.Len(t, one, 1)
	assert.Equal(t, "host-007.internal", one[0].CommonName)
	assert.Empty(t, listedCerts(t, srv, "-ca", srv.PrivateCA().RootIdentifier), "the root issued none")
}

func TestPCAListQuietAndEmpty(t *testing.T) {
	t.Parallel()
	srv := pcaFakeServer(t)
	r := runCmd(t, srv, "pca", "list", "-fake", "-certs", "-q")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout+r.stderr)
	r = runCmd(t, srv, "pca", "list", "-fake", "-certs")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "no certificates\n", r.stdout)
	r = runCmd(t, srv, "pca", "list", "-fake", "-certs", "-json")
	assert.Equal(t, "[]\n", r.stdout)

	bare := newFake(t) // no Private CA at all
	r = runCmd(t, bare, "pca", "list", "-fake")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "no CAs\n", r.stdout)
}

// A service that ignores the page number cannot keep the listing going.
func TestPCAListEndsOnAServiceThatIgnoresThePageNumber(t *testing.T) {
	t.Parallel()
	entries := make([]string, pcaPageSize)
	for i := range entries {
		entries[i] = fmt.Sprintf(`{"Identifier":"c%d","Status":"ISSUE"}`, i)
	}
	page := `{"RequestId":"R","CertificateList":[` + strings.Join(entries, ",") + `],"TotalCount":0}`
	srv := testkit.NewScripted(t, testkit.JSON(200, page))
	r := runCLI(t, scripted(srv), "pca", "list", "-certs", "-json")
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "page 2 repeats page 1")
	assert.Equal(t, 2, srv.Attempts())

	// A page larger than asked for, and more entries than the total.
	big := `{"RequestId":"R","CertificateList":[` + strings.Join(append(entries, `{"Identifier":"x"}`), ",") + `]}`
	r = runCLI(t, scripted(testkit.NewScripted(t, testkit.JSON(200, big))), "pca", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "more than the 20 asked for")
	over := `{"RequestId":"R","CertificateList":[` + strings.Join(entries[:3], ",") + `],"TotalCount":2}`
	r = runCLI(t, scripted(testkit.NewScripted(t, testkit.JSON(200, over))), "pca", "list", "-certs")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "more than the total of 2")
}

func TestPCAListUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-custom-id", "x"}, "-custom-id needs -certs"},
		{[]string{"-ca", "a b"}, "-ca"},
		{[]string{"-timeout", "0s"}, "-timeout"},
		{[]string{"-nope"}, "-nope"},
		{[]string{"extra"}, `"extra"`},
	} {
		srv := testkit.NewScripted(t)
		r := runCLI(t, scripted(srv), append([]string{"pca", "list"}, tc.args...)...)
		usageLine(t, r, "pca list", tc.flag)
		assert.Zero(t, srv.Attempts())
	}
}
