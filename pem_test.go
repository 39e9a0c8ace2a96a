package alicert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pemFixtures are real PEM documents made with crypto/x509 once per test
// binary: a CSR, and a root -> intermediate -> leaf chain.
type pemFixtures struct {
	csr, csrDER                   []byte
	root, inter, leaf             []byte // PEM
	rootDER, interDER, leafDER    []byte
	keyPEM                        []byte // a real PKCS #8 private key
	keyBody                       string // a line of keyPEM's base64, to look for in errors
	leafSubject, interSubj, rootS string
}

var pemLoad = sync.OnceValues(func() (*pemFixtures, error) {
	f := &pemFixtures{}
	newKey := func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
	rootKey, err := newKey()
	if err != nil {
		return nil, err
	}
	interKey, err := newKey()
	if err != nil {
		return nil, err
	}
	leafKey, err := newKey()
	if err != nil {
		return nil, err
	}
	notBefore := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl := func(serial int64, cn string, ca bool) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"alicert test"}},
			NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0),
			IsCA: ca, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			DNSNames: map[bool][]string{false: {"www.example.com"}}[ca],
		}
	}
	rootT, interT, leafT := tmpl(1, "alicert test root", true), tmpl(2, "alicert test intermediate", true), tmpl(3, "www.example.com", false)
	if f.rootDER, err = x509.CreateCertificate(rand.Reader, rootT, rootT, &rootKey.PublicKey, rootKey); err != nil {
		return nil, err
	}
	if f.interDER, err = x509.CreateCertificate(rand.Reader, interT, rootT, &interKey.PublicKey, rootKey); err != nil {
		return nil, err
	}
	if f.leafDER, err = x509.CreateCertificate(rand.Reader, leafT, interT, &leafKey.PublicKey, interKey); err != nil {
		return nil, err
	}
	f.root, f.inter, f.leaf = pemCert(f.rootDER), pemCert(f.interDER), pemCert(f.leafDER)
	f.leafSubject, f.interSubj, f.rootS = leafT.Subject.CommonName, interT.Subject.CommonName, rootT.Subject.CommonName

	f.csrDER, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "example.com", Country: []string{"CN"}, Province: []string{"Zhejiang"}},
		DNSNames: []string{"example.com", "www.example.com"},
	}, leafKey)
	if err != nil {
		return nil, err
	}
	f.csr = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: f.csrDER})

	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return nil, err
	}
	f.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	f.keyBody = strings.Split(string(f.keyPEM), "\n")[1]
	return f, nil
})

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func pemFix(t *testing.T) *pemFixtures {
	t.Helper()
	f, err := pemLoad()
	require.NoError(t, err)
	return f
}

// pemSwapCurve replaces the P-256 curve OID in der with SM2's (both are
// eight bytes long), making a document crypto/x509 cannot parse.
func pemSwapCurve(t *testing.T, der []byte) []byte {
	t.Helper()
	p256 := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
	sm2 := []byte{0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d}
	require.Equal(t, 1, bytes.Count(der, p256))
	return bytes.Replace(der, p256, sm2, 1)
}

func TestParseCSR(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	for name, in := range map[string]string{
		"as encoded":            string(f.csr),
		"surrounding space":     "\n\n  " + string(f.csr) + " \t\n\n",
		"CRLF line ends":        strings.ReplaceAll(string(f.csr), "\n", "\r\n"),
		"no final newline":      strings.TrimSuffix(string(f.csr), "\n"),
		"NEW CERTIFICATE TYPE":  string(pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: f.csrDER})),
		"headers in the block":  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Headers: map[string]string{"Comment": "x"}, Bytes: f.csrDER})),
		"byte order mark":       "\ufeff" + string(f.csr),
		"single-line base64 OK": "-----BEGIN CERTIFICATE REQUEST-----\n" + pemOneLine(f.csrDER) + "\n-----END CERTIFICATE REQUEST-----",
	} {
		csr, err := ParseCSR(in)
		require.NoError(t, err, name)
		assert.Equal(t, "example.com", csr.Subject.CommonName, name)
		assert.Equal(t, []string{"example.com", "www.example.com"}, csr.DNSNames, name)
		assert.NoError(t, csr.CheckSignature(), name)
	}
}

