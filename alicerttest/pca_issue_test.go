package alicerttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leafAnswer is the answer of the server and client creates.
type leafAnswer struct {
	X509Certificate, CertificateChain, Identifier, SerialNumber string
}

// verify checks that cert chains to the seeded root through the seeded
// sub-CA for usage, and returns the chain it found.
func verify(t *testing.T, pca alicerttest.PrivateCA, cert *x509.Certificate, usage x509.ExtKeyUsage, name string) {
	t.Helper()
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots: pca.Roots(), Intermediates: pca.Intermediates(), KeyUsages: []x509.ExtKeyUsage{usage},
		DNSName: name, CurrentTime: cert.NotBefore.Add(time.Minute),
	})
	require.NoError(t, err)
	require.Len(t, chains, 1)
	require.Len(t, chains[0], 3)
	assert.True(t, chains[0][1].Equal(pca.SubCA))
}

// TestPCAServerCertificateVerifies: a server certificate from a CSR chains
// to the root through the sub-CA for server authentication, holds the
// CSR's key, the CSR's common name, the Domain names and the validity
// asked, and is no client certificate.
func TestPCAServerCertificateVerifies(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, key := leafKey(t, "www.example.com", "csr-only.example.com")
	out := pcaOK[leafAnswer](t, srv, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Domain", "www.example.com, api.example.com,10.0.0.1,2001:db8::1", "Days", "30", "Immediately", "2",
		"CommonName", "ignored.example.com", "Organization", "Example Inc", "Country", "CN"))
	cert := pemCerts(t, out.X509Certificate)[0]
	verify(t, pca, cert, x509.ExtKeyUsageServerAuth, "api.example.com")
	_, err := cert.Verify(x509.VerifyOptions{Roots: pca.Roots(), Intermediates: pca.Intermediates(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, CurrentTime: cert.NotBefore})
	assert.Error(t, err, "a server certificate does not authenticate a client")

	assert.True(t, key.PublicKey.Equal(cert.PublicKey), "the CSR's key")
	assert.Equal(t, "www.example.com", cert.Subject.CommonName, "the CSR's CommonName wins")
	assert.Equal(t, []string{"Example Inc"}, cert.Subject.Organization)
	assert.Equal(t, []string{"Aliyun CDN"}, cert.Subject.OrganizationalUnit, "the model's default")
	assert.Equal(t, pca.SubCA.Subject.Locality, cert.Subject.Locality, "the sub-CA's city by default")
	assert.Equal(t, []string{"www.example.com", "api.example.com"}, cert.DNSNames, "Domain, not the CSR's names")
	require.Len(t, cert.IPAddresses, 2)
	assert.True(t, cert.IPAddresses[0].Equal(net.ParseIP("10.0.0.1")))
	assert.Equal(t, 30*24*time.Hour, cert.NotAfter.Sub(cert.NotBefore))
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment, cert.KeyUsage)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, cert.ExtKeyUsage)
	assert.Equal(t, pca.SubCA.SubjectKeyId, cert.AuthorityKeyId)
	assert.Equal(t, cert.SerialNumber.Text(16), strings.TrimPrefix(out.SerialNumber, "0"))
	chain := pemCerts(t, out.CertificateChain)
	require.Len(t, chain, 2, "Immediately 2: the certificate chain")
	assert.True(t, chain[0].Equal(pca.SubCA) && chain[1].Equal(pca.Root))

	csrNames := pcaOK[leafAnswer](t, srv, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "1", "Immediately", "1"))
	assert.Equal(t, []string{"csr-only.example.com"}, pemCerts(t, csrNames.X509Certificate)[0].DNSNames, "without Domain, the CSR's names")
	assert.Empty(t, csrNames.CertificateChain, "Immediately 1: the certificate alone")
}

