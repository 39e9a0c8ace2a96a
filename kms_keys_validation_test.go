package alicert

import (
	"context"
	"strings"
	"testing"
)

// The validation cases of the KMS key operations, in the shape of
// validation_test.go's: each bad input names its fields, in order, and
// nothing reaches the server.

func TestValidationCreateKey(t *testing.T) {
	t.Parallel()
	with := func(edit func(*CreateKeyInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &CreateKeyInput{KeySpec: "EC_P256", KeyUsage: KeyUsageSignVerify}
			edit(in)
			return valOut(c.KMS.CreateKey(ctx, in))
		}
	}
	valRun(t, "CreateKey", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.CreateKey(ctx, nil))
		}, []string{"KeySpec"}},
		{"KeySpec unknown", with(func(in *CreateKeyInput) { in.KeySpec = "EC_P384" }), []string{"KeySpec"}},
		{"KeySpec lower case", with(func(in *CreateKeyInput) { in.KeySpec = "rsa_2048" }), []string{"KeySpec"}},
		{"KeyUsage unknown", with(func(in *CreateKeyInput) { in.KeyUsage = "SIGN" }), []string{"KeyUsage"}},
		{"symmetric key to sign", with(func(in *CreateKeyInput) { in.KeySpec = "Aliyun_AES_256" }), []string{"KeyUsage"}},
		{"EC key to encrypt", with(func(in *CreateKeyInput) { in.KeyUsage = KeyUsageEncryptDecrypt }), []string{"KeyUsage"}},
		{"Description too long", with(func(in *CreateKeyInput) { in.Description = strings.Repeat("证", 8193) }), []string{"Description"}},
		{"ProtectionLevel unknown", with(func(in *CreateKeyInput) { in.ProtectionLevel = "hsm" }), []string{"ProtectionLevel"}},
		{"everything wrong", with(func(in *CreateKeyInput) {
			*in = CreateKeyInput{KeySpec: "AES", KeyUsage: "x", Description: strings.Repeat("a", 8193), ProtectionLevel: "x"}
		}), []string{"KeySpec", "KeyUsage", "Description", "ProtectionLevel"}},
	})
}

func TestValidationGetPublicKey(t *testing.T) {
	t.Parallel()
	valRun(t, "GetPublicKey", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.GetPublicKey(ctx, nil))
		}, []string{"KeyID", "KeyVersionID"}},
		{"KeyVersionID missing: the service requires it", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.GetPublicKey(ctx, &GetPublicKeyInput{KeyID: "key-1"}))
		}, []string{"KeyVersionID"}},
		{"KeyID blank", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.GetPublicKey(ctx, &GetPublicKeyInput{KeyID: " ", KeyVersionID: "v1"}))
		}, []string{"KeyID"}},
	})
}

func TestValidationAsymmetricSign(t *testing.T) {
	t.Parallel()
	with := func(edit func(*AsymmetricSignInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &AsymmetricSignInput{KeyID: "key-1", KeyVersionID: "v1", Algorithm: AlgorithmECDSASHA256, Digest: make([]byte, 32)}
			edit(in)
			return valOut(c.KMS.AsymmetricSign(ctx, in))
		}
	}
	valRun(t, "AsymmetricSign", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.AsymmetricSign(ctx, nil))
		}, []string{"KeyID", "KeyVersionID", "Algorithm", "Digest"}},
		{"KeyVersionID missing", with(func(in *AsymmetricSignInput) { in.KeyVersionID = "" }), []string{"KeyVersionID"}},
		{"Algorithm SHA-384", with(func(in *AsymmetricSignInput) { in.Algorithm = "ECDSA_SHA_384" }), []string{"Algorithm"}},
		{"Algorithm SM2", with(func(in *AsymmetricSignInput) { in.Algorithm = "SM2DSA" }), []string{"Algorithm"}},
		{"Digest empty", with(func(in *AsymmetricSignInput) { in.Digest = nil }), []string{"Digest"}},
		{"Digest SHA-1 sized", with(func(in *AsymmetricSignInput) { in.Digest = make([]byte, 20) }), []string{"Digest"}},
		{"Digest SHA-384 sized", with(func(in *AsymmetricSignInput) { in.Digest = make([]byte, 48) }), []string{"Digest"}},
		{"a message instead of a digest", with(func(in *AsymmetricSignInput) { in.Digest = []byte("sign this message, please") }), []string{"Digest"}},
	})
}

func TestValidationListKeyVersions(t *testing.T) {
	t.Parallel()
	with := func(edit func(*ListKeyVersionsInput)) func(context.Context, *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			in := &ListKeyVersionsInput{KeyID: "key-1"}
			edit(in)
			return valOut(c.KMS.ListKeyVersions(ctx, in))
		}
	}
	valRun(t, "ListKeyVersions", []valCase{
		{"nil input", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.KMS.ListKeyVersions(ctx, nil))
		}, []string{"KeyID"}},
		{"PageNumber negative", with(func(in *ListKeyVersionsInput) { in.PageNumber = -1 }), []string{"PageNumber"}},
		{"PageSize too large", with(func(in *ListKeyVersionsInput) { in.PageSize = 101 }), []string{"PageSize"}},
		{"PageSize negative", with(func(in *ListKeyVersionsInput) { in.PageSize = -5 }), []string{"PageSize"}},
	})
}