func pemOneLine(der []byte) string {
	s := string(pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: der}))
	s = strings.TrimPrefix(s, "-----BEGIN X-----\n")
	s = strings.TrimSuffix(s, "-----END X-----\n")
	return strings.ReplaceAll(s, "\n", "")
}

// pemErrCase is bad input and a piece of the error it must produce.
type pemErrCase struct {
	name, in, want string
}

// pemCheckErrors runs parse on each case and checks the error's words, and
// that it quotes neither the private key nor the input.
func pemCheckErrors(t *testing.T, f *pemFixtures, parse func(string) error, cases []pemErrCase) {
	t.Helper()
	for _, tc := range cases {
		err := parse(tc.in)
		require.Error(t, err, tc.name)
		msg := err.Error()
		assert.Contains(t, msg, tc.want, tc.name)
		assert.True(t, strings.HasPrefix(msg, "alicert: "), "%s: %s", tc.name, msg)
		assert.NotContains(t, msg, f.keyBody, "%s: the error echoes the private key", tc.name)
		assert.NotContains(t, msg, "pemSecretText", "%s: the error echoes the input", tc.name)
	}
}

func TestParseCSRErrors(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	csr, key, leaf := string(f.csr), string(f.keyPEM), string(f.leaf)
	badDER := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte("pemSecretText, not DER")}))
	pemCheckErrors(t, f, func(s string) error { _, err := ParseCSR(s); return err }, []pemErrCase{
		{"empty", "", "no PEM block found (the data is empty)"},
		{"whitespace", " \n\t", "no PEM block found (the data holds only whitespace)"},
		{"not PEM", "pemSecretText", "does not contain a -----BEGIN line"},
		{"base64 without armour", pemOneLine(f.csrDER), "does not contain a -----BEGIN line"},
		{"private key with broken armour", strings.ReplaceAll(key, "-----BEGIN ", "----BEGIN "), "the data looks like a private key (its content is not shown)"},
		{"a certificate", leaf, `PEM block 1 is a "CERTIFICATE" block, not a CERTIFICATE REQUEST`},
		{"a private key", key, `PEM block 1 is a private key ("PRIVATE KEY"; its content is not shown)`},
		{"an RSA private key", strings.ReplaceAll(key, "PRIVATE KEY", "RSA PRIVATE KEY"), "is a private key"},
		{"a private key without armour end", strings.Split(key, "-----END")[0], "a private key block (its content is not shown)"},
		{"key material before the CSR", key + csr, "is a private key"},
		{"bad DER", badDER, "the CERTIFICATE REQUEST block is not a valid PKCS #10 request: "},
		{"two CSRs", csr + csr, "found 2 PEM blocks"},
		{"trailing text", csr + "pemSecretText\n", "unexpected text after PEM block 1"},
		{"trailing text on the END line", strings.TrimSuffix(csr, "\n") + "pemSecretText\n", "truncated or malformed"},
		{"leading text", "subject=/CN=pemSecretText\n" + csr, "unexpected text before the first PEM block"},
		{"truncated", csr[:len(csr)/2], "truncated or malformed"},
		{"bad base64", strings.Replace(csr, "\n", "\n!!!", 2), "truncated or malformed"},
		{"mismatched END", strings.Replace(csr, "END CERTIFICATE REQUEST", "END CERTIFICATE", 1), "truncated or malformed"},
		{"SM2", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: pemSwapCurve(t, f.csrDER)})),
			"Go's crypto/x509 does not support SM2"},
	})
}