// TestPCAClientCertificateVerifies: a client certificate authenticates a
// client, with the names of each SanType the fake issues.
func TestPCAClientCertificateVerifies(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, key := leafKey(t, "device-42")
	client := func(pairs ...string) map[string]string {
		return pcaParams("CreateClientCertificateWithCsr", append([]string{"Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
			"Years", "1", "Immediately", "1"}, pairs...)...)
	}
	for _, tc := range []struct {
		sanType, sanValue string
		check             func(t *testing.T, c *x509.Certificate)
	}{
		{"1", "ops@example.com,dev@example.com", func(t *testing.T, c *x509.Certificate) {
			assert.Equal(t, []string{"ops@example.com", "dev@example.com"}, c.EmailAddresses)
		}},
		{"2", "device-42.example.com", func(t *testing.T, c *x509.Certificate) {
			assert.Equal(t, []string{"device-42.example.com"}, c.DNSNames)
		}},
		{"6", "spiffe://example.com/device/42", func(t *testing.T, c *x509.Certificate) {
			require.Len(t, c.URIs, 1)
			assert.Equal(t, "spiffe://example.com/device/42", c.URIs[0].String())
		}},
		{"7", "192.0.2.7", func(t *testing.T, c *x509.Certificate) {
			require.Len(t, c.IPAddresses, 1)
			assert.True(t, c.IPAddresses[0].Equal(net.ParseIP("192.0.2.7")))
		}},
	} {
		t.Run("SanType "+tc.sanType, func(t *testing.T) {
			out := pcaOK[leafAnswer](t, srv, client("SanType", tc.sanType, "SanValue", tc.sanValue))
			cert := pemCerts(t, out.X509Certificate)[0]
			verify(t, pca, cert, x509.ExtKeyUsageClientAuth, "")
			assert.True(t, key.PublicKey.Equal(cert.PublicKey))
			assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, cert.ExtKeyUsage)
			assert.Equal(t, 1, cert.NotAfter.Year()-cert.NotBefore.Year())
			tc.check(t, cert)
		})
	}
	for _, tc := range []struct {
		name        string
		params      map[string]string
		code, param string
	}{
		{"other name", client("SanType", "0", "SanValue", "x"), "InvalidParameter", "SanType"},
		{"directory name", client("SanType", "4", "SanValue", "CN=x"), "InvalidParameter", "SanType"},
		{"SanType 9", client("SanType", "9", "SanValue", "x"), "InvalidParameter", "SanType"},
		{"SanType alone", client("SanType", "2"), "MissingParameter", "SanValue"},
		{"SanValue alone", client("SanValue", "a.example.com"), "MissingParameter", "SanType"},
		{"not an email", client("SanType", "1", "SanValue", "ops"), "InvalidParameter", "SanValue"},
		{"not an IP", client("SanType", "7", "SanValue", "192.0.2"), "InvalidParameter", "SanValue"},
		{"a URI without scheme", client("SanType", "6", "SanValue", "example.com/x"), "InvalidParameter", "SanValue"},
		{"an empty name", client("SanType", "2", "SanValue", "a.example.com,,b.example.com"), "InvalidParameter", "SanValue"},
		{"AsynchronousFlag yes", client("AsynchronousFlag", "yes"), "InvalidParameter", "AsynchronousFlag"},
	} {
		t.Run(tc.name, func(t *testing.T) { pcaRefused(t, srv, tc.params, tc.code, tc.param) })
	}
	async := pcaOK[leafAnswer](t, srv, client("AsynchronousFlag", "true"))
	assert.Empty(t, async.X509Certificate, "issued asynchronously: not in the answer")
	listed := pcaOK[struct {
		CertificateList []struct{ X509Certificate string }
	}](t, srv,
		pcaParams("ListClientCertificate", "Identifier", async.Identifier))
	require.Len(t, listed.CertificateList, 1, "but listed at once")
	assert.NotEmpty(t, listed.CertificateList[0].X509Certificate)
}

