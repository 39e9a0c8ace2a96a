package alicert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ksiKMS starts a server that answers GetPublicKey with pub (version
// "v1") and AsymmetricSign with sign's answer for the request's digest.
func ksiKMS(t *testing.T, pub crypto.PublicKey, sign func(digest []byte, algorithm string) (version string, value []byte)) *testkit.Server {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
		var doc map[string]string
		switch r.Action() {
		case "GetPublicKey":
			doc = map[string]string{"RequestId": "REQ-GPK", "KeyId": "key-1", "KeyVersionId": "v1", "PublicKey": pubPEM}
		case "AsymmetricSign":
			digest, err := base64.StdEncoding.DecodeString(r.Form.Get("Digest"))
			if err != nil {
				return testkit.JSON(http.StatusBadRequest, `{"Code":"InvalidParameter","Message":"Digest"}`)
			}
			version, value := sign(digest, r.Form.Get("Algorithm"))
			doc = map[string]string{"RequestId": "REQ-AS", "KeyId": "key-1", "KeyVersionId": version}
			if value != nil {
				doc["Value"] = base64.StdEncoding.EncodeToString(value)
			}
		default:
			return testkit.JSON(http.StatusBadRequest, `{"Code":"InvalidAction.NotFound","Message":"no"}`)
		}
		body, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		return testkit.JSON(http.StatusOK, string(body))
	})
}

// TestKMSSignerChecksEverySignature checks that a signature that does not
// verify with the cached public key (another key's, another encoding,
// another padding) or comes from another version is an error, and that the
// error does not hold the signature.
func TestKMSSignerChecksEverySignature(t *testing.T) {
	t.Parallel()
	mine, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rawRS := func(k *ecdsa.PrivateKey, d []byte) []byte {
		r, s, err := ecdsa.Sign(rand.Reader, k, d)
		require.NoError(t, err)
		return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	}
	der := func(k *ecdsa.PrivateKey, d []byte) []byte {
		sig, err := ecdsa.SignASN1(rand.Reader, k, d)
		require.NoError(t, err)
		return sig
	}
	for _, tc := range []struct {
		name string
		sign func(d []byte) (string, []byte)
		want string
	}{
		{"the right key", func(d []byte) (string, []byte) { return "v1", der(mine, d) }, ""},
		{"another key", func(d []byte) (string, []byte) { return "v1", der(other, d) }, "does not verify"},
		{"raw r||s instead of DER", func(d []byte) (string, []byte) { return "v1", rawRS(mine, d) }, "does not verify"},
		{"a corrupted signature", func(d []byte) (string, []byte) {
			sig := der(mine, d)
			sig[len(sig)-1] ^= 1
			return "v1", sig
		}, "does not verify"},
		{"DER with trailing bytes", func(d []byte) (string, []byte) { return "v1", append(der(mine, d), 0) }, "does not verify"},
		{"another version", func(d []byte) (string, []byte) { return "v2", der(mine, d) }, "asked version v1 to sign, version v2 did"},
		{"no Value", func([]byte) (string, []byte) { return "v1", nil }, "no Value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sent []byte
			srv := ksiKMS(t, mine.Public(), func(d []byte, _ string) (string, []byte) {
				v, sig := tc.sign(d)
				sent = sig
				return v, sig
			})
			c := clientOf(t, srv)
			signer, err := NewKMSSigner(t.Context(), c, "key-1", "v1")
			require.NoError(t, err)
			digest := sha256.Sum256([]byte("m"))
			sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, sent, sig)
				return
			}
			require.Error(t, err)
			assert.Nil(t, sig)
			assert.Contains(t, err.Error(), tc.want)
			if len(sent) > 0 {
				assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(sent))
			}
		})
	}
}

// TestKMSSignerChecksThePadding checks that a PKCS #1 v1.5 signature
// answered for a PSS request is refused: the padding is part of the check.
func TestKMSSignerChecksThePadding(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	srv := ksiKMS(t, key.Public(), func(d []byte, _ string) (string, []byte) {
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d)
		require.NoError(t, err)
		return "v1", sig
	})
	signer, err := NewKMSSigner(t.Context(), clientOf(t, srv), "key-1", "v1")
	require.NoError(t, err)
	digest := sha256.Sum256([]byte("m"))
	_, err = signer.Sign(rand.Reader, digest[:], &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash})
	require.ErrorContains(t, err, "RSA_PSS_SHA_256 signature KMS returned does not verify")
	_, err = signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	require.NoError(t, err)
	assert.Equal(t, []string{"RSA_PSS_SHA_256", "RSA_PKCS1_SHA_256"},
		[]string{srv.Requests()[1].Form.Get("Algorithm"), srv.Requests()[2].Form.Get("Algorithm")})
}

// TestKMSSignerRefusesOtherKeys checks that NewKMSSigner accepts only the
// keys it can sign with: P-256 and RSA of 2048 bits or more.
func TestKMSSignerRefusesOtherKeys(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	srv := ksiKMS(t, p384.Public(), nil)
	_, err = NewKMSSigner(t.Context(), clientOf(t, srv), "key-1", "v1")
	assert.ErrorContains(t, err, "P-384; KMSSigner supports P-256")

	srv = testkit.NewScripted(t, testkit.JSON(http.StatusOK,
		`{"RequestId":"r","KeyId":"key-1","KeyVersionId":"v1","PublicKey":"-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"}`))
	_, err = NewKMSSigner(t.Context(), clientOf(t, srv), "key-1", "v1")
	assert.ErrorContains(t, err, "not a PEM PUBLIC KEY block")

	srv = testkit.NewScripted(t, testkit.JSON(http.StatusOK,
		`{"RequestId":"r","KeyId":"key-1","KeyVersionId":"v9","PublicKey":"x"}`))
	_, err = NewKMSSigner(t.Context(), clientOf(t, srv), "key-1", "v1")
	assert.ErrorContains(t, err, `asked for key version "v1", GetPublicKey answered for "v9"`)
}

// TestKMSSignerPrimaryVersionTie checks that two versions with the same
// date are never guessed between.
func TestKMSSignerPrimaryVersionTie(t *testing.T) {
	t.Parallel()
	srv := testkit.NewScripted(t, testkit.JSON(http.StatusOK, `{"RequestId":"r","TotalCount":2,"KeyVersions":{"KeyVersion":[`+
		`{"KeyId":"k","KeyVersionId":"a","CreationDate":"2025-01-01T00:00:00Z"},`+
		`{"KeyId":"k","KeyVersionId":"b","CreationDate":"2025-01-01T00:00:00Z"}]}}`))
	_, err := NewKMSSigner(t.Context(), clientOf(t, srv), "k", "")
	assert.ErrorContains(t, err, "pass the version id")
	assert.Equal(t, 1, len(srv.Requests()), "no GetPublicKey after the tie")
}
