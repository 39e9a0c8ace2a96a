package alicert_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ksKey creates a SIGN/VERIFY key of spec in the fake.
func ksKey(t *testing.T, c *alicert.Client, spec string) alicert.KeyMetadata {
	t.Helper()
	out, err := c.KMS.CreateKey(t.Context(), &alicert.CreateKeyInput{KeySpec: spec, KeyUsage: alicert.KeyUsageSignVerify})
	require.NoError(t, err)
	return out.KeyMetadata
}

// ksSigner creates a key of spec and a signer for its primary version.
func ksSigner(t *testing.T, c *alicert.Client, spec string) *alicert.KMSSigner {
	t.Helper()
	key := ksKey(t, c, spec)
	s, err := alicert.NewKMSSigner(t.Context(), c, key.KeyID, "")
	require.NoError(t, err)
	return s
}

// ksAlgorithms returns the Algorithm of every AsymmetricSign the fake
// received.
func ksAlgorithms(srv *alicerttest.Server) []string {
	var algs []string
	for _, r := range srv.Requests() {
		if r.Action == "AsymmetricSign" {
			algs = append(algs, r.Params.Get("Algorithm"))
		}
	}
	return algs
}

func TestKMSSignerCSR(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec   string
		sigAlg x509.SignatureAlgorithm // 0: x509's default for the key
		want   string                  // the AsymmetricSign algorithm
	}{
		{"EC_P256", 0, "ECDSA_SHA_256"},
		{"RSA_2048", 0, "RSA_PKCS1_SHA_256"},
		{"RSA_2048", x509.SHA256WithRSAPSS, "RSA_PSS_SHA_256"},
		{"RSA_3072", 0, "RSA_PKCS1_SHA_256"},
	} {
		t.Run(tc.spec+"/"+tc.want, func(t *testing.T) {
			t.Parallel()
			c, srv := setupFake(t)
			signer := ksSigner(t, c, tc.spec)
			der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
				Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"},
				SignatureAlgorithm: tc.sigAlg,
			}, signer)
			require.NoError(t, err)
			csr, err := x509.ParseCertificateRequest(der)
			require.NoError(t, err)
			require.NoError(t, csr.CheckSignature())
			assert.True(t, signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(csr.PublicKey))
			assert.Equal(t, []string{tc.want}, ksAlgorithms(srv))
		})
	}
}

func TestKMSSignerPSS(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	signer := ksSigner(t, c, "RSA_2048")
	pub := signer.Public().(*rsa.PublicKey)
	digest := sha256.Sum256([]byte("the message"))
	for _, salt := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto} {
		sig, err := signer.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: salt, Hash: crypto.SHA256})
		require.NoError(t, err)
		// KMS's salt is the hash length: it verifies with either setting.
		require.NoError(t, rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}))
		require.NoError(t, rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}))
		assert.Error(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig), "a PSS signature is not PKCS #1 v1.5")
	}
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	require.NoError(t, err)
	require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig))
	assert.Equal(t, []string{"RSA_PSS_SHA_256", "RSA_PSS_SHA_256", "RSA_PKCS1_SHA_256"}, ksAlgorithms(srv))
}

func TestKMSSignerECDSAIsDER(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t)
	signer := ksSigner(t, c, "EC_P256")
	digest := sha256.Sum256([]byte("the message"))
	sig, err := signer.Sign(nil, digest[:], crypto.SHA256)
	require.NoError(t, err)
	assert.True(t, ecdsa.VerifyASN1(signer.Public().(*ecdsa.PublicKey), digest[:], sig))
	assert.Equal(t, byte(0x30), sig[0], "an ASN.1 SEQUENCE, not raw r||s")
}

