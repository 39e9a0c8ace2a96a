package alicert

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The validation cases of the Private CA operations, in the shape of
// validation_test.go's: each bad input names its fields, in order, and
// nothing reaches the server.

func pcaTestCSR(t *testing.T, dns ...string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return lcCSR(t, key, "svc.internal", dns...)
}

func TestValidationCreateRootCACertificate(t *testing.T) {
	t.Parallel()
	valid := func() *CreateRootCACertificateInput {
		return &CreateRootCACertificateInput{CommonName: "Root", Organization: "Example", OrganizationUnit: "Security",
			Locality: "Hangzhou", State: "Zhejiang", Years: 10}
	}
	with := func(edit func(*CreateRootCACertificateInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.CreateRootCACertificate(ctx, in)
		}
	}
	valRun(t, "CreateRootCACertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.CreateRootCACertificate(ctx, nil) },
			[]string{"CommonName", "Organization", "OrganizationUnit", "Locality", "State", "Years"}},
		{"Years 4", with(func(in *CreateRootCACertificateInput) { in.Years = 4 }), []string{"Years"}},
		{"Years 11", with(func(in *CreateRootCACertificateInput) { in.Years = 11 }), []string{"Years"}},
		{"CountryCode lower case", with(func(in *CreateRootCACertificateInput) { in.CountryCode = "cn" }), []string{"CountryCode"}},
		{"CountryCode three letters", with(func(in *CreateRootCACertificateInput) { in.CountryCode = "CHN" }), []string{"CountryCode"}},
		{"Algorithm unknown", with(func(in *CreateRootCACertificateInput) { in.Algorithm = "RSA_3072" }), []string{"Algorithm"}},
		{"ClientToken not ASCII", with(func(in *CreateRootCACertificateInput) { in.ClientToken = "令牌" }), []string{"ClientToken"}},
		{"ClientToken control", with(func(in *CreateRootCACertificateInput) { in.ClientToken = "a\nb" }), []string{"ClientToken"}},
		{"blank subject", with(func(in *CreateRootCACertificateInput) { in.State, in.Locality = " ", "" }), []string{"Locality", "State"}},
	})
}

func TestValidationCreateSubCACertificate(t *testing.T) {
	t.Parallel()
	valid := func() *CreateSubCACertificateInput {
		return &CreateSubCACertificateInput{ParentIdentifier: "root", Algorithm: PCAKeyECC256, CommonName: "Sub",
			Organization: "Example", OrganizationUnit: "Security", Locality: "Hangzhou", State: "Zhejiang", Years: 5}
	}
	with := func(edit func(*CreateSubCACertificateInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.CreateSubCACertificate(ctx, in)
		}
	}
	valRun(t, "CreateSubCACertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.CreateSubCACertificate(ctx, nil) },
			[]string{"Algorithm", "CommonName", "Organization", "OrganizationUnit", "Locality", "State", "Years"}},
		{"ECC_384 is not a sub-CA algorithm", with(func(in *CreateSubCACertificateInput) { in.Algorithm = PCAKeyECC384 }), []string{"Algorithm"}},
		{"CountryCode four letters", with(func(in *CreateSubCACertificateInput) { in.CountryCode = "CHNA" }), []string{"CountryCode"}},
		{"CRLDays 366", with(func(in *CreateSubCACertificateInput) { in.CRLDays = 366 }), []string{"CRLDays"}},
		{"CRLDays negative", with(func(in *CreateSubCACertificateInput) { in.CRLDays = -1 }), []string{"CRLDays"}},
		{"negatives", with(func(in *CreateSubCACertificateInput) { in.CertMaxTime, in.PathLenConstraint = -1, -1 }),
			[]string{"CertMaxTime", "PathLenConstraint"}},
		{"empty usage", with(func(in *CreateSubCACertificateInput) { in.ExtendedKeyUsages = []string{"serverAuth", ""} }),
			[]string{"ExtendedKeyUsages[1]"}},
		{"ClientToken 65", with(func(in *CreateSubCACertificateInput) { in.ClientToken = strings.Repeat("t", 65) }), []string{"ClientToken"}},
		{"Years 11", with(func(in *CreateSubCACertificateInput) { in.Years = 11 }), []string{"Years"}},
	})
}

func TestValidationDescribeCACertificate(t *testing.T) {
	t.Parallel()
	valRun(t, "DescribeCACertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.DescribeCACertificate(ctx, nil) },
			[]string{"Identifier"}},
		{"blank", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.DescribeCACertificate(ctx, &DescribeCACertificateInput{Identifier: " "})
		}, []string{"Identifier"}},
	})
}

