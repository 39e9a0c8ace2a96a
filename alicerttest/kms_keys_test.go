package alicerttest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
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

// kkPublicKey fetches and parses a version's public key.
func kkPublicKey(t *testing.T, c *alicert.Client, keyID, version string) crypto.PublicKey {
	t.Helper()
	out, err := c.KMS.GetPublicKey(t.Context(), &alicert.GetPublicKeyInput{KeyID: keyID, KeyVersionID: version})
	require.NoError(t, err)
	block, rest := pem.Decode([]byte(out.PublicKey))
	require.NotNil(t, block)
	assert.Equal(t, "PUBLIC KEY", block.Type)
	assert.Empty(t, rest)
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, keyID, out.KeyID)
	assert.Equal(t, version, out.KeyVersionID)
	return pub
}

func TestKMSCreateKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	for _, tc := range []struct {
		spec string
		bits int // 0 for P-256
	}{{"EC_P256", 0}, {"RSA_2048", 2048}, {"RSA_3072", 3072}} {
		out, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: tc.spec, Description: "d"})
		require.NoError(t, err)
		m := out.KeyMetadata
		assert.Equal(t, tc.spec, m.KeySpec)
		assert.Equal(t, "SIGN/VERIFY", m.KeyUsage, "the default usage of a key that can sign")
		assert.Equal(t, "Enabled", m.KeyState)
		assert.Equal(t, "d", m.Description)
		assert.Regexp(t, `^acs:kms:cn-hangzhou:[1-9][0-9]{11}:key/`+regexp.QuoteMeta(m.KeyID)+`$`, m.Arn)
		assert.NotEmpty(t, m.PrimaryKeyVersion)
		assert.Equal(t, m.CreationDate, m.LastRotationDate)
		switch k := kkPublicKey(t, c, m.KeyID, m.PrimaryKeyVersion).(type) {
		case *ecdsa.PublicKey:
			assert.Zero(t, tc.bits)
			assert.Equal(t, "P-256", k.Curve.Params().Name)
		case *rsa.PublicKey:
			assert.Equal(t, tc.bits, k.N.BitLen())
		default:
			t.Fatalf("%s: a %T", tc.spec, k)
		}
	}
	sym, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "Aliyun_AES_256"})
	require.NoError(t, err)
	assert.Equal(t, "ENCRYPT/DECRYPT", sym.KeyMetadata.KeyUsage)
	assert.Equal(t, 4, srv.KMSKeyCount())
}

// TestKMSAsymmetricSignSignsForReal checks every algorithm's signature with
// the standard library's verifiers.
func TestKMSAsymmetricSignSignsForReal(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	digest := sha256.Sum256([]byte("message"))
	for _, tc := range []struct{ spec, alg string }{
		{"EC_P256", "ECDSA_SHA_256"}, {"RSA_2048", "RSA_PKCS1_SHA_256"}, {"RSA_2048", "RSA_PSS_SHA_256"},
	} {
		key, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: tc.spec})
		require.NoError(t, err)
		m := key.KeyMetadata
		pub := kkPublicKey(t, c, m.KeyID, m.PrimaryKeyVersion)
		out, err := c.KMS.AsymmetricSign(t.Context(), &alicert.AsymmetricSignInput{
			KeyID: m.KeyID, KeyVersionID: m.PrimaryKeyVersion, Algorithm: tc.alg, Digest: digest[:],
		})
		require.NoError(t, err)
		assert.Equal(t, m.PrimaryKeyVersion, out.KeyVersionID)
		switch tc.alg {
		case "ECDSA_SHA_256":
			assert.True(t, ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], out.Value))
		case "RSA_PKCS1_SHA_256":
			assert.NoError(t, rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], out.Value))
		case "RSA_PSS_SHA_256":
			// The salt is exactly the hash length.
			assert.NoError(t, rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], out.Value,
				&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
		}
	}
	assert.Equal(t, 3, srv.RequestCount("AsymmetricSign"))
}