// TestPCACustomCertificateIsExactlyWhatWasAsked: CreateCustomCertificate
// takes subject, names, key usage, extended key usage, criticality and
// serial number from ApiPassthrough, flattened as the official client
// sends it.
func TestPCACustomCertificateIsExactlyWhatWasAsked(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, key := leafKey(t, "from-the-csr", "csr.example.com")
	const pt = "ApiPassthrough."
	params := pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Validity", "7d",
		"Immediately", "2", "customIdentifier", "node-7",
		pt+"SerialNumber", "16889526086333",
		pt+"Subject.CommonName", "node-7.mesh.local", pt+"Subject.Country", "CN", pt+"Subject.Organization", "Mesh",
		pt+"Subject.CustomAttributes.1.ObjectIdentifier", "2.5.4.12", pt+"Subject.CustomAttributes.1.Value", "Node",
		pt+"Extensions.KeyUsage.DigitalSignature", "true", pt+"Extensions.KeyUsage.KeyEncipherment", "false",
		pt+"Extensions.KeyUsage.NonRepudiation", "true",
		pt+"Extensions.ExtendedKeyUsages.1", "serverAuth", pt+"Extensions.ExtendedKeyUsages.2", "clientAuth",
		pt+"Extensions.SubjectAlternativeNames.1.Type", "dNSName", pt+"Extensions.SubjectAlternativeNames.1.Value", "node-7.mesh.local",
		pt+"Extensions.SubjectAlternativeNames.2.Type", "iPAddress", pt+"Extensions.SubjectAlternativeNames.2.Value", "10.1.2.3",
		pt+"Extensions.SubjectAlternativeNames.3.Type", "uniformResourceIdentifier", pt+"Extensions.SubjectAlternativeNames.3.Value", "spiffe://mesh/node-7",
		pt+"Extensions.SubjectAlternativeNames.4.Type", "rfc822Name", pt+"Extensions.SubjectAlternativeNames.4.Value", "ops@example.com",
		pt+"Extensions.Criticals.1", "extendedKeyUsage")
	out := pcaOK[struct{ Certificate, CertificateChain, Identifier, SerialNumber string }](t, srv, params)
	cert := pemCerts(t, out.Certificate)[0]
	verify(t, pca, cert, x509.ExtKeyUsageServerAuth, "node-7.mesh.local")
	verify(t, pca, cert, x509.ExtKeyUsageClientAuth, "")
	assert.True(t, key.PublicKey.Equal(cert.PublicKey))
	assert.Equal(t, big.NewInt(16889526086333), cert.SerialNumber)
	assert.Equal(t, strconv.FormatInt(16889526086333, 16), strings.TrimPrefix(out.SerialNumber, "0"))
	assert.Equal(t, "node-7.mesh.local", cert.Subject.CommonName, "the passthrough subject, not the CSR's")
	assert.Empty(t, cert.Subject.Locality, "only what was passed")
	assert.Contains(t, cert.Subject.Names, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 12}, Value: "Node"},
		"the custom attribute")
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, cert.KeyUsage)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, cert.ExtKeyUsage)
	assert.Equal(t, []string{"node-7.mesh.local"}, cert.DNSNames)
	assert.Equal(t, []string{"ops@example.com"}, cert.EmailAddresses)
	require.Len(t, cert.URIs, 1)
	assert.Equal(t, "spiffe://mesh/node-7", cert.URIs[0].String())
	require.Len(t, cert.IPAddresses, 1)
	assert.True(t, cert.IPAddresses[0].Equal(net.ParseIP("10.1.2.3")))
	critical := map[string]bool{}
	for _, ext := range cert.Extensions {
		critical[ext.Id.String()] = ext.Critical
	}
	assert.Equal(t, map[string]bool{"2.5.29.15": false, "2.5.29.37": true, "2.5.29.17": false},
		map[string]bool{"2.5.29.15": critical["2.5.29.15"], "2.5.29.37": critical["2.5.29.37"], "2.5.29.17": critical["2.5.29.17"]},
		"critical exactly as Criticals lists")
	assert.Equal(t, 7*24*time.Hour, cert.NotAfter.Sub(cert.NotBefore))
	assert.Len(t, pemCerts(t, out.CertificateChain), 2)

	// Nothing passed: the CSR's subject and names, no usage at all.
	plain := pcaOK[struct{ Certificate, Identifier string }](t, srv, pcaParams("CreateCustomCertificate", "Csr", csr,
		"ParentIdentifier", pca.SubCAIdentifier, "Validity", "2030-01-02T03:04:05Z", "Immediately", "1"))
	bare := pemCerts(t, plain.Certificate)[0]
	assert.Equal(t, parseCSR(t, csr).RawSubject, bare.RawSubject)
	assert.Equal(t, []string{"csr.example.com"}, bare.DNSNames)
	assert.Zero(t, bare.KeyUsage)
	assert.Empty(t, bare.ExtKeyUsage)
	assert.Equal(t, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), bare.NotAfter.UTC(), "an absolute end")

	window := pcaOK[struct{ Certificate, SerialNumber string }](t, srv, pcaParams("CreateCustomCertificate", "Csr", csr,
		"ParentIdentifier", pca.SubCAIdentifier, "Validity", "2027-01-01T00:00:00Z/2028-01-01T00:00:00Z", "Immediately", "1"))
	w := pemCerts(t, window.Certificate)[0]
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), w.NotBefore.UTC())
	assert.Equal(t, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), w.NotAfter.UTC())

	later := pcaOK[struct{ Certificate, CertificateChain, Identifier, SerialNumber string }](t, srv, pcaParams("CreateCustomCertificate",
		"Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Validity", "3m"))
	assert.Empty(t, later.Certificate+later.CertificateChain+later.SerialNumber, "Immediately 0: the identifier alone")
	assert.NotEmpty(t, later.Identifier)

	custom := pcaOK[struct {
		Certificate struct{ CustomIdentifier, CertificateType string }
	}](t, srv,
		pcaParams("DescribeClientCertificate", "Identifier", out.Identifier))
	assert.Equal(t, "node-7", custom.Certificate.CustomIdentifier, "customIdentifier is stored")
	assert.Equal(t, "SERVER", custom.Certificate.CertificateType)

	for _, tc := range []struct {
		name, key, value, code string
	}{
		{"an unknown field", pt + "Subject.Email", "a@example.com", "InvalidParameter"},
		{"ApiPassthrough as JSON", "ApiPassthrough", `{"Subject":{}}`, "InvalidParameter"},
		{"an unknown usage", pt + "Extensions.ExtendedKeyUsages.1", "smartcardLogon", "InvalidParameter"},
		{"an unknown critical", pt + "Extensions.Criticals.1", "basicConstraints", "InvalidParameter"},
		{"a key usage of yes", pt + "Extensions.KeyUsage.DigitalSignature", "yes", "InvalidParameter"},
		{"a SAN of type otherName", pt + "Extensions.SubjectAlternativeNames.1.Type", "otherName", "InvalidParameter"},
		{"a serial that is no long", pt + "SerialNumber", "0x10", "InvalidParameter"},
		{"a country of three letters", pt + "Subject.Country", "CHN", "InvalidParameter"},
		{"a bad object identifier", pt + "Subject.CustomAttributes.1.ObjectIdentifier", "2.5.x", "InvalidParameter"},
		{"a relative validity in weeks", "Validity", "2w", "InvalidParameter"},
		{"a validity ending before it begins", "Validity", "2028-01-01T00:00:00Z/2027-01-01T00:00:00Z", "InvalidParameter"},
		{"a validity in local time", "Validity", "2028-01-01T00:00:00+08:00", "InvalidParameter"},
		{"a validity beyond the sub-CA", "Validity", "20y", "InvalidParameter"},
		{"Immediately 3", "Immediately", "3", "InvalidParameter"},
		{"EnableCrl 2", "EnableCrl", "2", "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Validity", "1d", tc.key, tc.value)
			pcaRefused(t, srv, p, tc.code, tc.key)
		})
	}
}

