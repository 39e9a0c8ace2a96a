package alicert

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidationGetUserCertificateDetail(t *testing.T) {
	t.Parallel()
	valRun(t, "GetUserCertificateDetail", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.GetUserCertificateDetail(ctx, nil))
		}, []string{"CertID"}},
		{"CertID negative", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.GetUserCertificateDetail(ctx, &GetUserCertificateDetailInput{CertID: -1}))
		}, []string{"CertID"}},
	})
}

func TestValidationUploadUserCertificate(t *testing.T) {
	t.Parallel()
	cert, key := lcFixture(t, "cert.pem"), lcFixture(t, "key.pem")
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(other)
	require.NoError(t, err)
	otherKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	with := func(edit func(*UploadUserCertificateInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &UploadUserCertificateInput{Name: "web", Cert: cert, Key: key}
			edit(in)
			return valOut(c.CAS.UploadUserCertificate(ctx, in))
		}
	}
	valRun(t, "UploadUserCertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.UploadUserCertificate(ctx, nil))
		}, []string{"Name", "Cert", "Key"}},
		{"Name too long", with(func(in *UploadUserCertificateInput) { in.Name = strings.Repeat("n", 64) }), []string{"Name"}},
		{"Name with a hyphen", with(func(in *UploadUserCertificateInput) { in.Name = "web-2025" }), []string{"Name"}},
		{"Name with a dot", with(func(in *UploadUserCertificateInput) { in.Name = "www.example.com" }), []string{"Name"}},
		{"Name with a space", with(func(in *UploadUserCertificateInput) { in.Name = "my cert" }), []string{"Name"}},
		{"Cert not PEM", with(func(in *UploadUserCertificateInput) { in.Cert = "MIIB..." }), []string{"Cert"}},
		{"Cert and Key swapped", with(func(in *UploadUserCertificateInput) { in.Cert, in.Key = key, cert }), []string{"Cert", "Key"}},
		{"Key of another certificate", with(func(in *UploadUserCertificateInput) { in.Key = otherKey }), []string{"Key"}},
		{"Key not PEM", with(func(in *UploadUserCertificateInput) { in.Key = "secret" }), []string{"Key"}},
		{"SM fields beside Cert and Key", with(func(in *UploadUserCertificateInput) { in.SignCert = cert }), []string{"Cert", "Key"}},
		{"SM certificates and keys swapped", with(func(in *UploadUserCertificateInput) {
			in.Cert, in.Key = "", ""
			in.SignCert, in.SignPrivateKey, in.EncryptCert, in.EncryptPrivateKey = key, cert, otherKey, "MIIB..."
		}), []string{"SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey"}},
	})
}

// TestValidationUploadNeverQuotesKey: whatever is wrong with the pair, no
// problem text carries any of the key's PEM.
func TestValidationUploadNeverQuotesKey(t *testing.T) {
	t.Parallel()
	key := lcFixture(t, "key.pem")
	body := strings.Split(strings.TrimSpace(key), "\n")[1] // a line of the key's base64
	for _, in := range []*UploadUserCertificateInput{
		{Name: "n", Cert: key, Key: key},
		{Name: "n", Cert: lcFixture(t, "cert.pem"), Key: strings.Replace(key, "PRIVATE KEY", "PRIVATE KEYS", 2)},
		{Name: "n", Cert: lcFixture(t, "cert.pem"), Key: key[:len(key)/2]},
		{Name: "n", Cert: "", Key: "-----BEGIN EC PRIVATE KEY-----\n" + body + "\n-----END EC PRIVATE KEY-----\n"},
	} {
		problems := in.validate()
		require.NotEmpty(t, problems)
		for _, p := range problems {
			assert.NotContains(t, p.Problem, body[:16])
		}
	}
}

func TestValidationDeleteUserCertificate(t *testing.T) {
	t.Parallel()
	del := func(in *DeleteUserCertificateInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return valOut(c.CAS.DeleteUserCertificate(ctx, in)) }
	}
	valRun(t, "DeleteUserCertificate", []valCase{
		{"nil input", del(nil), []string{"CertID"}},
		{"negative id", del(&DeleteUserCertificateInput{CertID: -1}), []string{"CertID"}},
	})
}
