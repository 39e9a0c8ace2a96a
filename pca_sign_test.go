package alicert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signCA is a test CA: its certificate and key.
type signCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newSignCA(t *testing.T, name string, parent *signCA) *signCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: wireClock.Add(-time.Hour), NotAfter: wireClock.Add(24 * 365 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	issuer, signer := tmpl, crypto.Signer(key)
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &signCA{cert: cert, key: key}
}

func pemOf(certs ...*x509.Certificate) string {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return string(out)
}

// signIssuer answers CreateCustomCertificate by signing the CSR it gets
// with sub, taking the names and usages from the ApiPassthrough
// parameters, and lets edit change the leaf's template and the reply.
func signIssuer(t *testing.T, root, sub *signCA, edit func(tmpl *x509.Certificate, reply map[string]any)) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		csr, err := ParseCSR(r.Form.Get("Csr"))
		if err != nil {
			return testkit.JSON(http.StatusBadRequest, `{"Code":"InvalidCsr"}`)
		}
		notAfter, err := time.Parse(customValidityLayout, r.Form.Get("Validity"))
		if err != nil {
			return testkit.JSON(http.StatusBadRequest, `{"Code":"InvalidValidity"}`)
		}
		cn := csr.Subject.CommonName
		if v := r.Form.Get("ApiPassthrough.Subject.CommonName"); v != "" {
			cn = v
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: cn},
			NotBefore: wireClock, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		}
		for i := 1; ; i++ {
			n := "ApiPassthrough.Extensions.SubjectAlternativeNames." + itoa(i)
			typ, value := r.Form.Get(n+".Type"), r.Form.Get(n+".Value")
			if typ == "" {
				break
			}
			switch typ {
			case CustomSANDNS:
				tmpl.DNSNames = append(tmpl.DNSNames, value)
			case CustomSANIP:
				tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(value))
			}
		}
		for i := 1; ; i++ {
			switch r.Form.Get("ApiPassthrough.Extensions.ExtendedKeyUsages." + itoa(i)) {
			case "serverAuth":
				tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
				continue
			case "clientAuth":
				tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
				continue
			}
			break
		}
		pub := csr.PublicKey
		reply := map[string]any{"RequestId": "REQ-SIGN", "Identifier": "leaf-1", "SerialNumber": "42"}
		if edit != nil {
			edit(tmpl, reply)
		}
		if k, ok := reply["key"].(crypto.PublicKey); ok {
			pub = k
			delete(reply, "key")
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, sub.cert, pub, sub.key)
		require.NoError(t, err)
		leaf, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		if _, ok := reply["Certificate"]; !ok {
			reply["Certificate"] = pemOf(leaf)
		}
		if _, ok := reply["CertificateChain"]; !ok {
			reply["CertificateChain"] = pemOf(root.cert, sub.cert) // out of order on purpose
		}
		body, _ := json.Marshal(reply)
		return testkit.JSON(http.StatusOK, string(body))
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

func TestSignCSR(t *testing.T) {
	t.Parallel()
	root := newSignCA(t, "Root", nil)
	sub := newSignCA(t, "Issuing", root)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	csr := lcCSR(t, key, "svc.internal", "svc.internal", "svc.ns.svc")
	c, srv := setup(t, signIssuer(t, root, sub, nil))

	out, err := c.PCA.SignCSR(t.Context(), &SignCSRInput{
		CAIdentifier: "sub-1", CSR: csr, Duration: 90 * time.Minute,
		ExtKeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		CustomIdentifier: "cr-uid-1",
	})
	require.NoError(t, err)
	assert.Equal(t, "leaf-1", out.Identifier)
	assert.Equal(t, []string{"svc.internal", "svc.ns.svc"}, out.Certificate.DNSNames)
	assert.Equal(t, pemOf(sub.cert), out.ChainPEM, "the intermediates, without the root")
	assert.Equal(t, pemOf(root.cert), out.CAPEM)
	assert.Equal(t, out.CertificatePEM+pemOf(sub.cert), out.FullChainPEM())
	assert.Equal(t, wireClock.Add(90*time.Minute), out.Certificate.NotAfter)

	form := srv.Forms()[0]
	for k, v := range map[string]string{
		"Action": "CreateCustomCertificate", "Version": pcaAPIVersion, "ParentIdentifier": "sub-1",
		"Validity": "2025-03-14T16:39:26Z", "Immediately": "2", "customIdentifier": "cr-uid-1",
		"ApiPassthrough.Extensions.KeyUsage.DigitalSignature":       "true",
		"ApiPassthrough.Extensions.KeyUsage.KeyEncipherment":        "true",
		"ApiPassthrough.Extensions.ExtendedKeyUsages.1":             "serverAuth",
		"ApiPassthrough.Extensions.ExtendedKeyUsages.2":             "clientAuth",
		"ApiPassthrough.Extensions.SubjectAlternativeNames.2.Type":  "dNSName",
		"ApiPassthrough.Extensions.SubjectAlternativeNames.2.Value": "svc.ns.svc",
	} {
		assert.Equal(t, v, form.Get(k), k)
	}
	assert.NotContains(t, form, "ApiPassthrough.Subject.CommonName", "the CSR's subject stays")
}