// TestPCAValidityFollowsTheModel: Days wins over BeforeTime/AfterTime,
// which come in pairs; the validity never passes the sub-CA's.
func TestPCAValidityFollowsTheModel(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	srv := newServer(t, alicerttest.WithPrivateCA(), alicerttest.WithClock(func() time.Time { return now }))
	pca := srv.PrivateCA()
	csr, _ := leafKey(t, "v.example.com")
	server := func(pairs ...string) map[string]string {
		return pcaParams("CreateServerCertificateWithCsr", append([]string{"Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Immediately", "1"}, pairs...)...)
	}
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	from, to := now.Add(48*time.Hour), now.Add(96*time.Hour)
	for _, tc := range []struct {
		name                string
		params              map[string]string
		notBefore, notAfter time.Time
	}{
		{"Days", server("Days", "10"), now, now.AddDate(0, 0, 10)},
		{"Days wins", server("Days", "10", "BeforeTime", unix(from), "AfterTime", unix(to)), now, now.AddDate(0, 0, 10)},
		{"BeforeTime and AfterTime", server("BeforeTime", unix(from), "AfterTime", unix(to)), from, to},
		{"Months", server("Months", "3"), now, now.AddDate(0, 3, 0)},
		{"Years", server("Years", "2"), now, now.AddDate(2, 0, 0)},
		{"up to the sub-CA's end", server("BeforeTime", unix(now), "AfterTime", unix(pca.SubCA.NotAfter)), now, pca.SubCA.NotAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := pemCerts(t, pcaOK[leafAnswer](t, srv, tc.params).X509Certificate)[0]
			assert.Equal(t, tc.notBefore.Unix(), cert.NotBefore.Unix())
			assert.Equal(t, tc.notAfter.Unix(), cert.NotAfter.Unix())
		})
	}
	for _, tc := range []struct {
		name        string
		params      map[string]string
		code, param string
	}{
		{"no validity", server(), "MissingParameter", "Days"},
		{"BeforeTime alone", server("BeforeTime", unix(from)), "MissingParameter", "AfterTime"},
		{"AfterTime alone", server("Days", "1", "AfterTime", unix(to)), "MissingParameter", "BeforeTime"},
		{"AfterTime before BeforeTime", server("BeforeTime", unix(to), "AfterTime", unix(from)), "InvalidParameter", "AfterTime"},
		{"a day past the sub-CA", server("BeforeTime", unix(now), "AfterTime", unix(pca.SubCA.NotAfter.Add(24*time.Hour))), "InvalidParameter", "AfterTime"},
		{"before the sub-CA", server("BeforeTime", unix(now.Add(-time.Hour)), "AfterTime", unix(to)), "InvalidParameter", "AfterTime"},
		{"Days past the sub-CA", server("Days", "2000"), "InvalidParameter", "Days"},
		{"Years past the sub-CA", server("Years", "6"), "InvalidParameter", "Years"},
		{"Days 0", server("Days", "0"), "InvalidParameter", "Days"},
		{"Days in words", server("Days", "ten"), "InvalidParameter", "Days"},
		{"a year-10000 AfterTime", server("BeforeTime", unix(now), "AfterTime", "253402300800"), "InvalidParameter", "AfterTime"},
	} {
		t.Run(tc.name, func(t *testing.T) { pcaRefused(t, srv, tc.params, tc.code, tc.param) })
	}
}

