package alicert

import (
	"context"
	"strings"
	"testing"
)

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
