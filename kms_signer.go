package alicert

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/pemchain"
)

// defaultSignTimeout bounds one KMSSigner.Sign when WithSignTimeout is not
// given: crypto.Signer takes no context, and a TLS handshake must not hang
// on a KMS that does not answer.
const defaultSignTimeout = 10 * time.Second

// minRSABits is the smallest RSA key KMSSigner accepts; KMS makes none
// smaller.
const minRSABits = 2048

// KMSSigner is a crypto.Signer whose private key is a KMS asymmetric key:
// the key never leaves KMS, every Sign is one AsymmetricSign request. Use it
// with x509.CreateCertificateRequest, x509.CreateCertificate, or a
// tls.Certificate from TLSCertificate.
//
// It signs only SHA-256 digests, with the algorithm the key and the options
// call for (see Sign), and checks every signature against the public key
// fetched by NewKMSSigner before returning it. It is safe for concurrent use.
type KMSSigner struct {
	kms       *KMSService
	keyID     string // the key id GetPublicKey reported, never an alias
	versionID string
	pub       crypto.PublicKey
	rsa       bool // an RSA key; otherwise ECDSA P-256
	timeout   time.Duration
}

// KMSSignerOption configures a KMSSigner.
type KMSSignerOption func(*KMSSigner)

// WithSignTimeout bounds each Sign, the AsymmetricSign request and its
// retries, by d (default 10s). A d of zero or less keeps the default.
func WithSignTimeout(d time.Duration) KMSSignerOption {
	return func(s *KMSSigner) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// NewKMSSigner returns a signer for one version of the KMS key keyID (an id
// or an alias). An empty keyVersionID means the key's primary version: the
// newest one ListKeyVersions reports. The version's public key is fetched
// here, once, and cached; the signer then always signs with that key id and
// version, even if the alias is later bound to another key or the key gets
// a newer version.
//
// Only EC P-256 and RSA (2048 bits or more) keys are supported.
func NewKMSSigner(ctx context.Context, c *Client, keyID, keyVersionID string, opts ...KMSSignerOption) (*KMSSigner, error) {
	if c == nil {
		return nil, errors.New("alicert: NewKMSSigner: the Client is nil")
	}
	if strings.TrimSpace(keyID) == "" {
		return nil, errors.New("alicert: NewKMSSigner: the key id is empty")
	}
	s := &KMSSigner{kms: c.KMS, timeout: defaultSignTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	if keyVersionID == "" {
		v, err := primaryKeyVersion(ctx, c.KMS, keyID)
		if err != nil {
			return nil, err
		}
		keyVersionID = v
	}
	out, err := c.KMS.GetPublicKey(ctx, &GetPublicKeyInput{KeyID: keyID, KeyVersionID: keyVersionID})
	if err != nil {
		return nil, errorf("alicert: NewKMSSigner: %w", err)
	}
	if out.KeyVersionID != "" && out.KeyVersionID != keyVersionID {
		return nil, errorf("alicert: NewKMSSigner: asked for key version %q, GetPublicKey answered for %q (request %s)",
			keyVersionID, out.KeyVersionID, out.RequestID)
	}
	s.keyID, s.versionID = keyID, keyVersionID
	if out.KeyID != "" {
		// Pinned: an alias rebound later must not make Sign use another key
		// than the public key below.
		s.keyID = out.KeyID
	}
	if s.pub, s.rsa, err = parseKMSPublicKey(out.PublicKey); err != nil {
		return nil, errorf("alicert: NewKMSSigner: key %s version %s: %w", s.keyID, s.versionID, err)
	}
	return s, nil
}

// primaryKeyVersion finds a key's primary version. KMS makes a new version
// the primary one, and refuses a new version less than seven days after the
// last, so the version with the newest CreationDate is the primary: two
// versions with the same date cannot both exist, and if they ever seem to,
// the caller is asked to name the version rather than be given a guess.
func primaryKeyVersion(ctx context.Context, kms *KMSService, keyID string) (string, error) {
	var versions []KeyVersion
	all := allPages("ListKeyVersions", 1, maxKeyVersionsPage, func(n int64) ([]KeyVersion, int64, error) {
		out, err := kms.ListKeyVersions(ctx, &ListKeyVersionsInput{KeyID: keyID, PageNumber: n, PageSize: maxKeyVersionsPage})
		if err != nil {
			return nil, 0, err
		}
		return out.KeyVersions, out.TotalCount, nil
	})
	for v, err := range all {
		if err != nil {
			return "", errorf("alicert: NewKMSSigner: finding the key's primary version: %w", err)
		}
		versions = append(versions, v)
		// KMS keeps at most 50 versions of a key; the bound (ten full
		// pages) only guards against a service that never stops answering.
		if len(versions) >= 10*maxKeyVersionsPage {
			break
		}
	}
	var newest string
	var newestAt time.Time
	tie := false
	for _, v := range versions {
		at, err := time.Parse(time.RFC3339, v.CreationDate)
		if err != nil || v.KeyVersionID == "" {
			return "", errorf("alicert: NewKMSSigner: key %s: ListKeyVersions gave a version without an id or a date (%q); "+
				"pass the version id to NewKMSSigner", keyID, v.CreationDate)
		}
		switch {
		case newest == "" || at.After(newestAt):
			newest, newestAt, tie = v.KeyVersionID, at, false
		case at.Equal(newestAt):
			tie = true
		}
	}
	switch {
	case newest == "":
		return "", errorf("alicert: NewKMSSigner: key %s has no versions", keyID)
	case tie:
		return "", errorf("alicert: NewKMSSigner: key %s has several versions created at %s; "+
			"pass the version id to NewKMSSigner", keyID, newestAt.Format(time.RFC3339))
	}
	return newest, nil
}

// parseKMSPublicKey reads GetPublicKey's PEM and keeps the key types the
// signer supports.
func parseKMSPublicKey(s string) (crypto.PublicKey, bool, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, false, errors.New("the public key is not a PEM PUBLIC KEY block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		// An EC_P256K or EC_SM2 key lands here: Go has neither curve.
		return nil, false, fmt.Errorf("the public key is not one KMSSigner supports (EC P-256 or RSA): %w", err)
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, false, fmt.Errorf("the EC key is on %s; KMSSigner supports P-256", k.Curve.Params().Name)
		}
		return k, false, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return nil, false, fmt.Errorf("the RSA key has %d bits; KMSSigner wants %d or more", k.N.BitLen(), minRSABits)
		}
		return k, true, nil
	}
	return nil, false, fmt.Errorf("the public key is a %T; KMSSigner supports EC P-256 and RSA", pub)
}