// TestKMSAsymmetricSignIsStrict sends, by hand, what the client refuses:
// the fake must refuse it on its own.
func TestKMSAsymmetricSignIsStrict(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ec, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "EC_P256"})
	require.NoError(t, err)
	rsaKey, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "RSA_2048", KeyUsage: "ENCRYPT/DECRYPT"})
	require.NoError(t, err)
	d32 := base64.StdEncoding.EncodeToString(make([]byte, 32))
	ecID, ecV := ec.KeyMetadata.KeyID, ec.KeyMetadata.PrimaryKeyVersion
	for _, tc := range []struct {
		name   string
		params map[string]string
		code   string
	}{
		{"PSS on an EC key", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "RSA_PSS_SHA_256", "Digest": d32}, "InvalidParameter"},
		{"ECDSA on an RSA key", map[string]string{"KeyId": rsaKey.KeyMetadata.KeyID, "KeyVersionId": rsaKey.KeyMetadata.PrimaryKeyVersion,
			"Algorithm": "ECDSA_SHA_256", "Digest": d32}, "Forbidden.KeyUsageNotSupported"},
		{"SHA-384", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_384", "Digest": d32}, "InvalidParameter"},
		{"a 48-byte digest", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_256",
			"Digest": base64.StdEncoding.EncodeToString(make([]byte, 48))}, "InvalidParameter"},
		{"a 31-byte digest", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_256",
			"Digest": base64.StdEncoding.EncodeToString(make([]byte, 31))}, "InvalidParameter"},
		{"URL-safe base64", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_256",
			"Digest": base64.URLEncoding.EncodeToString(append([]byte{0xfb, 0xff, 0xbf}, make([]byte, 29)...))}, "InvalidParameter"},
		{"no version", map[string]string{"KeyId": ecID, "Algorithm": "ECDSA_SHA_256", "Digest": d32}, "MissingParameter"},
		{"unknown version", map[string]string{"KeyId": ecID, "KeyVersionId": "v-nope", "Algorithm": "ECDSA_SHA_256", "Digest": d32}, "Forbidden.ResourceNotFound"},
		{"unknown key", map[string]string{"KeyId": "key-nope", "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_256", "Digest": d32}, "Forbidden.KeyNotFound"},
		{"no digest", map[string]string{"KeyId": ecID, "KeyVersionId": ecV, "Algorithm": "ECDSA_SHA_256"}, "MissingParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]string{"Action": "AsymmetricSign", "Version": kmsVersion}
			for k, v := range tc.params {
				params[k] = v
			}
			res := raw{params: params}.send(t, srv)
			assert.Equal(t, tc.code, res.doc.Code, res.doc.Message)
		})
	}
}

func TestKMSGetPublicKeyNeedsTheVersion(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	key, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "EC_P256"})
	require.NoError(t, err)
	res := raw{params: map[string]string{"Action": "GetPublicKey", "Version": kmsVersion, "KeyId": key.KeyMetadata.KeyID}}.send(t, srv)
	assert.Equal(t, "MissingParameter", res.doc.Code)
	sym, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "Aliyun_AES_256"})
	require.NoError(t, err)
	_, err = c.KMS.GetPublicKey(t.Context(), &alicert.GetPublicKeyInput{KeyID: sym.KeyMetadata.KeyID, KeyVersionID: sym.KeyMetadata.PrimaryKeyVersion})
	var apiErr *alicert.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "Forbidden.KeyTypeNotSupported", apiErr.Code)
}

func TestKMSCreateKeyIsStrict(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		name   string
		params map[string]string
	}{
		{"unknown spec", map[string]string{"KeySpec": "EC_P384"}},
		{"an unmodelled curve", map[string]string{"KeySpec": "EC_SM2"}},
		{"a symmetric key to sign", map[string]string{"KeySpec": "Aliyun_AES_256", "KeyUsage": "SIGN/VERIFY"}},
		{"an EC key to encrypt", map[string]string{"KeySpec": "EC_P256", "KeyUsage": "ENCRYPT/DECRYPT"}},
		{"unknown protection", map[string]string{"KeySpec": "EC_P256", "ProtectionLevel": "TPM"}},
	} {
		params := map[string]string{"Action": "CreateKey", "Version": kmsVersion}
		for k, v := range tc.params {
			params[k] = v
		}
		res := raw{params: params}.send(t, srv)
		assert.Equal(t, "InvalidParameter", res.doc.Code, tc.name)
	}
	assert.Zero(t, srv.KMSKeyCount())
}

