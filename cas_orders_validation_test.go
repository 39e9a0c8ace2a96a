package alicert

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The validation cases of the lifecycle operations, in the shape of
// validation_test.go's: each bad input names its fields, in order, and
// nothing reaches the server.

// lcCSR returns a PEM CSR with the given names, signed with key.
func lcCSR(t *testing.T, key any, cn string, dns ...string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
	}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// lcTamper flips a byte of the signature at the end of a CSR's DER.
func lcTamper(t *testing.T, csrPEM string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(csrPEM))
	require.NotNil(t, block)
	der := append([]byte(nil), block.Bytes...)
	der[len(der)-3] ^= 0xff
	return string(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}))
}

func TestValidationCreateCertificateWithCsrRequest(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	good := lcFixture(t, "csr.pem")
	with := func(edit func(*CreateCertificateWithCsrRequestInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &CreateCertificateWithCsrRequestInput{Csr: good, ValidateType: ValidateDNS,
				Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"}
			edit(in)
			return valOut(c.CAS.CreateCertificateWithCsrRequest(ctx, in))
		}
	}
	valRun(t, "CreateCertificateWithCsrRequest", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.CreateCertificateWithCsrRequest(ctx, nil))
		}, []string{"Username", "Phone", "Email", "Csr", "ValidateType"}},
		{"Csr not PEM", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = "www.example.com" }), []string{"Csr"}},
		{"Csr a private key", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcFixture(t, "key.pem") }), []string{"Csr"}},
		{"Csr signature broken", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcTamper(t, good) }), []string{"Csr"}},
		{"Csr two domains", with(func(in *CreateCertificateWithCsrRequestInput) {
			in.Csr = lcCSR(t, ec, "a.example.com", "a.example.com", "b.example.com")
		}), []string{"Csr"}},
		{"Csr no domain", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcCSR(t, ec, "") }), []string{"Csr"}},
		{"Csr domain an IP", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcCSR(t, ec, "192.0.2.1") }), []string{"Csr"}},
		{"Csr domain with a zero-width space", with(func(in *CreateCertificateWithCsrRequestInput) {
			in.Csr = lcCSR(t, ec, "www\u200b.example.com")
		}), []string{"Csr"}},
		{"Csr RSA 1024", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcCSR(t, small, "www.example.com") }), []string{"Csr"}},
		{"Csr P-224", with(func(in *CreateCertificateWithCsrRequestInput) { in.Csr = lcCSR(t, p224, "www.example.com") }), []string{"Csr"}},
		{"wildcard CSR with a single-domain product", with(func(in *CreateCertificateWithCsrRequestInput) {
			in.Csr, in.ProductCode = lcCSR(t, ec, "*.example.com"), "digicert-free-1-free"
		}), []string{"Csr"}},
		{"ProductCode unknown", with(func(in *CreateCertificateWithCsrRequestInput) { in.ProductCode = "free" }), []string{"ProductCode"}},
		{"Email not an address", with(func(in *CreateCertificateWithCsrRequestInput) { in.Email = "ops" }), []string{"Email"}},
		{"ValidateType unknown", with(func(in *CreateCertificateWithCsrRequestInput) { in.ValidateType = "HTTP" }), []string{"ValidateType"}},
		{"tag without a key", with(func(in *CreateCertificateWithCsrRequestInput) { in.Tags = []Tag{{Value: "v"}} }), []string{"Tags[0].Key"}},
	})
}

func TestValidationListUserCertificateOrder(t *testing.T) {
	t.Parallel()
	list := func(in *ListUserCertificateOrderInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.ListUserCertificateOrder(ctx, in))
		}
	}
	valRun(t, "ListUserCertificateOrder", []valCase{
		{"OrderType unknown", list(&ListUserCertificateOrderInput{OrderType: "cert"}), []string{"OrderType"}},
		{"Status unknown", list(&ListUserCertificateOrderInput{Status: "VALID"}), []string{"Status"}},
		{"order status with certificates", list(&ListUserCertificateOrderInput{OrderType: OrderTypeUpload, Status: OrderStatusRevoked}), []string{"Status"}},
		{"CurrentPage negative", list(&ListUserCertificateOrderInput{CurrentPage: -1}), []string{"CurrentPage"}},
		{"ShowSize negative", list(&ListUserCertificateOrderInput{ShowSize: -50}), []string{"ShowSize"}},
	})
}

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

func TestValidationDeleteCertificateRequest(t *testing.T) {
	t.Parallel()
	valRun(t, "DeleteCertificateRequest", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.DeleteCertificateRequest(ctx, nil))
		}, []string{"OrderID"}},
	})
}

func TestValidationCancelOrderRequest(t *testing.T) {
	t.Parallel()
	valRun(t, "CancelOrderRequest", []valCase{
		{"OrderID negative", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.CancelOrderRequest(ctx, &CancelOrderRequestInput{OrderID: -5}))
		}, []string{"OrderID"}},
	})
}

func TestValidationCancelCertificateForPackageRequest(t *testing.T) {
	t.Parallel()
	valRun(t, "CancelCertificateForPackageRequest", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.CancelCertificateForPackageRequest(ctx, nil))
		}, []string{"OrderID"}},
	})
}

func TestValidationRenewCertificateOrderForPackageRequest(t *testing.T) {
	t.Parallel()
	renew := func(in *RenewCertificateOrderForPackageRequestInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.RenewCertificateOrderForPackageRequest(ctx, in))
		}
	}
	valRun(t, "RenewCertificateOrderForPackageRequest", []valCase{
		{"nil input", renew(nil), []string{"OrderID"}},
		{"Csr broken", renew(&RenewCertificateOrderForPackageRequestInput{OrderID: 1, Csr: "csr"}), []string{"Csr"}},
		{"tag key with a URL", renew(&RenewCertificateOrderForPackageRequestInput{OrderID: 1, Tags: []Tag{{Key: "https://x"}}}),
			[]string{"Tags[0].Key"}},
	})
}

func TestValidationDescribePackageState(t *testing.T) {
	t.Parallel()
	valRun(t, "DescribePackageState", []valCase{
		{"ProductCode unknown", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.DescribePackageState(ctx, &DescribePackageStateInput{ProductCode: "digicert"}))
		}, []string{"ProductCode"}},
	})
}