// Public returns the key's public key (*ecdsa.PublicKey or
// *rsa.PublicKey), fetched once by NewKMSSigner.
func (s *KMSSigner) Public() crypto.PublicKey { return s.pub }

// KeyID returns the id of the key the signer signs with.
func (s *KMSSigner) KeyID() string { return s.keyID }

// KeyVersionID returns the id of the key version the signer signs with.
func (s *KMSSigner) KeyVersionID() string { return s.versionID }

// Sign has KMS sign digest, a SHA-256 digest, and returns the signature:
//
//   - crypto.SHA256 on an EC P-256 key: ECDSA_SHA_256, an ASN.1 DER
//     signature (as ecdsa.VerifyASN1 reads it);
//   - crypto.SHA256 on an RSA key: RSA_PKCS1_SHA_256;
//   - *rsa.PSSOptions{Hash: crypto.SHA256} with SaltLength
//     rsa.PSSSaltLengthEqualsHash or rsa.PSSSaltLengthAuto on an RSA key:
//     RSA_PSS_SHA_256 (KMS's salt is as long as the hash, which both
//     settings verify).
//
// Any other hash, salt length or key type is an error before any request:
// KMS signs SHA-256 digests only, and a digest is never re-hashed. rand is
// not used: KMS draws its own randomness. The signature is checked against
// the public key before it is returned, so that a wrong key version or a
// corrupted answer is an error here rather than a failed handshake later.
// Errors never hold the digest, the signature or key material.
func (s *KMSSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	algorithm, pss, err := s.algorithm(opts)
	if err != nil {
		return nil, err
	}
	if len(digest) != sha256Size {
		return nil, errorf("alicert: KMSSigner: the digest is %d bytes; a SHA-256 digest is %d", len(digest), sha256Size)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	out, err := s.kms.AsymmetricSign(ctx, &AsymmetricSignInput{
		KeyID: s.keyID, KeyVersionID: s.versionID, Algorithm: algorithm, Digest: digest,
	})
	if err != nil {
		return nil, errorf("alicert: KMSSigner: key %s version %s: %w", s.keyID, s.versionID, err)
	}
	if out.KeyVersionID != "" && out.KeyVersionID != s.versionID {
		return nil, errorf("alicert: KMSSigner: key %s: asked version %s to sign, version %s did (request %s)",
			s.keyID, s.versionID, out.KeyVersionID, out.RequestID)
	}
	if !s.verify(digest, out.Value, pss) {
		return nil, errorf("alicert: KMSSigner: key %s version %s: the %s signature KMS returned does not verify "+
			"with the key's public key (request %s)", s.keyID, s.versionID, algorithm, out.RequestID)
	}
	return out.Value, nil
}

// algorithm maps Sign's options to the AsymmetricSign algorithm, or says
// why it cannot. pss holds the caller's PSS options, to verify with.
func (s *KMSSigner) algorithm(opts crypto.SignerOpts) (string, *rsa.PSSOptions, error) {
	if opts == nil {
		return "", nil, errors.New("alicert: KMSSigner: no signer options; pass crypto.SHA256 or *rsa.PSSOptions")
	}
	if h := opts.HashFunc(); h != crypto.SHA256 {
		return "", nil, errorf("alicert: KMSSigner: hash %s is not supported; KMS signs SHA-256 digests only", hashName(h))
	}
	if pss, ok := opts.(*rsa.PSSOptions); ok {
		switch {
		case !s.rsa:
			return "", nil, errors.New("alicert: KMSSigner: RSA-PSS options for an EC key")
		case pss.SaltLength != rsa.PSSSaltLengthEqualsHash && pss.SaltLength != rsa.PSSSaltLengthAuto:
			return "", nil, errorf("alicert: KMSSigner: PSS salt length %d is not supported; KMS's salt is the hash length "+
				"(rsa.PSSSaltLengthEqualsHash, or rsa.PSSSaltLengthAuto)", pss.SaltLength)
		}
		return AlgorithmRSAPSSSHA256, pss, nil
	}
	if s.rsa {
		return AlgorithmRSAPKCS1SHA256, nil, nil
	}
	return AlgorithmECDSASHA256, nil, nil
}

// hashName names a hash for an error; crypto.Hash(0) (no hashing, as
// Ed25519 asks) has no String of its own.
func hashName(h crypto.Hash) string {
	if h == 0 {
		return "none (an unhashed message)"
	}
	return h.String()
}

// verify checks sig over digest with the cached public key, the way the
// relying party will.
func (s *KMSSigner) verify(digest, sig []byte, pss *rsa.PSSOptions) bool {
	switch pub := s.pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case *rsa.PublicKey:
		if pss != nil {
			return rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: pss.SaltLength, Hash: crypto.SHA256}) == nil
		}
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig) == nil
	}
	return false
}