func TestValidationDescribeCACertificateList(t *testing.T) {
	t.Parallel()
	list := func(in *DescribeCACertificateListInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return c.PCA.DescribeCACertificateList(ctx, in) }
	}
	valRun(t, "DescribeCACertificateList", []valCase{
		{"CertType SUB_ROOT (the output's spelling)", list(&DescribeCACertificateListInput{CertType: "SUB_ROOT"}), []string{"CertType"}},
		{"CAStatus ISSUE", list(&DescribeCACertificateListInput{CAStatus: "ISSUE"}), []string{"CAStatus"}},
		{"ValidStatus expired", list(&DescribeCACertificateListInput{ValidStatus: "expired"}), []string{"ValidStatus"}},
		{"IssuerType", list(&DescribeCACertificateListInput{IssuerType: "remote"}), []string{"IssuerType"}},
		{"negative page", list(&DescribeCACertificateListInput{CurrentPage: -1, ShowSize: -2}), []string{"CurrentPage", "ShowSize"}},
	})
}

func TestValidationCreateServerCertificateWithCsr(t *testing.T) {
	t.Parallel()
	csr := pcaTestCSR(t, "svc.internal")
	valid := func() *CreateServerCertificateWithCsrInput {
		return &CreateServerCertificateWithCsrInput{ParentIdentifier: "sub", Csr: csr, Days: 30}
	}
	with := func(edit func(*CreateServerCertificateWithCsrInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.CreateServerCertificateWithCsr(ctx, in)
		}
	}
	valRun(t, "CreateServerCertificateWithCsr", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.CreateServerCertificateWithCsr(ctx, nil)
		},
			[]string{"ParentIdentifier", "Csr", "Days"}},
		{"Csr tampered", with(func(in *CreateServerCertificateWithCsrInput) { in.Csr = lcTamper(t, csr) }), []string{"Csr"}},
		{"Csr is a key", with(func(in *CreateServerCertificateWithCsrInput) {
			in.Csr = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
		}), []string{"Csr"}},
		{"Csr twice", with(func(in *CreateServerCertificateWithCsrInput) { in.Csr = csr + csr }), []string{"Csr"}},
		{"Csr not PEM", with(func(in *CreateServerCertificateWithCsrInput) { in.Csr = "MIIB" }), []string{"Csr"}},
		{"BeforeTime alone", with(func(in *CreateServerCertificateWithCsrInput) { in.BeforeTime = 1634283958 }), []string{"BeforeTime"}},
		{"AfterTime before BeforeTime", with(func(in *CreateServerCertificateWithCsrInput) {
			in.Days, in.BeforeTime, in.AfterTime = 0, 1665819958, 1634283958
		}), []string{"AfterTime"}},
		{"negative Days", with(func(in *CreateServerCertificateWithCsrInput) { in.Days = -1 }), []string{"Days"}},
		{"Months alone is not the model's rule", with(func(in *CreateServerCertificateWithCsrInput) { in.Days, in.Months = 0, 3 }), []string{"Days"}},
		{"Domain with a comma", with(func(in *CreateServerCertificateWithCsrInput) { in.Domain = []string{"a.internal,b.internal"} }), []string{"Domain[0]"}},
		{"Immediately 3", with(func(in *CreateServerCertificateWithCsrInput) { in.Immediately = 3 }), []string{"Immediately"}},
		{"Algorithm", with(func(in *CreateServerCertificateWithCsrInput) { in.Algorithm = "ECC_224" }), []string{"Algorithm"}},
	})
}

func TestValidationCreateClientCertificateWithCsr(t *testing.T) {
	t.Parallel()
	csr := pcaTestCSR(t)
	valid := func() *CreateClientCertificateWithCsrInput {
		return &CreateClientCertificateWithCsrInput{ParentIdentifier: "sub", Csr: csr, BeforeTime: 1634283958, AfterTime: 1665819958}
	}
	with := func(edit func(*CreateClientCertificateWithCsrInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.CreateClientCertificateWithCsr(ctx, in)
		}
	}
	valRun(t, "CreateClientCertificateWithCsr", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.CreateClientCertificateWithCsr(ctx, nil)
		},
			[]string{"ParentIdentifier", "Csr", "Days"}},
		{"SANType 9", with(func(in *CreateClientCertificateWithCsrInput) { in.SANType, in.SANValues = 9, []string{"a"} }), []string{"SANType"}},
		{"SANType negative", with(func(in *CreateClientCertificateWithCsrInput) { in.SANType = -1 }), []string{"SANType"}},
		{"SAN with a comma or a line break", with(func(in *CreateClientCertificateWithCsrInput) {
			in.SANType, in.SANValues = SANEmail, []string{"a@example.com", "b@example.com,c@example.com", "d\n", " "}
		}), []string{"SANValues[1]", "SANValues[2]", "SANValues[3]"}},
		{"AfterTime alone", with(func(in *CreateClientCertificateWithCsrInput) { in.BeforeTime = 0 }), []string{"BeforeTime"}},
		{"negative Years", with(func(in *CreateClientCertificateWithCsrInput) { in.Years = -1 }), []string{"Years"}},
	})
}

