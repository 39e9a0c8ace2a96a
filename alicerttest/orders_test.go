package alicerttest_test

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createOrder applies for a certificate through the client.
func createOrder(t *testing.T, c *alicert.Client, domain string, vt alicert.ValidateType) int64 {
	t.Helper()
	in := &alicert.CreateCertificateRequestInput{Domain: domain, ValidateType: vt,
		Username: "Tom", Phone: "1390000****", Email: "tom@example.com"}
	if domain[0] == '*' {
		in.ProductCode = "geotrust-dv-w-starter"
	}
	out, err := c.CAS.CreateCertificateRequest(t.Context(), in)
	require.NoError(t, err)
	return out.OrderID
}

// states reads an order n times and returns the states seen.
func states(t *testing.T, c *alicert.Client, id int64, n int) []alicert.CertificateState {
	t.Helper()
	var seen []alicert.CertificateState
	for range n {
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
		require.NoError(t, err)
		seen = append(seen, out.State)
	}
	return seen
}

func TestOrderIDsAbove2To53RoundTrip(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ids := map[int64]bool{}
	for range 5 {
		id := createOrder(t, c, "www.example.com", alicert.ValidateDNS)
		require.Greater(t, id, int64(1)<<53)
		require.False(t, ids[id], "order id %d repeats", id)
		ids[id] = true
		// A float64 would round the id; the server looks up the exact id,
		// so an answer proves it came back unchanged.
		require.NotEqual(t, id, int64(float64(id)), "the id %d survives float64, so this test proves nothing", id)
		states(t, c, id, 1)
	}
	// The wire carries the id as a JSON number, as the service does.
	res := raw{params: map[string]string{"Action": "CreateCertificateRequest", "Version": casVersion,
		"Domain": "www.example.com", "ValidateType": "DNS",
		"Username": "Tom", "Phone": "1390000****", "Email": "tom@example.com"}}.send(t, srv)
	require.Equal(t, http.StatusOK, res.status)
	assert.Regexp(t, regexp.MustCompile(`^\{"OrderId":[0-9]{17,19},"RequestId":"[0-9A-F-]{36}"\}$`), string(res.body))
	assert.Equal(t, 6, srv.OrderCount())
	got := srv.OrderIDs()
	require.Len(t, got, 6)
	for i, id := range got {
		if i < 5 {
			assert.True(t, ids[id], "OrderIDs lists %d, which the client never got", id)
		}
		if i > 0 {
			assert.Greater(t, id, got[i-1], "OrderIDs is not oldest first")
		}
	}
	for _, r := range srv.Requests() {
		if r.Action == "DescribeCertificateState" {
			id, err := strconv.ParseInt(r.Params.Get("OrderId"), 10, 64)
			require.NoError(t, err)
			assert.True(t, ids[id], "the client sent order id %d, which the server never issued", id)
		}
	}
}

func TestStateMachine(t *testing.T) {
	t.Parallel()
	const (
		dv   = alicert.StateDomainVerify
		proc = alicert.StateProcess
		cert = alicert.StateCertificate
		fail = alicert.StateVerifyFail
	)
	tests := []struct {
		name   string
		opts   []alicerttest.Option
		domain string
		want   []alicert.CertificateState
	}{
		{"default", nil, "www.example.com", []alicert.CertificateState{dv, proc, cert, cert}},
		{"three reads per state", []alicerttest.Option{alicerttest.WithReadsPerState(3)}, "www.example.com",
			[]alicert.CertificateState{dv, dv, dv, proc, proc, proc, cert, cert}},
		{"immediate issue", []alicerttest.Option{alicerttest.WithImmediateIssue()}, "www.example.com",
			[]alicert.CertificateState{cert, cert}},
		{"verify failure", []alicerttest.Option{alicerttest.WithVerifyFailure("bad.example.com")}, "BAD.example.com",
			[]alicert.CertificateState{dv, proc, fail, fail}},
		{"verify failure of another domain", []alicerttest.Option{alicerttest.WithVerifyFailure("bad.example.com")}, "good.example.com",
			[]alicert.CertificateState{dv, proc, cert}},
		{"immediate verify failure", []alicerttest.Option{alicerttest.WithImmediateIssue(), alicerttest.WithVerifyFailure("*.example.com")},
			"*.example.com", []alicert.CertificateState{fail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.opts...)
			c := newClient(t, srv)
			id := createOrder(t, c, tt.domain, alicert.ValidateDNS)
			assert.Equal(t, tt.want, states(t, c, id, len(tt.want)))
		})
	}
}

func TestOrdersMoveIndependently(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	a := createOrder(t, c, "a.example.com", alicert.ValidateDNS)
	b := createOrder(t, c, "b.example.com", alicert.ValidateDNS)
	assert.Equal(t, []alicert.CertificateState{alicert.StateDomainVerify, alicert.StateProcess}, states(t, c, a, 2))
	assert.Equal(t, []alicert.CertificateState{alicert.StateDomainVerify}, states(t, c, b, 1))
}