// TestPCAChecksTheCSRAndTheIssuer: a CSR that is not one, or whose
// signature fails, is refused; so is a key or Algorithm of another family
// than the sub-CA's, and an issuer that is a root or unknown.
func TestPCAChecksTheCSRAndTheIssuer(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	good, _ := leafKey(t, "c.example.com")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	rsaCSR := csrFor(t, rsaKey, "rsa.example.com")
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	tampered := tamperCSR(t, good)
	server := func(pairs ...string) map[string]string {
		return pcaParams("CreateServerCertificateWithCsr", append([]string{"Csr", good, "ParentIdentifier", pca.SubCAIdentifier, "Days", "1"}, pairs...)...)
	}
	for _, tc := range []struct {
		name   string
		params map[string]string
		param  string
	}{
		{"not PEM", server("Csr", "hello"), "Csr"},
		{"a certificate", server("Csr", pemOf("CERTIFICATE", pca.SubCA.Raw)), "Csr"},
		{"a bad signature", server("Csr", tampered), "Csr"},
		{"an RSA key for an ECC sub-CA", server("Csr", rsaCSR), "Csr"},
		{"Algorithm RSA_2048 for an ECC sub-CA", server("Algorithm", "RSA_2048"), "Algorithm"},
		{"Algorithm ECC_521", server("Algorithm", "ECC_521"), "Algorithm"},
		{"a root as issuer", server("ParentIdentifier", pca.RootIdentifier), "ParentIdentifier"},
		{"an unknown issuer", server("ParentIdentifier", "ffffffffffffffffffffffffffffffff"), "ParentIdentifier"},
		{"a domain with a space", server("Domain", "a b.example.com"), "Domain"},
		{"an empty domain", server("Domain", "a.example.com,"), "Domain"},
		{"a wildcard inside", server("Domain", "a.*.example.com"), "Domain"},
		{"Immediately -1", server("Immediately", "-1"), "Immediately"},
		{"a misspelt tag", server("Tags.1.Name", "v"), "Tags.1.Name"},
	} {
		t.Run(tc.name, func(t *testing.T) { pcaRefused(t, srv, tc.params, "InvalidParameter", tc.param) })
	}
	p384CSR := csrFor(t, p384, "p384.example.com")
	ok := pcaOK[leafAnswer](t, srv, server("Csr", p384CSR, "Algorithm", "ECC_384", "Immediately", "1", "Domain", "*.example.com"))
	cert := pemCerts(t, ok.X509Certificate)[0]
	assert.Equal(t, []string{"*.example.com"}, cert.DNSNames)
	verify(t, pca, cert, x509.ExtKeyUsageServerAuth, "www.example.com")
	d := pcaOK[struct {
		Certificate struct {
			Algorithm, FullAlgorithm string
			KeySize                  int32
		}
	}](t, srv,
		pcaParams("DescribeClientCertificate", "Identifier", ok.Identifier)).Certificate
	assert.Equal(t, []any{"ECC", "ECC_384", int32(384)}, []any{d.Algorithm, d.FullAlgorithm, d.KeySize})
}