func TestValidationCreateCustomCertificate(t *testing.T) {
	t.Parallel()
	csr := pcaTestCSR(t)
	valid := func() *CreateCustomCertificateInput {
		return &CreateCustomCertificateInput{ParentIdentifier: "sub", Csr: csr, Validity: "90d"}
	}
	with := func(edit func(*CreateCustomCertificateInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.CreateCustomCertificate(ctx, in)
		}
	}
	ext := func(e *CustomCertificateExtensions) func(*CreateCustomCertificateInput) {
		return func(in *CreateCustomCertificateInput) {
			in.APIPassthrough = &CustomCertificatePassthrough{Extensions: e}
		}
	}
	valRun(t, "CreateCustomCertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.CreateCustomCertificate(ctx, nil) },
			[]string{"ParentIdentifier", "Csr", "Validity"}},
		{"Validity in weeks", with(func(in *CreateCustomCertificateInput) { in.Validity = "2w" }), []string{"Validity"}},
		{"Validity zero days", with(func(in *CreateCustomCertificateInput) { in.Validity = "0d" }), []string{"Validity"}},
		{"Validity signed", with(func(in *CreateCustomCertificateInput) { in.Validity = "+1y" }), []string{"Validity"}},
		{"Validity with a zone", with(func(in *CreateCustomCertificateInput) { in.Validity = "2030-01-02T03:04:05+08:00" }), []string{"Validity"}},
		{"Validity backwards", with(func(in *CreateCustomCertificateInput) {
			in.Validity = "2030-02-02T03:04:05Z/2030-01-02T03:04:05Z"
		}), []string{"Validity"}},
		{"Validity bad start", with(func(in *CreateCustomCertificateInput) { in.Validity = "soon/2030-01-02T03:04:05Z" }), []string{"Validity"}},
		{"SerialNumber hex", with(func(in *CreateCustomCertificateInput) {
			in.APIPassthrough = &CustomCertificatePassthrough{SerialNumber: "0x1f"}
		}), []string{"APIPassthrough.SerialNumber"}},
		{"Subject", with(func(in *CreateCustomCertificateInput) {
			in.APIPassthrough = &CustomCertificatePassthrough{Subject: &CustomCertificateSubject{Country: "China",
				CustomAttributes: []CustomSubjectAttribute{{ObjectIdentifier: "title", Value: "x"}, {ObjectIdentifier: "2..5"}}}}
		}), []string{"APIPassthrough.Subject.Country", "APIPassthrough.Subject.CustomAttributes[0].ObjectIdentifier",
			"APIPassthrough.Subject.CustomAttributes[1].ObjectIdentifier"}},
		{"SAN type", with(ext(&CustomCertificateExtensions{SubjectAlternativeNames: []CustomSAN{{Type: "DNS", Value: "a"}, {Type: CustomSANIP}}})),
			[]string{"APIPassthrough.Extensions.SubjectAlternativeNames[0].Type", "APIPassthrough.Extensions.SubjectAlternativeNames[1].Value"}},
		{"empty usage and critical", with(ext(&CustomCertificateExtensions{ExtendedKeyUsages: []string{""}, Criticals: []string{""}})),
			[]string{"APIPassthrough.Extensions.ExtendedKeyUsages[0]", "APIPassthrough.Extensions.Criticals[0]"}},
		{"Immediately", with(func(in *CreateCustomCertificateInput) { in.Immediately = -1 }), []string{"Immediately"}},
	})
}

