package alicerttest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKMSCreateCertificate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	// Every character RFC 2253 escapes, in every position it is escaped in.
	subject := alicert.Subject{
		CommonName:         `#a,b+c"d\e<f>g;h=i `,
		Country:            "CN",
		Organization:       " Example, Inc.",
		OrganizationalUnit: "R&D\x00lab",
		Province:           "Zhejiang",
		Locality:           "杭州",
	}
	for _, tt := range []struct {
		spec alicert.KeySpec
		bits int // 0 for P-256
	}{
		{alicert.KeySpecECP256, 0},
		{alicert.KeySpecECSM2, 0}, // approximated by P-256
		{alicert.KeySpecRSA2048, 2048},
	} {
		t.Run(string(tt.spec), func(t *testing.T) {
			out, err := c.KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{
				KeySpec: tt.spec, Subject: subject,
				SubjectAlternativeNames: []string{"www.example.com", "api.example.com"},
			})
			require.NoError(t, err)
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, out.CertificateID)
			assert.Regexp(t, `^acs:kms:cn-hangzhou:[1-9][0-9]{11}:certificate/`+regexp.QuoteMeta(out.CertificateID)+`$`, out.Arn)
			assert.Regexp(t, requestIDPattern, out.RequestID)

			csr := parseCSR(t, out.Csr)
			assert.Equal(t, subject.CommonName, csr.Subject.CommonName)
			assert.Equal(t, []string{subject.Country}, csr.Subject.Country)
			assert.Equal(t, []string{subject.Organization}, csr.Subject.Organization)
			assert.Equal(t, []string{subject.OrganizationalUnit}, csr.Subject.OrganizationalUnit)
			assert.Equal(t, []string{subject.Province}, csr.Subject.Province)
			assert.Equal(t, []string{subject.Locality}, csr.Subject.Locality)
			assert.Equal(t, []string{"www.example.com", "api.example.com"}, csr.DNSNames)
			switch k := csr.PublicKey.(type) {
			case *rsa.PublicKey:
				assert.Equal(t, tt.bits, k.N.BitLen())
			case *ecdsa.PublicKey:
				assert.Zero(t, tt.bits)
				assert.Equal(t, elliptic.P256(), k.Curve)
			default:
				t.Fatalf("unexpected key type %T", k)
			}
		})
	}
	assert.Equal(t, 3, srv.KMSCertificateCount())
}

func TestKMSUploadCertificate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	create := func() *alicert.CreateCertificateOutput {
		out, err := c.KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{
			KeySpec: alicert.KeySpecECP256,
			Subject: alicert.Subject{CommonName: "svc.example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "IT"},
		})
		require.NoError(t, err)
		return out
	}
	mine, other := create(), create()
	certPEM, err := srv.SignCSR(mine.Csr, 24*time.Hour)
	require.NoError(t, err)
	otherPEM, err := srv.SignCSR(other.Csr, 0)
	require.NoError(t, err)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.CACertificate().Raw}))

	issued := parseCertificates(t, certPEM)
	require.Len(t, issued, 1)
	assert.Equal(t, 24*time.Hour+time.Hour, issued[0].NotAfter.Sub(issued[0].NotBefore))
	assert.Equal(t, "svc.example.com", issued[0].Subject.CommonName)
	assert.NoError(t, issued[0].CheckSignatureFrom(srv.CACertificate()))

	reject := func(t *testing.T, in *alicert.UploadCertificateInput, status int, code, inMessage string) {
		t.Helper()
		_, err := c.KMS.UploadCertificate(t.Context(), in)
		var apiErr *alicert.APIError
		require.True(t, errors.As(err, &apiErr), "%v", err)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, code, apiErr.Code)
		assert.Contains(t, apiErr.Message, inMessage)
	}
	t.Run("another key's certificate", func(t *testing.T) {
		reject(t, &alicert.UploadCertificateInput{CertificateID: mine.CertificateID, Certificate: otherPEM},
			400, "InvalidParameter", "public key does not match")
	})
	t.Run("not PEM", func(t *testing.T) {
		reject(t, &alicert.UploadCertificateInput{CertificateID: mine.CertificateID, Certificate: "pem"},
			400, "InvalidParameter", `"Certificate"`)
	})
	t.Run("certificate and chain in one", func(t *testing.T) {
		reject(t, &alicert.UploadCertificateInput{CertificateID: mine.CertificateID, Certificate: certPEM + caPEM},
			400, "InvalidParameter", "CertificateChain")
	})
	t.Run("bad chain", func(t *testing.T) {
		reject(t, &alicert.UploadCertificateInput{CertificateID: mine.CertificateID, Certificate: certPEM, CertificateChain: "chain"},
			400, "InvalidParameter", `"CertificateChain"`)
	})
	t.Run("unknown certificate", func(t *testing.T) {
		reject(t, &alicert.UploadCertificateInput{CertificateID: "5e0a4a6e-0000-4000-8000-000000000000", Certificate: certPEM},
			404, "Forbidden.ResourceNotFound", "5e0a4a6e")
	})
	_, _, ok := srv.UploadedCertificate(mine.CertificateID)
	assert.False(t, ok, "a rejected upload was stored")

	out, err := c.KMS.UploadCertificate(t.Context(), &alicert.UploadCertificateInput{
		CertificateID: mine.CertificateID, Certificate: certPEM, CertificateChain: caPEM})
	require.NoError(t, err)
	assert.Regexp(t, requestIDPattern, out.RequestID)
	gotCert, gotChain, ok := srv.UploadedCertificate(mine.CertificateID)
	assert.True(t, ok)
	assert.Equal(t, certPEM, gotCert)
	assert.Equal(t, caPEM, gotChain)
}

func TestSignCSRRejectsBadInput(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, err := srv.SignCSR("not a CSR", 0)
	assert.Error(t, err)
	res := raw{params: ecsr()}.send(t, srv)
	require.Equal(t, 200, res.status)
	// A CSR whose signature no longer matches its content.
	var out struct{ Csr string }
	require.NoError(t, json.Unmarshal(res.body, &out))
	block, _ := pem.Decode([]byte(out.Csr))
	block.Bytes[len(block.Bytes)-3] ^= 0xff
	_, err = srv.SignCSR(string(pem.EncodeToMemory(block)), 0)
	assert.Error(t, err)
}