func TestParseCertificates(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	leaf, inter, root := string(f.leaf), string(f.inter), string(f.root)
	names := func(certs []*x509.Certificate) []string {
		out := make([]string, len(certs))
		for i, c := range certs {
			out[i] = c.Subject.CommonName
		}
		return out
	}
	full := []string{f.leafSubject, f.interSubj, f.rootS}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"leaf only", leaf, []string{f.leafSubject}},
		{"root only", root, []string{f.rootS}},
		{"chain in order", leaf + inter + root, full},
		{"chain reversed", root + inter + leaf, full},
		{"chain shuffled", inter + leaf + root, full},
		{"chain with blank lines and CRLF", "\r\n" + strings.ReplaceAll(leaf+"\n\n"+inter+"\n"+root, "\n", "\r\n") + "\r\n\r\n", full},
		{"leaf and intermediate", inter + leaf, []string{f.leafSubject, f.interSubj}},
		// Two certificates that issued nothing in the set: no single leaf,
		// so the order given is kept.
		{"leaf and root, no link", root + leaf, []string{f.rootS, f.leafSubject}},
		{"duplicate intermediate", leaf + inter + inter, []string{f.leafSubject, f.interSubj, f.interSubj}},
	} {
		certs, err := ParseCertificates(tc.in)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, names(certs), tc.name)
	}

	// The leaf-first chain verifies as tls would present it.
	certs, err := ParseCertificates(root + leaf + inter)
	require.NoError(t, err)
	pool, inters := x509.NewCertPool(), x509.NewCertPool()
	pool.AddCert(certs[2])
	inters.AddCert(certs[1])
	_, err = certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inters, DNSName: "www.example.com",
		CurrentTime: certs[0].NotBefore.Add(time.Hour)})
	assert.NoError(t, err)
}

func TestParseCertificatesErrors(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	leaf, inter, key, csr := string(f.leaf), string(f.inter), string(f.keyPEM), string(f.csr)
	badDER := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("pemSecretText")}))
	pemCheckErrors(t, f, func(s string) error { _, err := ParseCertificates(s); return err }, []pemErrCase{
		{"empty", "", "no PEM block found"},
		{"not PEM", "pemSecretText", "no PEM block found"},
		{"a private key alone", key, "PEM block 1 is a private key"},
		{"certificate and key", leaf + key, `PEM block 2 is a private key ("PRIVATE KEY"; its content is not shown), not a CERTIFICATE`},
		{"an EC private key", leaf + strings.ReplaceAll(key, "PRIVATE KEY", "EC PRIVATE KEY"), "PEM block 2 is a private key"},
		{"a CSR", csr, `PEM block 1 is a "CERTIFICATE REQUEST" block, not a CERTIFICATE`},
		{"long block type", strings.ReplaceAll(leaf, "CERTIFICATE", strings.Repeat("X", 60)), `"` + strings.Repeat("X", 40) + `..." block`},
		{"bad DER in the middle", leaf + badDER + inter, "PEM block 2 of 3 is not a valid X.509 certificate: "},
		{"text between blocks", leaf + "pemSecretText\n" + inter, "unexpected text after PEM block 1"},
		{"trailing text", leaf + inter + "--\n", "unexpected text after PEM block 2"},
		{"truncated last block", leaf + inter[:len(inter)/2], "a PEM block after 1 complete block(s) is truncated"},
		{"truncated key after a certificate", leaf + key[:len(key)/2], "a private key block (its content is not shown) after 1 complete block(s)"},
		// pem.Decode would skip the broken block and return the next one.
		{"broken block before a good one", leaf[:len(leaf)/2] + "\n" + inter, "after 0 complete block(s) is truncated"},
		{"SM2", string(pemCert(pemSwapCurve(t, f.leafDER))), "Go's crypto/x509 does not support SM2"},
	})
}

