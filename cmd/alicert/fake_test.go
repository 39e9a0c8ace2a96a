package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The helpers of the certificate verbs' tests.

// usageLine asserts a usage error: exit 2, one line on stderr naming the
// command and the flag, nothing on stdout.
func usageLine(t *testing.T, r result, verb, flag string) {
	t.Helper()
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "alicert "+verb+": "), r.stderr)
	assert.Contains(t, r.stderr, flag)
}

// ownCSR returns a new P-256 key, its CSR for domain and the key as PEM.
func ownCSR(t *testing.T, domain string) (key *ecdsa.PrivateKey, csrPEM string, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
	}, key)
	require.NoError(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// signedPair writes a certificate for domain the fake's CA signed and its
// key into dir, and returns their paths.
func signedPair(t *testing.T, srv *alicerttest.Server, dir, domain string) (certPath, keyPath string) {
	t.Helper()
	_, csr, key := ownCSR(t, domain)
	cert, err := srv.SignCSR(csr, 90*24*time.Hour)
	require.NoError(t, err)
	certPath, keyPath = filepath.Join(dir, domain+".crt"), filepath.Join(dir, domain+".key")
	require.NoError(t, os.WriteFile(certPath, []byte(cert), 0o644))
	require.NoError(t, os.WriteFile(keyPath, key, 0o600))
	return certPath, keyPath
}

// seed adds a certificate for domain to srv that ends in ends from now.
func seed(srv *alicerttest.Server, domain string, ends time.Duration, upload bool) int64 {
	end := time.Now().Add(ends)
	return srv.SeedCertificate(alicerttest.SeedCertificate{
		Name: strings.Split(domain, ".")[0], Domain: domain, NotBefore: end.Add(-90 * 24 * time.Hour), NotAfter: end, Upload: upload,
	})
}