func TestValidationPCAReads(t *testing.T) {
	t.Parallel()
	valRun(t, "DescribeClientCertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.DescribeClientCertificate(ctx, nil) },
			[]string{"Identifier"}},
	})
	valRun(t, "ListClientCertificate", []valCase{
		{"negative", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.ListClientCertificate(ctx, &ListClientCertificateInput{CurrentPage: -1})
		}, []string{"CurrentPage"}},
		{"beyond int32", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.ListClientCertificate(ctx, &ListClientCertificateInput{CurrentPage: 1 << 31, ShowSize: 1 << 40})
		}, []string{"CurrentPage", "ShowSize"}},
	})
	valRun(t, "CreateRevokeClientCertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.CreateRevokeClientCertificate(ctx, nil)
		},
			[]string{"Identifier"}},
	})
	valRun(t, "ListRevokeCertificate", []valCase{
		{"negative size", func(ctx context.Context, c *Client) (any, error) {
			return c.PCA.ListRevokeCertificate(ctx, &ListRevokeCertificateInput{ShowSize: -5})
		}, []string{"ShowSize"}},
	})
}

func TestValidationSignCSR(t *testing.T) {
	t.Parallel()
	csr := pcaTestCSR(t, "svc.internal")
	valid := func() *SignCSRInput {
		return &SignCSRInput{CAIdentifier: "sub", CSR: csr, Duration: time.Hour}
	}
	with := func(edit func(*SignCSRInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.PCA.SignCSR(ctx, in)
		}
	}
	valRun(t, "SignCSR", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.PCA.SignCSR(ctx, nil) },
			[]string{"CAIdentifier", "CSR", "Duration"}},
		{"tampered CSR", with(func(in *SignCSRInput) { in.CSR = lcTamper(t, csr) }), []string{"CSR"}},
		{"CSR is a certificate", with(func(in *SignCSRInput) { in.CSR = lcFixtureMust("cert.pem") }), []string{"CSR"}},
		{"under a second", with(func(in *SignCSRInput) { in.Duration = time.Millisecond }), []string{"Duration"}},
		{"CA usage", with(func(in *SignCSRInput) { in.KeyUsage = x509.KeyUsageCertSign }), []string{"KeyUsage"}},
		{"subject", with(func(in *SignCSRInput) {
			in.Subject = &CustomCertificateSubject{Country: "China", CustomAttributes: []CustomSubjectAttribute{{ObjectIdentifier: "x"}}}
		}), []string{"Subject.Country", "Subject.CustomAttributes[0].ObjectIdentifier"}},
		{"code signing", with(func(in *SignCSRInput) {
			in.ExtKeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageCodeSigning}
		}), []string{"ExtKeyUsages[1]"}},
		{"names", with(func(in *SignCSRInput) {
			in.DNSNames = []string{"a b"}
			in.EmailAddresses = []string{""}
			in.URIs = []*url.URL{nil}
			in.IPAddresses = []net.IP{{1, 2, 3}}
		}), []string{"DNSNames[0]", "EmailAddresses[0]", "URIs[0]", "IPAddresses[0]"}},
	})
}

// An SM2 CSR, which the Private CA signs but Go cannot parse, passes on its
// framing; a request Go cannot parse for any other reason does not.
func TestPCACSRCheckLetsSM2Through(t *testing.T) {
	t.Parallel()
	block, _ := pem.Decode([]byte(pcaTestCSR(t, "svc.internal")))
	require.NotNil(t, block)
	prime256v1 := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
	sm2p256v1 := []byte{0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d} // 1.2.156.10197.1.301
	require.True(t, bytes.Contains(block.Bytes, prime256v1))
	sm2 := string(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: bytes.Replace(block.Bytes, prime256v1, sm2p256v1, 1)}))
	_, err := x509.ParseCertificateRequest(bytes.Replace(block.Bytes, prime256v1, sm2p256v1, 1))
	require.ErrorContains(t, err, "unsupported elliptic curve", "the stand-in is what Go makes of SM2")

	var p problems
	checkPCACSR(&p, "Csr", sm2)
	assert.Empty(t, p)

	garbage := string(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: block.Bytes[:len(block.Bytes)/2]}))
	checkPCACSR(&p, "Csr", garbage)
	require.Len(t, p, 1)
	assert.Contains(t, p[0].Problem, "not a valid PKCS #10 request")
}

// The model's x400Address example holds spaces: a SanValue may.
func TestClientSANValuesMayHoldSpaces(t *testing.T) {
	t.Parallel()
	in := &CreateClientCertificateWithCsrInput{ParentIdentifier: "sub", Csr: pcaTestCSR(t), Days: 1,
		SANType: SANX400Address, SANValues: []string{"G=Zhang; S=San; O=Company; PRMD=IT; ADMD=Telecom; C=CN"}}
	assert.Empty(t, in.validate())
}
