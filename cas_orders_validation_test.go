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
	"fmt"
	"strings"
	"testing"

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

func TestValidationCreateCertificateRequest(t *testing.T) {
	t.Parallel()
	valid := func() *CreateCertificateRequestInput {
		return &CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: ValidateDNS,
			Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com"}
	}
	with := func(edit func(*CreateCertificateRequestInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.CAS.CreateCertificateRequest(ctx, in)
		}
	}
	manyTags := make([]Tag, 21)
	for i := range manyTags {
		manyTags[i] = Tag{Key: fmt.Sprintf("k%d", i)}
	}
	valRun(t, "CreateCertificateRequest", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return c.CAS.CreateCertificateRequest(ctx, nil)
		}, []string{"Username", "Phone", "Email", "Domain", "ValidateType"}},
		{"zero input", with(func(in *CreateCertificateRequestInput) { *in = CreateCertificateRequestInput{} }),
			[]string{"Username", "Phone", "Email", "Domain", "ValidateType"}},
		{"Username empty", with(func(in *CreateCertificateRequestInput) { in.Username = "" }), []string{"Username"}},
		{"Phone blank", with(func(in *CreateCertificateRequestInput) { in.Phone = " " }), []string{"Phone"}},
		{"Email empty", with(func(in *CreateCertificateRequestInput) { in.Email = "" }), []string{"Email"}},
		{"no contact at all", with(func(in *CreateCertificateRequestInput) { in.Username, in.Phone, in.Email = "", "", "" }),
			[]string{"Username", "Phone", "Email"}},
		{"Domain empty", with(func(in *CreateCertificateRequestInput) { in.Domain = "" }), []string{"Domain"}},
		{"Domain blank", with(func(in *CreateCertificateRequestInput) { in.Domain = " \t" }), []string{"Domain"}},
		{"Domain list", with(func(in *CreateCertificateRequestInput) { in.Domain = "a.example.com,b.example.com" }), []string{"Domain"}},
		{"Domain URL", with(func(in *CreateCertificateRequestInput) { in.Domain = "https://example.com/" }), []string{"Domain"}},
		{"Domain too long", with(func(in *CreateCertificateRequestInput) { in.Domain = strings.Repeat("a.", 127) + "com" }), []string{"Domain"}},
		{"ValidateType empty", with(func(in *CreateCertificateRequestInput) { in.ValidateType = "" }), []string{"ValidateType"}},
		{"ValidateType lower case", with(func(in *CreateCertificateRequestInput) { in.ValidateType = "dns" }), []string{"ValidateType"}},
		{"ValidateType unknown", with(func(in *CreateCertificateRequestInput) { in.ValidateType = "HTTP" }), []string{"ValidateType"}},
		{"ProductCode unknown", with(func(in *CreateCertificateRequestInput) { in.ProductCode = "letsencrypt-free" }), []string{"ProductCode"}},
		{"Email not an address", with(func(in *CreateCertificateRequestInput) { in.Email = "ops.example.com" }), []string{"Email"}},
		{"Email with a display name", with(func(in *CreateCertificateRequestInput) { in.Email = "Ops <ops@example.com>" }), []string{"Email"}},
		{"Email without a dot in the domain", with(func(in *CreateCertificateRequestInput) { in.Email = "ops@localhost" }), []string{"Email"}},
		{"tag with empty Key", with(func(in *CreateCertificateRequestInput) { in.Tags = []Tag{{Value: "v"}} }), []string{"Tags[0].Key"}},
		{"second tag bad", with(func(in *CreateCertificateRequestInput) {
			in.Tags = []Tag{{Key: "ok"}, {Key: "see https://example.com"}}
		}), []string{"Tags[1].Key"}},
		{"tag too long", with(func(in *CreateCertificateRequestInput) {
			in.Tags = []Tag{{Key: strings.Repeat("k", 65), Value: strings.Repeat("v", 129)}}
		}), []string{"Tags[0].Key", "Tags[0].Value"}},
		{"too many tags", with(func(in *CreateCertificateRequestInput) { in.Tags = manyTags }), []string{"Tags"}},
		{"several at once", with(func(in *CreateCertificateRequestInput) {
			in.ProductCode, in.Email, in.Domain, in.ValidateType = "nope", "nope", "", "nope"
			in.Tags = []Tag{{Key: "a"}, {}, {Key: ""}}
		}), []string{"ProductCode", "Email", "Domain", "ValidateType", "Tags[1].Key", "Tags[2].Key"}},
	})
}

func TestValidationDescribeCertificateState(t *testing.T) {
	t.Parallel()
	describe := func(in *DescribeCertificateStateInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return c.CAS.DescribeCertificateState(ctx, in) }
	}
	wait := func(in *DescribeCertificateStateInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			return c.CAS.WaitForCertificate(ctx, in, WithPollInterval(1))
		}
	}
	valRun(t, "DescribeCertificateState", []valCase{
		{"nil input", describe(nil), []string{"OrderID"}},
		{"zero OrderID", describe(&DescribeCertificateStateInput{}), []string{"OrderID"}},
		{"negative OrderID", describe(&DescribeCertificateStateInput{OrderID: -98987582437920968}), []string{"OrderID"}},
		{"WaitForCertificate nil input", wait(nil), []string{"OrderID"}},
		{"WaitForCertificate zero OrderID", wait(&DescribeCertificateStateInput{}), []string{"OrderID"}},
	})
}
