package alicert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// valCase is one input and the fields its ValidationError must name, in
// order.
type valCase struct {
	name   string
	call   func(context.Context, *Client) (any, error)
	fields []string
}

// valRefuse answers every request with an error: validation must stop
// every bad input before anything is sent, and a call that slipped through
// must be seen here, not reach a real service.
var valRefuse = testkit.Script(testkit.JSON(http.StatusTeapot, `{"Code":"ShouldNotBeCalled"}`))

// TestValClientReachesOnlyTheTestServer: every service of setup's client,
// Alidns included, sends to the test server.
func TestValClientReachesOnlyTheTestServer(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, valRefuse)
	for _, svc := range []fmt.Stringer{c.CAS, c.KMS, c.DNS} {
		assert.Contains(t, svc.String(), srv.URL)
	}
}

// valRun runs each case against a fresh recording server and checks the
// ValidationError and that no output came with it, then that the server
// saw nothing.
func valRun(t *testing.T, operation string, cases []valCase) {
	t.Helper()
	c, srv := setup(t, valRefuse)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.call(t.Context(), c)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
			assert.Equal(t, operation, ve.Operation)
			got := make([]string, len(ve.Fields))
			for i, f := range ve.Fields {
				got[i] = f.Field
				assert.NotEmpty(t, f.Problem, "field %s has no problem text", f.Field)
				assert.Contains(t, err.Error(), f.Field+": "+f.Problem)
			}
			assert.Equal(t, tc.fields, got)
			assert.False(t, strings.ContainsFunc(err.Error(), valIsFormatChar), "the error echoes an invisible character: %+q", err.Error())
			assert.True(t, valIsNilOutput(out), "an output came back with a validation error: %#v", out)
		})
	}
	assert.Zero(t, srv.Attempts(), "an invalid input reached the server: %v", srv.Forms())
}

// valIsNilOutput reports whether out is nil or a nil pointer: a call that
// fails validation returns no output.
func valIsNilOutput(out any) bool {
	v := reflect.ValueOf(out)
	return out == nil || v.Kind() == reflect.Pointer && v.IsNil()
}

// valIsFormatChar reports whether r is an invisible formatting character
// (zero-width, bidirectional override): a ValidationError names one by its
// code point and never echoes it, or the message would not show what is
// wrong.
func valIsFormatChar(r rune) bool { return unicode.Is(unicode.Cf, r) }

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

func TestValidationCreateCsr(t *testing.T) {
	t.Parallel()
	valid := func() *CreateCsrInput {
		return &CreateCsrInput{Algorithm: AlgorithmRSA, KeySize: 2048, CommonName: "example.com",
			CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou"}
	}
	with := func(edit func(*CreateCsrInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.CAS.CreateCsr(ctx, in)
		}
	}
	valRun(t, "CreateCsr", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.CAS.CreateCsr(ctx, nil) },
			[]string{"Algorithm", "KeySize", "CommonName", "CountryCode", "Province", "Locality"}},
		{"Algorithm empty", with(func(in *CreateCsrInput) { in.Algorithm = "" }), []string{"Algorithm"}},
		{"Algorithm unknown", with(func(in *CreateCsrInput) { in.Algorithm = "DSA" }), []string{"Algorithm"}},
		{"Algorithm lower case", with(func(in *CreateCsrInput) { in.Algorithm = "rsa" }), []string{"Algorithm"}},
		{"RSA 1024", with(func(in *CreateCsrInput) { in.KeySize = 1024 }), []string{"KeySize"}},
		{"RSA 256", with(func(in *CreateCsrInput) { in.KeySize = 256 }), []string{"KeySize"}},
		{"RSA no size", with(func(in *CreateCsrInput) { in.KeySize = 0 }), []string{"KeySize"}},
		{"ECC 2048", with(func(in *CreateCsrInput) { in.Algorithm = AlgorithmECC }), []string{"KeySize"}},
		{"ECC 384", with(func(in *CreateCsrInput) { in.Algorithm, in.KeySize = AlgorithmECC, 384 }), []string{"KeySize"}},
		{"SM2 2048", with(func(in *CreateCsrInput) { in.Algorithm = AlgorithmSM2 }), []string{"KeySize"}},
		{"CommonName empty", with(func(in *CreateCsrInput) { in.CommonName = "" }), []string{"CommonName"}},
		{"CountryCode empty", with(func(in *CreateCsrInput) { in.CountryCode = "" }), []string{"CountryCode"}},
		{"CountryCode three letters", with(func(in *CreateCsrInput) { in.CountryCode = "CHN" }), []string{"CountryCode"}},
		{"CountryCode digits", with(func(in *CreateCsrInput) { in.CountryCode = "86" }), []string{"CountryCode"}},
		{"CountryCode one letter", with(func(in *CreateCsrInput) { in.CountryCode = "C" }), []string{"CountryCode"}},
		{"Province empty", with(func(in *CreateCsrInput) { in.Province = " " }), []string{"Province"}},
		{"Locality empty", with(func(in *CreateCsrInput) { in.Locality = "" }), []string{"Locality"}},
		{"Name 51 characters", with(func(in *CreateCsrInput) { in.Name = strings.Repeat("n", 51) }), []string{"Name"}},
		{"Name with a space", with(func(in *CreateCsrInput) { in.Name = "my csr" }), []string{"Name"}},
		{"Name non-ASCII", with(func(in *CreateCsrInput) { in.Name = "证书" }), []string{"Name"}},
		{"Name too long and bad", with(func(in *CreateCsrInput) { in.Name = strings.Repeat("/", 51) }), []string{"Name", "Name"}},
		{"empty SAN", with(func(in *CreateCsrInput) { in.SANs = []string{"a.example.com", ""} }), []string{"SANs[1]"}},
		{"SAN with a comma", with(func(in *CreateCsrInput) { in.SANs = []string{"a.example.com,b.example.com"} }), []string{"SANs[0]"}},
		{"several at once", with(func(in *CreateCsrInput) {
			in.Algorithm, in.KeySize = AlgorithmECC, 2048
			in.CountryCode, in.Locality = "China", ""
			in.SANs = []string{" ", "ok.example.com", "a b"}
			in.Name = "bad name"
		}), []string{"KeySize", "CountryCode", "Locality", "SANs[0]", "SANs[2]", "Name"}},
	})
}