func TestSignCSRTakesTheInputsNames(t *testing.T) {
	t.Parallel()
	root := newSignCA(t, "Root", nil)
	sub := newSignCA(t, "Issuing", root)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c, srv := setup(t, signIssuer(t, root, sub, nil))
	out, err := c.PCA.SignCSR(t.Context(), &SignCSRInput{
		CAIdentifier: "sub-1", CSR: lcCSR(t, key, "ignored", "csr.internal"), Duration: time.Hour,
		DNSNames: []string{"api.internal"}, IPAddresses: []net.IP{net.ParseIP("10.1.2.3")},
		KeyUsage: x509.KeyUsageDigitalSignature, CommonName: "api",
	})
	require.NoError(t, err)
	assert.Equal(t, "api", out.Certificate.Subject.CommonName)
	form := srv.Forms()[0]
	assert.Equal(t, "api.internal", form.Get("ApiPassthrough.Extensions.SubjectAlternativeNames.1.Value"))
	assert.Equal(t, "10.1.2.3", form.Get("ApiPassthrough.Extensions.SubjectAlternativeNames.2.Value"))
	assert.Equal(t, "api", form.Get("ApiPassthrough.Subject.CommonName"))
	assert.NotContains(t, form, "ApiPassthrough.Extensions.KeyUsage.KeyEncipherment")
	assert.NotContains(t, form, "ApiPassthrough.Extensions.ExtendedKeyUsages.1")
}

func TestSignCSRRefusesWhatItDidNotAskFor(t *testing.T) {
	t.Parallel()
	root := newSignCA(t, "Root", nil)
	sub := newSignCA(t, "Issuing", root)
	other := newSignCA(t, "Other", nil)
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		edit func(*x509.Certificate, map[string]any)
		want string
	}{
		"another key":    {func(_ *x509.Certificate, r map[string]any) { r["key"] = stranger.Public() }, "does not hold the CSR's public key"},
		"a name missing": {func(l *x509.Certificate, _ map[string]any) { l.DNSNames = l.DNSNames[:1] }, `lacks the requested name "b.internal"`},
		"no chain":       {func(_ *x509.Certificate, r map[string]any) { r["CertificateChain"] = "" }, "holds no CA chain"},
		"another CA's chain": {func(_ *x509.Certificate, r map[string]any) { r["CertificateChain"] = pemOf(other.cert) },
			"holds no CA chain"},
		"no usage": {func(l *x509.Certificate, _ map[string]any) { l.ExtKeyUsage = nil },
			"lacks the requested extended key usage serverAuth"},
		"another common name": {func(l *x509.Certificate, _ map[string]any) { l.Subject.CommonName = "b" }, `lacks the requested name CN="a"`},
		"valid before its CA": {func(l *x509.Certificate, _ map[string]any) { l.NotBefore = wireClock.Add(-48 * time.Hour) },
			"does not verify against the returned CA"},
		"two certificates": {func(_ *x509.Certificate, r map[string]any) { r["Certificate"] = pemOf(root.cert, sub.cert) },
			"not one PEM certificate"},
		"clientAuth only": {func(l *x509.Certificate, _ map[string]any) {
			l.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}, "lacks the requested extended key usage serverAuth"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			c, srv := setup(t, signIssuer(t, root, sub, tc.edit))
			out, err := c.PCA.SignCSR(t.Context(), &SignCSRInput{
				CAIdentifier: "sub-1", CSR: lcCSR(t, key, "a", "a.internal", "b.internal"), Duration: time.Hour,
				ExtKeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, CommonName: "a",
			})
			require.Error(t, err)
			assert.Nil(t, out)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), `certificate "leaf-1" was issued`, "the error names what to revoke")
			var issued *IssuedCertificateError
			require.ErrorAs(t, err, &issued)
			assert.Equal(t, "leaf-1", issued.Identifier)
			assert.Equal(t, 1, srv.Attempts(), "a check that fails does not sign again")
		})
	}
}

func TestSignCSRIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c, srv := setup(t, func(testkit.Request) testkit.Reply {
		return testkit.JSON(http.StatusServiceUnavailable, `{"Code":"ServiceUnavailable"}`)
	})
	_, err = c.PCA.SignCSR(t.Context(), &SignCSRInput{CAIdentifier: "sub-1", CSR: lcCSR(t, key, "a", "a.internal"), Duration: time.Hour})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "ListClientCertificate")
	assert.Equal(t, 1, srv.Attempts())
}

func TestSplitCAChain(t *testing.T) {
	t.Parallel()
	root := newSignCA(t, "Root", nil)
	mid := newSignCA(t, "Mid", root)
	sub := newSignCA(t, "Issuing", mid)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), NotBefore: wireClock, NotAfter: wireClock.Add(time.Hour)}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificate(rand.Reader, leafTmpl, sub.cert, key.Public(), sub.key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	inter, top := splitCAChain(leaf, []*x509.Certificate{root.cert, leaf, mid.cert, sub.cert})
	assert.Equal(t, []*x509.Certificate{sub.cert, mid.cert}, inter)
	assert.Equal(t, root.cert, top)

	inter, top = splitCAChain(leaf, []*x509.Certificate{mid.cert, sub.cert})
	assert.Equal(t, []*x509.Certificate{sub.cert}, inter, "without a root, the topmost CA stands for it")
	assert.Equal(t, mid.cert, top)

	inter, top = splitCAChain(leaf, nil)
	assert.Nil(t, inter)
	assert.Nil(t, top)
}

func TestValidityForms(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CST", 8*3600))
	assert.Equal(t, "90d", ValidityFor(90, 'd'))
	assert.Equal(t, "2030-01-01T19:04:05Z", ValidityUntil(at))
	assert.Equal(t, "2030-01-01T19:04:05Z/2030-01-01T20:04:05Z", ValidityBetween(at, at.Add(time.Hour)))
	for _, v := range []string{"90d", "6m", "1y", ValidityUntil(at), ValidityBetween(at, at.Add(time.Second))} {
		assert.Empty(t, validityProblem(v), v)
	}
	for _, v := range []string{"", "d", "0y", "-1d", "1w", "1.5y", "2030-01-02", ValidityBetween(at, at)} {
		assert.NotEmpty(t, validityProblem(v), v)
	}
}

func TestSignCSRWithSubject(t *testing.T) {
	t.Parallel()
	root := newSignCA(t, "Root", nil)
	sub := newSignCA(t, "Issuing", root)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	csr := lcCSR(t, key, "svc.internal", "svc.internal")
	c, srv := setup(t, signIssuer(t, root, sub, nil))

	_, err = c.PCA.SignCSR(t.Context(), &SignCSRInput{
		CAIdentifier: "sub-1", CSR: csr, Duration: time.Hour,
		Subject: &CustomCertificateSubject{CommonName: "svc.internal", Organization: "Example", Country: "CN"},
	})
	require.NoError(t, err)

	form := srv.Forms()[0]
	assert.Equal(t, "svc.internal", form.Get("ApiPassthrough.Subject.CommonName"))
	assert.Equal(t, "Example", form.Get("ApiPassthrough.Subject.Organization"))
	assert.Equal(t, "CN", form.Get("ApiPassthrough.Subject.Country"))
}