func TestDomainValidationDetails(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	describe := func(id int64) *alicert.DescribeCertificateStateOutput {
		out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
		require.NoError(t, err)
		return out
	}

	dns := describe(createOrder(t, c, "*.shop.example.com", alicert.ValidateDNS))
	assert.Equal(t, alicert.StateDomainVerify, dns.State)
	assert.Equal(t, "DNS", dns.ValidateType)
	assert.Equal(t, "TXT", dns.RecordType)
	assert.Equal(t, "_dnsauth.shop.example.com", dns.RecordDomain)
	assert.Regexp(t, `^[0-9a-f]{32}$`, dns.RecordValue)
	assert.Empty(t, dns.URI+dns.Content+dns.Certificate+dns.PrivateKey+dns.CertID, "nothing issued yet")

	file := describe(createOrder(t, c, "www.example.com", alicert.ValidateFile))
	assert.Equal(t, "FILE", file.ValidateType)
	assert.Equal(t, "www.example.com", file.Domain)
	assert.Equal(t, "/.well-known/pki-validation/fileauth.txt", file.URI)
	assert.Regexp(t, `^[0-9a-f]{32}$`, file.Content)
	assert.NotEqual(t, dns.RecordValue, file.Content, "validation tokens repeat")
	assert.Empty(t, file.RecordType+file.RecordDomain+file.RecordValue)
}

func TestIssuedCertificateVerifies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	for _, tt := range []struct{ domain, verifyAs string }{
		{"www.example.com", "www.example.com"},
		{"*.example.com", "api.example.com"},
	} {
		id := createOrder(t, c, tt.domain, alicert.ValidateDNS)
		out, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id},
			alicert.WithPollInterval(time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, alicert.StateCertificate, out.State)

		certs := parseCertificates(t, out.Certificate)
		require.Len(t, certs, 2, "the certificate and its chain")
		assert.True(t, certs[1].Equal(srv.CACertificate()), "the chain is the test CA")
		leaf := certs[0]
		assert.Equal(t, []string{tt.domain}, leaf.DNSNames)
		assert.Equal(t, 90*24*time.Hour+time.Hour, leaf.NotAfter.Sub(leaf.NotBefore))
		_, err = leaf.Verify(x509.VerifyOptions{DNSName: tt.verifyAs, Roots: srv.CAPool()})
		assert.NoError(t, err)
		_, err = leaf.Verify(x509.VerifyOptions{DNSName: "other.test", Roots: srv.CAPool()})
		assert.Error(t, err, "the certificate is valid for a name it does not carry")

		// The key belongs to the certificate.
		_, err = tls.X509KeyPair([]byte(out.Certificate), []byte(out.PrivateKey))
		assert.NoError(t, err)

		// Later reads return the same certificate.
		again, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
		require.NoError(t, err)
		assert.Equal(t, out.Certificate, again.Certificate)

		// The issued certificate has an id of its own, a decimal string
		// (CertId), which is not the order's and stays the same.
		require.NotEmpty(t, out.CertID)
		certID, err := strconv.ParseInt(out.CertID, 10, 64)
		require.NoError(t, err, "CertId %q", out.CertID)
		assert.Positive(t, certID)
		assert.NotEqual(t, id, certID)
		assert.Equal(t, out.CertID, again.CertID)
	}
	// Another server's CA does not vouch for these.
	other := newServer(t)
	id := createOrder(t, c, "www.example.com", alicert.ValidateDNS)
	out, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id},
		alicert.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	_, err = parseCertificates(t, out.Certificate)[0].Verify(x509.VerifyOptions{DNSName: "www.example.com", Roots: other.CAPool()})
	assert.Error(t, err)
}

func TestWaitForCertificateFailsVerification(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithVerifyFailure("www.example.com"))
	c := newClient(t, srv)
	id := createOrder(t, c, "www.example.com", alicert.ValidateFile)
	out, err := c.CAS.WaitForCertificate(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id},
		alicert.WithPollInterval(time.Millisecond))
	assert.True(t, errors.Is(err, alicert.ErrVerifyFailed), "%v", err)
	require.NotNil(t, out)
	assert.Equal(t, alicert.StateVerifyFail, out.State)
	assert.Empty(t, out.Certificate)
}

// TestClockDecidesValidity checks that WithClock sets the issued
// certificates' dates too.
func TestClockDecidesValidity(t *testing.T) {
	t.Parallel()
	now := time.Now().Add(10 * time.Minute).Truncate(time.Second) // inside the 15-minute window
	srv := newServer(t, alicerttest.WithClock(func() time.Time { return now }), alicerttest.WithImmediateIssue())
	c := newClient(t, srv)
	id := createOrder(t, c, "www.example.com", alicert.ValidateDNS)
	out, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: id})
	require.NoError(t, err)
	leaf := parseCertificates(t, out.Certificate)[0]
	assert.Equal(t, now.Add(90*24*time.Hour).UTC(), leaf.NotAfter.UTC())
	for _, r := range srv.Requests() {
		assert.Equal(t, now, r.Time)
	}
}

func parseCertificates(t *testing.T, s string) []*x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		require.Equal(t, "CERTIFICATE", block.Type)
		cert, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		certs = append(certs, cert)
	}
	require.NotEmpty(t, certs, "no certificate in %q", s)
	return certs
}

// publicKeyOf parses a PKCS #8 private key PEM and returns its public key.
func publicKeyOf(t *testing.T, keyPEM string) crypto.PublicKey {
	t.Helper()
	block, _ := pem.Decode([]byte(keyPEM))
	require.NotNil(t, block)
	require.Equal(t, "PRIVATE KEY", block.Type)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	return key.(crypto.Signer).Public()
}

// sameKey reports whether two public keys are equal.
func sameKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