func TestValidationGetCsrDetail(t *testing.T) {
	t.Parallel()
	get := func(in *GetCsrDetailInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) { return c.CAS.GetCsrDetail(ctx, in) }
	}
	valRun(t, "GetCsrDetail", []valCase{
		{"nil input", get(nil), []string{"CsrID"}},
		{"zero CsrID", get(&GetCsrDetailInput{}), []string{"CsrID"}},
		{"negative CsrID", get(&GetCsrDetailInput{CsrID: -1}), []string{"CsrID"}},
	})
}

func TestValidationCreateCertificate(t *testing.T) {
	t.Parallel()
	valid := func() *CreateCertificateInput {
		return &CreateCertificateInput{KeySpec: KeySpecRSA2048,
			Subject: Subject{CommonName: "example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "IT"}}
	}
	with := func(edit func(*CreateCertificateInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := valid()
			edit(in)
			return c.KMS.CreateCertificate(ctx, in)
		}
	}
	sans := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("n%d.example.com", i)
		}
		return s
	}
	valRun(t, "CreateCertificate", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) { return c.KMS.CreateCertificate(ctx, nil) },
			[]string{"KeySpec", "Subject.CommonName", "Subject.Country", "Subject.Organization", "Subject.OrganizationalUnit"}},
		{"KeySpec empty", with(func(in *CreateCertificateInput) { in.KeySpec = "" }), []string{"KeySpec"}},
		{"KeySpec unknown", with(func(in *CreateCertificateInput) { in.KeySpec = "RSA_4096" }), []string{"KeySpec"}},
		{"Subject.CommonName empty", with(func(in *CreateCertificateInput) { in.Subject.CommonName = "" }), []string{"Subject.CommonName"}},
		{"Subject.Country empty", with(func(in *CreateCertificateInput) { in.Subject.Country = "" }), []string{"Subject.Country"}},
		{"Subject.Country not two letters", with(func(in *CreateCertificateInput) { in.Subject.Country = "CHN" }), []string{"Subject.Country"}},
		{"Subject.Organization empty", with(func(in *CreateCertificateInput) { in.Subject.Organization = "\t" }), []string{"Subject.Organization"}},
		{"Subject.OrganizationalUnit empty", with(func(in *CreateCertificateInput) { in.Subject.OrganizationalUnit = "" }), []string{"Subject.OrganizationalUnit"}},
		{"11 SANs", with(func(in *CreateCertificateInput) { in.SubjectAlternativeNames = sans(11) }), []string{"SubjectAlternativeNames"}},
		{"empty SAN", with(func(in *CreateCertificateInput) { in.SubjectAlternativeNames = []string{"a.example.com", ""} }),
			[]string{"SubjectAlternativeNames[1]"}},
		{"several at once", with(func(in *CreateCertificateInput) {
			in.KeySpec = "EC_P384"
			in.Subject = Subject{Country: "China", Province: "Zhejiang"}
			in.SubjectAlternativeNames = append(sans(10), " ")
		}), []string{"KeySpec", "Subject.CommonName", "Subject.Country", "Subject.Organization", "Subject.OrganizationalUnit",
			"SubjectAlternativeNames", "SubjectAlternativeNames[10]"}},
	})

	// Exactly ten names are allowed: the limit is not off by one.
	srv := newWireServer(t, wireReplyJSON(`{"RequestId":"r","CertificateId":"id"}`))
	in := valid()
	in.SubjectAlternativeNames = sans(10)
	_, err := clientOf(t, srv).KMS.CreateCertificate(t.Context(), in)
	require.NoError(t, err)
}

func TestValidationUploadCertificate(t *testing.T) {
	t.Parallel()
	const keyBody = "MIIEvalSecretKeyMaterialDoNotEcho"
	key := "-----BEGIN PRIVATE KEY-----\n" + keyBody + "\n-----END PRIVATE KEY-----\n"
	upload := func(in *UploadCertificateInput) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			out, err := c.KMS.UploadCertificate(ctx, in)
			if err != nil {
				assert.NotContains(t, err.Error(), keyBody, "the error echoes the private key")
			}
			return out, err
		}
	}
	valRun(t, "UploadCertificate", []valCase{
		{"nil input", upload(nil), []string{"CertificateID", "Certificate"}},
		{"CertificateID empty", upload(&UploadCertificateInput{Certificate: wireCertPEM}), []string{"CertificateID"}},
		{"Certificate empty", upload(&UploadCertificateInput{CertificateID: "id", CertificateChain: wireChainPEM}), []string{"Certificate"}},
		{"Certificate blank", upload(&UploadCertificateInput{CertificateID: "id", Certificate: "\n"}), []string{"Certificate"}},
		{"private key in Certificate", upload(&UploadCertificateInput{CertificateID: "id", Certificate: wireCertPEM + key}),
			[]string{"Certificate"}},
		{"private key in CertificateChain", upload(&UploadCertificateInput{CertificateID: "id", Certificate: wireCertPEM, CertificateChain: key}),
			[]string{"CertificateChain"}},
		{"several at once", upload(&UploadCertificateInput{CertificateChain: key}),
			[]string{"CertificateID", "Certificate", "CertificateChain"}},
	})
}