func TestParseOutputCSR(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	csr := string(f.csr)

	parsers := map[string]func(csr string) (*x509.CertificateRequest, error){
		"CreateCsrOutput": func(s string) (*x509.CertificateRequest, error) {
			return (&CreateCsrOutput{CsrID: 1, Csr: s}).ParseCSR()
		},
		"GetCsrDetailOutput": func(s string) (*x509.CertificateRequest, error) {
			return (&GetCsrDetailOutput{Csr: s, PrivateKey: string(f.keyPEM)}).ParseCSR()
		},
		"CreateCertificateOutput": func(s string) (*x509.CertificateRequest, error) {
			return (&CreateCertificateOutput{CertificateID: "id", Csr: s}).ParseCSR()
		},
	}
	for name, parse := range parsers {
		got, err := parse(csr)
		require.NoError(t, err, name)
		assert.Equal(t, "example.com", got.Subject.CommonName, name)

		_, err = parse(" ")
		require.Error(t, err, name)
		assert.Equal(t, "alicert: "+name+".ParseCSR: the output has no Csr", err.Error())

		_, err = parse(string(f.keyPEM))
		require.Error(t, err, name)
		assert.NotContains(t, err.Error(), f.keyBody)
	}

	_, err := (*CreateCsrOutput)(nil).ParseCSR()
	assert.EqualError(t, err, "alicert: CreateCsrOutput.ParseCSR: the output is nil")
	_, err = (*GetCsrDetailOutput)(nil).ParseCSR()
	assert.EqualError(t, err, "alicert: GetCsrDetailOutput.ParseCSR: the output is nil")
	_, err = (*CreateCertificateOutput)(nil).ParseCSR()
	assert.EqualError(t, err, "alicert: CreateCertificateOutput.ParseCSR: the output is nil")
}

func TestDescribeCertificateStateOutputParseCertificates(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	chain := string(f.leaf) + string(f.inter)

	certs, err := (&DescribeCertificateStateOutput{State: StateCertificate, Certificate: chain, PrivateKey: string(f.keyPEM)}).ParseCertificates()
	require.NoError(t, err)
	require.Len(t, certs, 2)
	assert.Equal(t, f.leafSubject, certs[0].Subject.CommonName)

	for _, tc := range []struct {
		name string
		out  *DescribeCertificateStateOutput
		want string
	}{
		{"nil", nil, "the output is nil"},
		{"not issued", &DescribeCertificateStateOutput{State: StateDomainVerify}, `the order is not issued yet (state "domain_verify")`},
		{"failed", &DescribeCertificateStateOutput{State: StateVerifyFail}, `not issued yet (state "verify_fail")`},
		{"issued without certificate", &DescribeCertificateStateOutput{State: StateCertificate, Certificate: "\n"}, "issued but the output has no Certificate"},
		{"key in Certificate", &DescribeCertificateStateOutput{State: StateCertificate, Certificate: string(f.keyPEM)}, "is a private key"},
	} {
		_, err := tc.out.ParseCertificates()
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.True(t, strings.HasPrefix(err.Error(), "alicert: "), tc.name)
		assert.NotContains(t, err.Error(), f.keyBody, tc.name)
	}
}

// TestParseThroughTheClient decodes real PEM from the service's JSON and
// parses it: what a user does after CreateCsr and WaitForCertificate.
func TestParseThroughTheClient(t *testing.T) {
	t.Parallel()
	f := pemFix(t)
	srv := newWireServer(t, func(_ int, form url.Values) (int, string) {
		switch form.Get("Action") {
		case "CreateCsr":
			return 200, pemJSON(t, map[string]any{"RequestId": "r1", "CsrId": 7, "Csr": string(f.csr)})
		default:
			return 200, pemJSON(t, map[string]any{"RequestId": "r2", "Type": "certificate",
				"Certificate": string(f.leaf) + string(f.inter), "PrivateKey": string(f.keyPEM)})
		}
	})
	c := clientOf(t, srv)
	created, err := c.CAS.CreateCsr(t.Context(), wireValidCsr())
	require.NoError(t, err)
	csr, err := created.ParseCSR()
	require.NoError(t, err)
	assert.Equal(t, []string{"example.com", "www.example.com"}, csr.DNSNames)

	issued, err := c.CAS.WaitForCertificate(t.Context(), &DescribeCertificateStateInput{OrderID: 1})
	require.NoError(t, err)
	certs, err := issued.ParseCertificates()
	require.NoError(t, err)
	assert.Len(t, certs, 2)
	assert.Equal(t, []string{"www.example.com"}, certs[0].DNSNames)
}

func pemJSON(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
