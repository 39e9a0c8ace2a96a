package alicert

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