// TestKMSSignerRefusesBeforeAnyRequest checks that every hash, salt length
// and key type KMS cannot sign is an error before anything is sent, never
// a silent re-hash, and that no error shows the digest.
func TestKMSSignerRefusesBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	ec := ksSigner(t, c, "EC_P256")
	rsaSigner := ksSigner(t, c, "RSA_2048")
	d256 := sha256.Sum256([]byte("x"))
	d48 := make([]byte, 48)
	for i := range d48 {
		d48[i] = 0xa5
	}
	before := srv.RequestCount("AsymmetricSign")
	for _, tc := range []struct {
		name   string
		signer *alicert.KMSSigner
		digest []byte
		opts   crypto.SignerOpts
		want   string
	}{
		{"SHA-384 on EC", ec, d48, crypto.SHA384, "SHA-384 is not supported"},
		{"SHA-384 on RSA", rsaSigner, d48, crypto.SHA384, "SHA-384 is not supported"},
		{"SHA-1", rsaSigner, d48[:20], crypto.SHA1, "SHA-1 is not supported"},
		{"SHA-512", ec, make([]byte, 64), crypto.SHA512, "SHA-512 is not supported"},
		{"no hash (Ed25519 style)", ec, []byte("message"), crypto.Hash(0), "none"},
		{"nil options", ec, d256[:], nil, "no signer options"},
		{"PSS with SHA-384", rsaSigner, d48, &rsa.PSSOptions{Hash: crypto.SHA384, SaltLength: rsa.PSSSaltLengthEqualsHash}, "SHA-384"},
		{"PSS without a hash", rsaSigner, d256[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}, "none"},
		{"PSS salt 20", rsaSigner, d256[:], &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: 20}, "salt length 20"},
		{"PSS salt 64", rsaSigner, d256[:], &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: 64}, "salt length 64"},
		{"PSS on an EC key", ec, d256[:], &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}, "EC key"},
		{"SHA-256 but a 48-byte digest", ec, d48, crypto.SHA256, "48 bytes"},
		{"SHA-256 but a message", rsaSigner, []byte("not hashed yet"), crypto.SHA256, "14 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := tc.signer.Sign(rand.Reader, tc.digest, tc.opts)
			require.Error(t, err)
			assert.Nil(t, sig)
			assert.Contains(t, err.Error(), tc.want)
			for _, form := range []string{hex.EncodeToString(tc.digest), base64.StdEncoding.EncodeToString(tc.digest)} {
				assert.NotContains(t, err.Error(), form, "the digest is in the error")
			}
		})
	}
	assert.Equal(t, before, srv.RequestCount("AsymmetricSign"), "a refused Sign sent a request")
}

// TestKMSSignerPublicKeyFetchedOnce checks that construction costs one
// GetPublicKey and a Sign none.
func TestKMSSignerPublicKeyFetchedOnce(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	signer := ksSigner(t, c, "EC_P256")
	assert.Equal(t, 1, srv.RequestCount("GetPublicKey"))
	assert.Equal(t, 1, srv.RequestCount("ListKeyVersions"), "an empty version is looked up once")
	digest := sha256.Sum256([]byte("x"))
	for range 5 {
		_, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.RequestCount("GetPublicKey"))
	assert.Equal(t, 5, srv.RequestCount("AsymmetricSign"))
}

// TestKMSSignerPrimaryVersion checks that an empty version is the newest
// (primary) one, that a named version is used as named, and that each
// signer keeps its version's key.
func TestKMSSignerPrimaryVersion(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64 // the fake's clock ahead of the real one
	c, srv := setupFake(t, alicerttest.WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	key := ksKey(t, c, "EC_P256")
	_, err := srv.AddKMSKeyVersion(key.KeyID)
	require.Error(t, err, "KMS refuses a version within seven days of the last")
	// Eight days on for the new version, then back, so that the client's
	// request timestamps are in the fake's window again.
	offset.Store(int64(8 * 24 * time.Hour))
	v2, err := srv.AddKMSKeyVersion(key.KeyID)
	offset.Store(0)
	require.NoError(t, err)

	primary, err := alicert.NewKMSSigner(t.Context(), c, key.KeyID, "")
	require.NoError(t, err)
	assert.Equal(t, v2, primary.KeyVersionID())
	assert.Equal(t, key.KeyID, primary.KeyID())
	first, err := alicert.NewKMSSigner(t.Context(), c, key.KeyID, key.PrimaryKeyVersion)
	require.NoError(t, err)
	assert.Equal(t, key.PrimaryKeyVersion, first.KeyVersionID())
	assert.False(t, primary.Public().(*ecdsa.PublicKey).Equal(first.Public()), "two versions, two keys")

	digest := sha256.Sum256([]byte("x"))
	for _, s := range []*alicert.KMSSigner{primary, first} {
		sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
		require.NoError(t, err)
		assert.True(t, ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), digest[:], sig))
	}
	var versions []string
	for _, r := range srv.Requests() {
		if r.Action == "AsymmetricSign" {
			versions = append(versions, r.Params.Get("KeyVersionId"))
		}
	}
	assert.Equal(t, []string{v2, key.PrimaryKeyVersion}, versions)
}

func TestKMSSignerUnknownKey(t *testing.T) {
	t.Parallel()
	c, _ := setupFake(t)
	_, err := alicert.NewKMSSigner(t.Context(), c, "key-nope", "")
	var apiErr *alicert.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "Forbidden.KeyNotFound", apiErr.Code)
	_, err = alicert.NewKMSSigner(t.Context(), c, " ", "")
	assert.ErrorContains(t, err, "key id is empty")
	_, err = alicert.NewKMSSigner(t.Context(), nil, "key-1", "v")
	assert.ErrorContains(t, err, "Client is nil")
}

// TestKMSSignerTimeout checks that WithSignTimeout bounds a Sign whose KMS
// does not answer: the fake stalls for an hour, Sign returns the deadline.
func TestKMSSignerTimeout(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	key := ksKey(t, c, "EC_P256")
	signer, err := alicert.NewKMSSigner(t.Context(), c, key.KeyID, "", alicert.WithSignTimeout(20*time.Millisecond))
	require.NoError(t, err)
	srv.InjectFault("AsymmetricSign", alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Hour}, 0)
	digest := sha256.Sum256([]byte("x"))
	_, err = signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

