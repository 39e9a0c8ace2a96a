package alicert_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isLeaf issues, from a throw-away CA, a certificate for names with key's
// public key, and returns it followed by the CA certificate, as PEM.
func isLeaf(t *testing.T, key crypto.Signer, cn string, names ...string) string {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Issued Test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject: pkix.Name{CommonName: cn}, DNSNames: names, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)},
		ca, key.Public(), caKey)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
}

func isKeyPEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func isECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// isNoDNS is a DNSProvider that publishes nothing: the orders here are
// issued already.
type isNoDNS struct{}

func (isNoDNS) Present(context.Context, alicert.DNSRecord) error { return nil }
func (isNoDNS) CleanUp(context.Context, alicert.DNSRecord) error { return nil }

// isObtain resumes an order that a scripted service reports issued with
// certPEM and keyPEM.
func isObtain(t *testing.T, domain, certPEM, keyPEM string) (*alicert.ObtainOutput, error) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"RequestId": "R", "Type": "certificate", "ValidateType": "DNS",
		"Certificate": certPEM, "PrivateKey": keyPEM, "CertId": "12345"})
	require.NoError(t, err)
	c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithCASEndpoint(rdServe(t, string(body))))
	require.NoError(t, err)
	return c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: domain, OrderID: 42, DNS: isNoDNS{}, PollInterval: time.Millisecond})
}

func TestObtainRefusesACertificateForAnotherDomain(t *testing.T) {
	t.Parallel()
	key := isECKey(t)
	for _, tc := range []struct {
		name, domain, cn string
		sans             []string
	}{
		{"another name", "a.example.com", "b.example.com", []string{"b.example.com"}},
		{"the name only in the common name", "a.example.com", "a.example.com", nil},
		{"the parent only", "a.example.com", "example.com", []string{"example.com", "www.example.com"}},
		{"a wildcard one level up", "a.b.example.com", "*.example.com", []string{"*.example.com"}},
		{"a wildcard order answered with single names", "*.example.com", "example.com", []string{"example.com", "www.example.com"}},
		{"a wildcard of another domain", "*.example.com", "*.example.org", []string{"*.example.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := isObtain(t, tc.domain, isLeaf(t, key, tc.cn, tc.sans...), isKeyPEM(t, key))
			require.Error(t, err)
			assert.Nil(t, out, "no output for a certificate that cannot serve the domain")
			assert.Contains(t, err.Error(), "order 42")
			assert.Contains(t, err.Error(), `does not cover "`+tc.domain+`"`)
		})
	}
}

func TestObtainAcceptsACertificateThatCoversTheDomain(t *testing.T) {
	t.Parallel()
	key := isECKey(t)
	for _, tc := range []struct {
		name, domain string
		sans         []string
	}{
		{"the name", "www.example.com", []string{"www.example.com"}},
		{"among others", "www.example.com", []string{"example.com", "WWW.Example.COM"}},
		{"a wildcard of the parent", "www.example.com", []string{"*.example.com"}},
		{"the wildcard ordered", "*.example.com", []string{"example.com", "*.example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := isObtain(t, tc.domain, isLeaf(t, key, "cn", tc.sans...), isKeyPEM(t, key))
			require.NoError(t, err)
			assert.Equal(t, int64(42), out.OrderID)
			assert.Equal(t, tc.sans, out.Leaf().DNSNames)
		})
	}
}

func TestObtainRefusesAKeyThatDoesNotMatch(t *testing.T) {
	t.Parallel()
	key, other := isECKey(t), isECKey(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	cert := isLeaf(t, key, "example.com", "example.com")
	for _, tc := range []struct{ name, key, want string }{
		{"another key", isKeyPEM(t, other), "does not belong to the issued certificate"},
		{"another kind of key", isKeyPEM(t, rsaKey), "does not belong to the issued certificate"},
		{"not PEM", "this is not a key", "the issued private key is unusable: it is not PEM"},
		{"a certificate", cert, `its PEM block is "CERTIFICATE", not a private key`},
		{"bad DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "block does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := isObtain(t, "example.com", cert, tc.key)
			require.Error(t, err)
			assert.Nil(t, out, "no output for a key that cannot serve the certificate")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "order 42")
			assert.NotContains(t, err.Error(), "PRIVATE KEY-----", "the error quotes no key")
			if body := strings.Split(tc.key, "\n"); len(body) > 2 {
				assert.NotContains(t, err.Error(), body[1][:min(len(body[1]), 40)])
			}
		})
	}
}

func TestObtainQuotesTheNamesOfAForeignCertificate(t *testing.T) {
	t.Parallel()
	key := isECKey(t)
	// A name with a terminal escape sequence: printed raw, it would
	// recolour (or worse) the user's terminal.
	out, err := isObtain(t, "example.com", isLeaf(t, key, "x", "evil\x1b[31m.example.com"), isKeyPEM(t, key))
	require.Error(t, err)
	assert.Nil(t, out)
	assert.NotContains(t, err.Error(), "\x1b")
	assert.Contains(t, err.Error(), `"evil\x1b[31m.example.com"`)
}

func TestObtainWildcardWithTheFake(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t, alicerttest.WithDNSCheck())
	in := obInput("*.example.com", alicert.NewAlidnsProvider(c), &obEvents{})
	in.ProductCode = "geotrust-dv-w-starter"
	out, err := c.CAS.Obtain(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, []string{"*.example.com"}, out.Leaf().DNSNames)
	assert.Empty(t, srv.DNSRecords())
}

func TestObtainRefusesAValidationRecordOfAnotherDomainForANewOrder(t *testing.T) {
	t.Parallel()
	// A new order (not a resume) whose service names a record of another
	// domain: publishing it could never validate the order.
	url := rdServe(t, `{"RequestId":"R","OrderId":98987582437920969}`,
		`{"RequestId":"R","Type":"domain_verify","ValidateType":"DNS","RecordType":"TXT","RecordDomain":"_dnsauth.a.example.com","RecordValue":"tok"}`)
	c, err := alicert.NewClient(alicert.WithAccessKey("id", "secret"), alicert.WithCASEndpoint(url))
	require.NoError(t, err)
	rec := &obRecorder{}
	out, err := c.CAS.Obtain(t.Context(), &alicert.ObtainInput{Domain: "b.example.com", DNS: rec, PollInterval: time.Millisecond,
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"})
	require.Error(t, err)
	assert.Nil(t, out)
	assert.Contains(t, err.Error(), `record "_dnsauth.a.example.com" is not under "b.example.com"`)
	assert.Empty(t, rec.records, "nothing is presented")
}

func TestCoversDomain(t *testing.T) {
	t.Parallel()
	leaf := &x509.Certificate{DNSNames: []string{"*.example.com", "Example.com"}}
	for domain, want := range map[string]bool{
		"example.com": true, "www.example.com": true, "WWW.example.com": true, "*.example.com": true,
		"a.b.example.com": false, "*.www.example.com": false, "example.org": false,
	} {
		assert.Equal(t, want, alicert.CoversDomain(leaf, domain), domain)
	}
	assert.False(t, alicert.CoversDomain(nil, "example.com"))
	assert.False(t, alicert.CoversDomain(&x509.Certificate{DNSNames: []string{"www.example.com"}}, "*.example.com"),
		"single names never cover a wildcard")
}