// tamperCSR flips a bit of a CSR's signature.
func tamperCSR(t *testing.T, csrPEM string) string {
	t.Helper()
	csr := parseCSR(t, csrPEM)
	var raw struct {
		Info      asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	_, err := asn1.Unmarshal(csr.Raw, &raw)
	require.NoError(t, err)
	raw.Signature.Bytes[len(raw.Signature.Bytes)-1] ^= 1
	der, err := asn1.Marshal(raw)
	require.NoError(t, err)
	return pemOf("CERTIFICATE REQUEST", der)
}

// TestPCAQuotaRunsOut: each certificate takes one of the sub-CA's quota;
// at none left the sub-CA refuses, and DescribeCACertificate counts.
func TestPCAQuotaRunsOut(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	require.NoError(t, srv.SetSubCAQuota(pca.SubCAIdentifier, 2))
	assert.Error(t, srv.SetSubCAQuota(pca.RootIdentifier, 2), "a root has no quota")
	assert.Error(t, srv.SetSubCAQuota("nope", 2))
	assert.Error(t, srv.SetSubCAQuota(pca.SubCAIdentifier, -1))
	csr, _ := leafKey(t, "q.example.com")
	server := pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Days", "1")
	pcaOK[leafAnswer](t, srv, server)
	pcaOK[leafAnswer](t, srv, with(server, "Action", "CreateClientCertificateWithCsr"))
	pcaRefused(t, srv, with(server, "Action", "CreateCustomCertificate", "Validity", "1d"), "QuotaExhausted.Certificate", "")
	pcaRefused(t, srv, server, "QuotaExhausted.Certificate", "")
	d := describeCA(t, srv, pca.SubCAIdentifier)
	assert.Equal(t, []int64{2, 0, 2}, []int64{d.CertTotalCount, d.CertRemainingCount, d.CertIssuedCount})
	require.NoError(t, srv.SetSubCAQuota(pca.SubCAIdentifier, 3))
	pcaOK[leafAnswer](t, srv, server)
	list := pcaOK[struct{ TotalCount int64 }](t, srv, pcaParams("ListClientCertificate"))
	assert.Equal(t, int64(3), list.TotalCount)
}

// TestPCACustomIdentifierIsUnique: the models call CustomIdentifier "a
// unique key"; a second certificate with one already used is refused,
// whichever create it comes through, and takes no quota.
func TestPCACustomIdentifierIsUnique(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, _ := leafKey(t, "u.example.com")
	first := pcaOK[leafAnswer](t, srv, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "1", "CustomIdentifier", "web-1"))
	pcaRefused(t, srv, pcaParams("CreateClientCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "1", "CustomIdentifier", "web-1"), "CustomIdentifierRepeat", "CustomIdentifier")
	pcaRefused(t, srv, pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Validity", "1d", "customIdentifier", "web-1"), "CustomIdentifierRepeat", "customIdentifier")
	other := pcaOK[leafAnswer](t, srv, pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Validity", "1d", "customIdentifier", "web-2", "CustomIdentifier", "web-1"))
	assert.NotEmpty(t, other.Identifier, "CreateCustomCertificate's key is customIdentifier")

	list := pcaOK[struct {
		CertificateList []struct{ Identifier, CustomIdentifier string }
		TotalCount      int64
	}](t, srv, pcaParams("ListClientCertificate"))
	require.Equal(t, int64(2), list.TotalCount)
	assert.Equal(t, first.Identifier, list.CertificateList[0].Identifier)
	assert.Equal(t, "web-1", list.CertificateList[0].CustomIdentifier)
	assert.Equal(t, "web-2", list.CertificateList[1].CustomIdentifier)
	assert.Equal(t, int64(2), describeCA(t, srv, pca.SubCAIdentifier).CertIssuedCount)
}

// TestPCARevocationShowsInTheList: a revoked certificate is REVOKE in its
// description and listed with its revocation date; a second revocation
// and an unknown certificate are refused.
func TestPCARevocationShowsInTheList(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	srv := newServer(t, alicerttest.WithPrivateCA(), alicerttest.WithClock(func() time.Time { return now }))
	pca := srv.PrivateCA()
	csr, _ := leafKey(t, "r.example.com")
	var ids []string
	for i := range 3 {
		out := pcaOK[leafAnswer](t, srv, pcaParams("CreateClientCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
			"Days", "30", "CustomIdentifier", "dev-"+strconv.Itoa(i), "SanType", "2", "SanValue", "r.example.com"))
		ids = append(ids, out.Identifier)
	}
	type revoked struct {
		CertificateList []struct {
			Identifier, CustomIdentifier, Status, RevokeDate, BeforeDate, AfterDate, CertificateType, Sans string
		}
		TotalCount int64
		PageCount  int32
	}
	empty := pcaOK[revoked](t, srv, pcaParams("ListRevokeCertificate"))
	assert.Zero(t, empty.TotalCount)
	assert.NotNil(t, empty.CertificateList, "an empty list is []")

	pcaOK[struct{ RequestId string }](t, srv, pcaParams("CreateRevokeClientCertificate", "Identifier", ids[1]))
	list := pcaOK[revoked](t, srv, pcaParams("ListRevokeCertificate"))
	require.Equal(t, int64(1), list.TotalCount)
	e := list.CertificateList[0]
	assert.Equal(t, ids[1], e.Identifier)
	assert.Equal(t, "dev-1", e.CustomIdentifier)
	assert.Equal(t, "REVOKE", e.Status)
	assert.Equal(t, "CLIENT", e.CertificateType)
	assert.Equal(t, now.Format("2006-01-02T15:04Z"), e.RevokeDate, "yyyy-MM-ddTHH:mmZ")
	assert.Equal(t, now.Format("2006-01-02T15:04Z"), e.BeforeDate)
	assert.Equal(t, now.AddDate(0, 0, 30).Format("2006-01-02T15:04Z"), e.AfterDate)
	assert.JSONEq(t, `[{"Type":2,"Value":"r.example.com"}]`, e.Sans)

	d := pcaOK[struct{ Certificate struct{ Status string } }](t, srv, pcaParams("DescribeClientCertificate", "Identifier", ids[1]))
	assert.Equal(t, "REVOKE", d.Certificate.Status)
	d = pcaOK[struct{ Certificate struct{ Status string } }](t, srv, pcaParams("DescribeClientCertificate", "Identifier", ids[0]))
	assert.Equal(t, "ISSUE", d.Certificate.Status)
	pcaRefused(t, srv, pcaParams("CreateRevokeClientCertificate", "Identifier", ids[1]), "IncorrectOrderStatus", "")
	pcaRefused(t, srv, pcaParams("CreateRevokeClientCertificate", "Identifier", pca.SubCAIdentifier), "InvalidParameter", "Identifier")
	pcaRefused(t, srv, pcaParams("DescribeClientCertificate", "Identifier", "ffffffffffffffffffffffffffffffff"), "InvalidParameter", "Identifier")
	pcaOK[struct{ RequestId string }](t, srv, pcaParams("CreateRevokeClientCertificate", "Identifier", ids[2]))
	page := pcaOK[revoked](t, srv, pcaParams("ListRevokeCertificate", "ShowSize", "1", "CurrentPage", "2"))
	require.Len(t, page.CertificateList, 1)
	assert.Equal(t, ids[2], page.CertificateList[0].Identifier)
	assert.Equal(t, []any{int64(2), int32(2)}, []any{page.TotalCount, page.PageCount})
}

// TestPCAListsCertificatesByPage: ListClientCertificate pages, 20 by
// default, filters by Identifier, and describes each certificate with
// its model's fields (dates in milliseconds, Sans as a JSON text).
func TestPCAListsCertificatesByPage(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, _ := leafKey(t, "l.example.com")
	var ids []string
	for i := range 5 {
		out := pcaOK[leafAnswer](t, srv, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
			"Days", strconv.Itoa(10+i), "Domain", "l"+strconv.Itoa(i)+".example.com,192.0.2.1", "ResourceGroupId", "rg-"+strconv.Itoa(i%2),
			"Tags.1.Key", "n", "Tags.1.Value", strconv.Itoa(i)))
		ids = append(ids, out.Identifier)
	}
	type list struct {
		CertificateList                              []json.RawMessage
		CurrentPage, PageCount, ShowSize, MaxResults int32
		TotalCount                                   int64
	}
	all := pcaOK[list](t, srv, pcaParams("ListClientCertificate"))
	assert.Equal(t, []int32{1, 1, 20, 20}, []int32{all.CurrentPage, all.PageCount, all.ShowSize, all.MaxResults})
	require.Len(t, all.CertificateList, 5)
	var first struct {
		Identifier, ParentIdentifier, CertificateType, CommonName, Sans, SerialNumber, Md5, Sha2, SubjectDN string
		SignAlgorithm, Status, X509Certificate, ResourceGroupId                                             string
		AfterDate, BeforeDate, Id                                                                           int64
		Days                                                                                                int32
	}
	require.NoError(t, json.Unmarshal(all.CertificateList[0], &first))
	cert := pemCerts(t, first.X509Certificate)[0]
	assert.Equal(t, ids[0], first.Identifier)
	assert.Equal(t, pca.SubCAIdentifier, first.ParentIdentifier)
	assert.Equal(t, "SERVER", first.CertificateType)
	assert.Equal(t, "l.example.com", first.CommonName)
	assert.Equal(t, cert.NotAfter.UnixMilli(), first.AfterDate)
	assert.Equal(t, cert.NotBefore.UnixMilli(), first.BeforeDate)
	assert.Equal(t, int32(10), first.Days)
	assert.Greater(t, first.Id, int64(1)<<53, "ids above 2^53 catch a float64 decoder")
	assert.JSONEq(t, `[{"Type":2,"Value":"l0.example.com"},{"Type":7,"Value":"192.0.2.1"}]`, first.Sans)
	assert.Len(t, first.Md5, 32)
	assert.Len(t, first.Sha2, 64)
	assert.Equal(t, "SHA256WITHECDSA", first.SignAlgorithm)
	assert.Equal(t, "ISSUE", first.Status)
	assert.Equal(t, "rg-0", first.ResourceGroupId)
	assert.Equal(t, "O=Alibaba Inc.,OU=Aliyun CDN,L=Hangzhou,ST=Zhejiang,CN=l.example.com", first.SubjectDN,
		"no Country given: none, though the sub-CA has one")

	page2 := pcaOK[list](t, srv, pcaParams("ListClientCertificate", "ShowSize", "2", "CurrentPage", "2"))
	assert.Equal(t, []int32{2, 3, 2}, []int32{page2.CurrentPage, page2.PageCount, page2.ShowSize})
	assert.Equal(t, int64(5), page2.TotalCount)
	require.Len(t, page2.CertificateList, 2)
	var third struct{ Identifier string }
	require.NoError(t, json.Unmarshal(page2.CertificateList[0], &third))
	assert.Equal(t, ids[2], third.Identifier)
	last := pcaOK[list](t, srv, pcaParams("ListClientCertificate", "ShowSize", "2", "CurrentPage", "3"))
	assert.Len(t, last.CertificateList, 1)
	one := pcaOK[list](t, srv, pcaParams("ListClientCertificate", "Identifier", ids[3]))
	assert.Equal(t, int64(1), one.TotalCount)
	group := pcaOK[list](t, srv, pcaParams("ListClientCertificate", "ResourceGroupId", "rg-1"))
	assert.Equal(t, int64(2), group.TotalCount)

	detail := pcaOK[struct {
		Certificate struct {
			CertChain, FullAlgorithm string
			Tags                     []struct{ TagKey, TagValue string }
			UploadFlag               int32
		}
	}](t, srv, pcaParams("DescribeClientCertificate", "Identifier", ids[4]))
	chain := pemCerts(t, detail.Certificate.CertChain)
	require.Len(t, chain, 3, "the complete chain: certificate, sub-CA, root")
	assert.True(t, chain[2].Equal(pca.Root))
	assert.Equal(t, "ECC_256", detail.Certificate.FullAlgorithm)
	assert.Equal(t, []struct{ TagKey, TagValue string }{{"n", "4"}}, detail.Certificate.Tags)
	pcaRefused(t, srv, pcaParams("ListClientCertificate", "ShowSize", "-2"), "InvalidParameter", "ShowSize")
}