// ksIssue has the fake's CA issue a certificate for the signer's key,
// through a CSR the signer signs.
func ksIssue(t testing.TB, srv *alicerttest.Server, signer crypto.Signer, name string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
	}, signer)
	require.NoError(t, err)
	certPEM, err := srv.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), 0)
	require.NoError(t, err)
	return certPEM + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.CACertificate().Raw}))
}

// ksHandshake runs one TLS handshake of a client trusting the fake's CA
// against a server with cert, both limited to version.
func ksHandshake(t *testing.T, srv *alicerttest.Server, cert tls.Certificate, version uint16) tls.ConnectionState {
	t.Helper()
	sc, cc := net.Pipe()
	defer sc.Close()
	defer cc.Close()
	server := tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: version, MaxVersion: version})
	client := tls.Client(cc, &tls.Config{RootCAs: srv.CAPool(), ServerName: "www.example.com", MinVersion: version, MaxVersion: version})
	errc := make(chan error, 1)
	go func() { errc <- server.HandshakeContext(t.Context()) }()
	require.NoError(t, client.HandshakeContext(t.Context()))
	require.NoError(t, <-errc)
	return client.ConnectionState()
}

// TestKMSSignerTLS checks TLS 1.3 and 1.2 handshakes against a server whose
// key is in KMS: one AsymmetricSign and no GetPublicKey per handshake, and
// only SHA-256 signatures asked of KMS.
func TestKMSSignerTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec    string
		version uint16
		want    string
	}{
		{"EC_P256", tls.VersionTLS13, "ECDSA_SHA_256"},
		{"EC_P256", tls.VersionTLS12, "ECDSA_SHA_256"},
		{"RSA_2048", tls.VersionTLS13, "RSA_PSS_SHA_256"}, // TLS 1.3 signs with PSS only
		{"RSA_2048", tls.VersionTLS12, "RSA_PSS_SHA_256"}, // Go's client prefers PSS
	} {
		t.Run(tc.spec+"/"+tls.VersionName(tc.version), func(t *testing.T) {
			t.Parallel()
			c, srv := setupFake(t)
			signer := ksSigner(t, c, tc.spec)
			cert, err := signer.TLSCertificate([]byte(ksIssue(t, srv, signer, "www.example.com")))
			require.NoError(t, err)
			require.Len(t, cert.Certificate, 2)

			gets, signs := srv.RequestCount("GetPublicKey"), srv.RequestCount("AsymmetricSign")
			for range 2 {
				state := ksHandshake(t, srv, cert, tc.version)
				assert.Equal(t, tc.version, state.Version)
			}
			assert.Equal(t, gets, srv.RequestCount("GetPublicKey"), "a handshake fetched the public key")
			assert.Equal(t, signs+2, srv.RequestCount("AsymmetricSign"), "one AsymmetricSign per handshake")
			algs := ksAlgorithms(srv)
			for _, alg := range algs[len(algs)-2:] {
				assert.Equal(t, tc.want, alg)
			}
			for _, alg := range algs {
				assert.True(t, strings.HasSuffix(alg, "_SHA_256"), "KMS was asked for %s", alg)
			}
		})
	}
}

func TestKMSSignerTLSCertificateSchemes(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	for spec, want := range map[string][]tls.SignatureScheme{
		"EC_P256":  {tls.ECDSAWithP256AndSHA256},
		"RSA_2048": {tls.PSSWithSHA256, tls.PKCS1WithSHA256},
	} {
		signer := ksSigner(t, c, spec)
		cert, err := signer.TLSCertificate([]byte(ksIssue(t, srv, signer, "www.example.com")))
		require.NoError(t, err)
		assert.Equal(t, want, cert.SupportedSignatureAlgorithms, spec)
		assert.Same(t, signer, cert.PrivateKey)
		require.NotNil(t, cert.Leaf)
		assert.Equal(t, "www.example.com", cert.Leaf.Subject.CommonName)
	}
}

func TestKMSSignerTLSCertificateChecksTheChain(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	signer := ksSigner(t, c, "EC_P256")
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	otherPEM := ksIssue(t, srv, other, "www.example.com")
	keyDER, err := x509.MarshalPKCS8PrivateKey(other)
	require.NoError(t, err)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))

	for _, tc := range []struct {
		name, chain, want string
	}{
		{"another key's certificate", otherPEM, "is not for KMS key " + signer.KeyID()},
		{"a private key in the chain", ksIssue(t, srv, signer, "www.example.com") + keyPEM, "PRIVATE KEY block"},
		{"no certificate", "", "no PEM certificate"},
		{"not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "does not parse"},
	} {
		_, err := signer.TLSCertificate([]byte(tc.chain))
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(keyDER)[:40], tc.name)
	}
}