func TestKMSListKeyVersionsPages(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	key, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: "EC_P256"})
	require.NoError(t, err)
	out, err := c.KMS.ListKeyVersions(t.Context(), &alicert.ListKeyVersionsInput{KeyID: key.KeyMetadata.KeyID})
	require.NoError(t, err)
	require.Len(t, out.KeyVersions, 1)
	assert.Equal(t, alicert.KeyVersion{KeyID: key.KeyMetadata.KeyID, KeyVersionID: key.KeyMetadata.PrimaryKeyVersion,
		CreationDate: key.KeyMetadata.CreationDate}, out.KeyVersions[0])
	assert.Equal(t, int64(1), out.TotalCount)
	assert.Equal(t, int64(1), out.PageNumber)
	assert.Equal(t, int64(10), out.PageSize, "the documented default")

	out, err = c.KMS.ListKeyVersions(t.Context(), &alicert.ListKeyVersionsInput{KeyID: key.KeyMetadata.KeyID, PageNumber: 2})
	require.NoError(t, err)
	assert.Empty(t, out.KeyVersions)
	assert.Equal(t, int64(1), out.TotalCount)

	_, err = srv.AddKMSKeyVersion(key.KeyMetadata.KeyID)
	assert.ErrorContains(t, err, "seven days")
	_, err = srv.AddKMSKeyVersion("key-nope")
	assert.Error(t, err)
}

// TestKMSCreateKeyAutomaticRotation: with EnableAutomaticRotation, the
// metadata reports the schedule (RotationInterval in seconds,
// NextRotationDate one interval after the version's creation); without
// it, neither is sent. A period outside 7d to 365d, or an HSM key, is
// refused.
func TestKMSCreateKeyAutomaticRotation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	create := func(kv ...string) rawResult {
		p := map[string]string{"Action": "CreateKey", "Version": kmsVersion, "KeySpec": "EC_P256"}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return raw{params: p}.send(t, srv)
	}
	type meta struct {
		AutomaticRotation, RotationInterval, NextRotationDate, LastRotationDate string
		MaterialExpireTime                                                      *string
	}
	decode := func(res rawResult) meta {
		require.Equal(t, 200, res.status, "%s", res.body)
		var doc struct{ KeyMetadata meta }
		require.NoError(t, json.Unmarshal(res.body, &doc))
		return doc.KeyMetadata
	}
	m := decode(create("EnableAutomaticRotation", "true", "RotationInterval", "7d"))
	assert.Equal(t, "Enabled", m.AutomaticRotation)
	assert.Equal(t, "604800s", m.RotationInterval)
	last, err := time.Parse(time.RFC3339, m.LastRotationDate)
	require.NoError(t, err)
	next, err := time.Parse(time.RFC3339, m.NextRotationDate)
	require.NoError(t, err)
	assert.Equal(t, 7*24*time.Hour, next.Sub(last))

	plain := decode(create())
	assert.Equal(t, "Disabled", plain.AutomaticRotation)
	assert.Empty(t, plain.RotationInterval)
	assert.Empty(t, plain.NextRotationDate)
	require.NotNil(t, plain.MaterialExpireTime, "sent, empty: the material does not expire")
	assert.Empty(t, *plain.MaterialExpireTime)

	for _, bad := range [][]string{
		{"EnableAutomaticRotation", "true"},
		{"EnableAutomaticRotation", "true", "RotationInterval", "6d"},
		{"EnableAutomaticRotation", "true", "RotationInterval", "366d"},
		{"EnableAutomaticRotation", "true", "RotationInterval", "7w"},
		{"EnableAutomaticRotation", "true", "RotationInterval", "30d", "ProtectionLevel", "HSM"},
		{"EnableAutomaticRotation", "yes"},
	} {
		res := create(bad...)
		assert.NotEqual(t, 200, res.status, "%v", bad)
	}
}