// tlsChainError words an error of pemchain.Certificates for TLSCertificate.
func tlsChainError(err error) error {
	const op = "alicert: KMSSigner.TLSCertificate: "
	var typeErr *pemchain.TypeError
	var parseErr *pemchain.ParseError
	var blocksErr *pemchain.Error
	switch {
	case errors.As(err, &typeErr):
		// The type only: a private key pasted here must not be echoed.
		return fmt.Errorf(op+"the chain holds a %s block; give certificates only (the key stays in KMS)", typeErr.Type)
	case errors.As(err, &parseErr):
		return fmt.Errorf(op+"certificate %d of the chain does not parse: %w", parseErr.N, parseErr.Err)
	case errors.As(err, &blocksErr) && (blocksErr.Problem == pemchain.Empty || blocksErr.Problem == pemchain.NoBlock):
		return errors.New(op + "the chain holds no PEM certificate")
	default:
		return fmt.Errorf(op+"the chain: %w", err)
	}
}

// TLSCertificate returns a certificate for tls.Config.Certificates whose
// private key is this signer. chainPEM is the leaf certificate, which must
// hold the signer's public key, followed by its intermediates.
// SupportedSignatureAlgorithms holds only what KMS can sign: ECDSA with
// P-256 and SHA-256 for an EC key, RSA-PSS and PKCS #1 v1.5 with SHA-256 for
// an RSA key; so that a TLS 1.2 server never asks for SHA-384 or SHA-1.
func (s *KMSSigner) TLSCertificate(chainPEM []byte) (tls.Certificate, error) {
	chain, err := pemchain.Certificates(chainPEM)
	if err != nil {
		return tls.Certificate{}, tlsChainError(err)
	}
	leaf := chain[0]
	der := make([][]byte, len(chain))
	for i, c := range chain {
		der[i] = c.Raw
	}
	if !samePublicKey(leaf.PublicKey, s.pub) {
		return tls.Certificate{}, errorf("alicert: KMSSigner.TLSCertificate: the leaf certificate (%s) is not for KMS key %s version %s",
			leaf.Subject, s.keyID, s.versionID)
	}
	schemes := []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}
	if s.rsa {
		schemes = []tls.SignatureScheme{tls.PSSWithSHA256, tls.PKCS1WithSHA256}
	}
	return tls.Certificate{Certificate: der, PrivateKey: s, Leaf: leaf, SupportedSignatureAlgorithms: schemes}, nil
}
