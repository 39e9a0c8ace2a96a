package alicerttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The fake KMS asymmetric keys live here: CreateKey, GetPublicKey,
// AsymmetricSign and ListKeyVersions over in-memory keys whose versions hold
// real ECDSA P-256 and RSA keys, so that every signature the fake returns
// verifies, and AddKMSKeyVersion to rotate a key.
//
// The checks are the service's, made here independently of the client's:
// AsymmetricSign refuses an algorithm the key cannot do and a digest that is
// not 32 bytes, and GetPublicKey and AsymmetricSign want the version id.

// kmsKeySpecs are the key specs CreateKey documents.
var kmsKeySpecs = map[string]bool{
	"RSA_2048": true, "RSA_3072": true, "EC_P256": true, "EC_P256K": true, "EC_SM2": true,
	"Aliyun_AES_256": true, "Aliyun_AES_128": true, "Aliyun_AES_192": true, "Aliyun_SM4": true,
}

const (
	usageSign    = "SIGN/VERIFY"
	usageEncrypt = "ENCRYPT/DECRYPT"
	// kmsDefaultSpec is the spec of a key created without KeySpec.
	kmsDefaultSpec = "Aliyun_AES_256"
	// kmsMaxDescription is the longest Description, in characters.
	kmsMaxDescription = 8192
	// kmsVersionInterval is the shortest time between two versions of a
	// key: the service refuses a new version sooner.
	kmsVersionInterval = 7 * 24 * time.Hour
	// kmsMaxVersions is the most versions a key may have.
	kmsMaxVersions = 50
	// sha256Len is the digest length of every algorithm the fake signs with.
	sha256Len = 32
)

// kmsKeyStore is the fake's KMS keys. Its zero value is ready; it has its
// own lock, taken without the Server's.
type kmsKeyStore struct {
	mu   sync.Mutex
	keys map[string]*kmsKey
}

// kmsKey is one KMS key.
type kmsKey struct {
	id, spec, usage, description, protection, instance, arn string
	created                                                 time.Time
	// rotation is the automatic rotation period; 0: rotation disabled.
	// The fake does not rotate keys: it only reports the schedule.
	rotation time.Duration
	versions []*kmsKeyVersion // oldest first; the last is the primary
}

// kmsKeyVersion is one version of a key; signer is nil for symmetric keys.
type kmsKeyVersion struct {
	id      string
	created time.Time
	signer  crypto.Signer
}

func (k *kmsKey) primary() *kmsKeyVersion { return k.versions[len(k.versions)-1] }

func (k *kmsKey) version(id string) *kmsKeyVersion {
	for _, v := range k.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

// kmsDate is the service's form of a time.
func kmsDate(t time.Time) string { return t.UTC().Format(timestampLayout) }

// newKeyMaterial makes the private key of a new version. RSA keys come from
// the server's cache (RSA generation takes seconds under the race
// detector), so RSA keys of one size from one server share their material:
// tests that need keys that differ use EC_P256.
func (s *Server) newKeyMaterial(spec string) (crypto.Signer, error) {
	switch spec {
	case "EC_P256":
		return newECKey()
	case "RSA_2048":
		return s.rsa.get(2048)
	case "RSA_3072":
		return s.rsa.get(3072)
	}
	return nil, nil // symmetric: nothing to sign with
}

type keyMetadataDoc struct {
	Arn               string `json:"Arn"`
	AutomaticRotation string `json:"AutomaticRotation"`
	CreationDate      string `json:"CreationDate"`
	Creator           string `json:"Creator"`
	DKMSInstanceID    string `json:"DKMSInstanceId,omitempty"`
	Description       string `json:"Description"`
	KeyID             string `json:"KeyId"`
	KeySpec           string `json:"KeySpec"`
	KeyState          string `json:"KeyState"`
	KeyUsage          string `json:"KeyUsage"`
	LastRotationDate  string `json:"LastRotationDate"`
	Origin            string `json:"Origin"`
	PrimaryKeyVersion string `json:"PrimaryKeyVersion"`
	ProtectionLevel   string `json:"ProtectionLevel"`
	// MaterialExpireTime is empty: "If this value is empty, the key
	// material does not expire" (the CreateKey model), and KMS's own
	// material does not.
	MaterialExpireTime string `json:"MaterialExpireTime"`
	// RotationInterval and NextRotationDate are "returned only when the
	// value of AutomaticRotation is Enabled or Suspended"; DeleteDate
	// "only when the value of KeyState is PendingDeletion", which the
	// fake's keys never are.
	RotationInterval string `json:"RotationInterval,omitempty"`
	NextRotationDate string `json:"NextRotationDate,omitempty"`
	DeleteDate       string `json:"DeleteDate,omitempty"`
}

type createKeyResponse struct {
	KeyMetadata keyMetadataDoc `json:"KeyMetadata"`
	RequestID   string         `json:"RequestId"`
}

// createKey creates a key with one version.
func (s *Server) createKey(c *call) (any, *apiError) {
	k, e := checkCreateKey(c)
	if e != nil {
		return nil, e
	}
	signer, err := s.newKeyMaterial(k.spec)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "generating the key: " + err.Error()}
	}
	k.id = "key-" + randomAlnum(21)
	k.created = c.now
	k.versions = []*kmsKeyVersion{{id: uuid(), created: c.now, signer: signer}}
	region := c.get("RegionId")
	if region == "" {
		region = defaultRegion
	}
	k.arn = "acs:kms:" + region + ":" + s.account + ":key/" + k.id
	s.kmsKeys.mu.Lock()
	if s.kmsKeys.keys == nil {
		s.kmsKeys.keys = make(map[string]*kmsKey)
	}
	s.kmsKeys.keys[k.id] = k
	doc := s.keyMetadata(k)
	s.kmsKeys.mu.Unlock()
	return createKeyResponse{KeyMetadata: doc, RequestID: c.requestID}, nil
}

// keyMetadata describes k; kmsKeys.mu is held.
func (s *Server) keyMetadata(k *kmsKey) keyMetadataDoc {
	protection := k.protection
	if protection == "" {
		protection = "SOFTWARE"
	}
	doc := keyMetadataDoc{
		Arn: k.arn, AutomaticRotation: "Disabled", CreationDate: kmsDate(k.created), Creator: s.account,
		DKMSInstanceID: k.instance, Description: k.description, KeyID: k.id, KeySpec: k.spec,
		KeyState: "Enabled", KeyUsage: k.usage, LastRotationDate: kmsDate(k.primary().created),
		Origin: "Aliyun_KMS", PrimaryKeyVersion: k.primary().id, ProtectionLevel: protection,
	}
	if k.rotation > 0 {
		doc.AutomaticRotation = "Enabled"
		doc.RotationInterval = strconv.FormatInt(int64(k.rotation/time.Second), 10) + "s" // "an integer followed by the character s"
		doc.NextRotationDate = kmsDate(k.primary().created.Add(k.rotation))
	}
	return doc
}

// Automatic rotation periods of a software-protected key, from the
// CreateKey model: "the value can be from 7d to 365d".
const (
	minRotation = 7 * 24 * time.Hour
	maxRotation = 365 * 24 * time.Hour
)

// rotationParams reads EnableAutomaticRotation and RotationInterval
// ("integer[unit]", units d, h, m and s; required with
// EnableAutomaticRotation true; "If the key is a hardware-protected key,
// automatic rotation is not supported", so the fake refuses it for HSM).
func rotationParams(c *call, protection string) (time.Duration, *apiError) {
	switch v := c.get("EnableAutomaticRotation"); v {
	case "", "false":
		return 0, nil
	case "true":
	default:
		return 0, invalid("EnableAutomaticRotation", fmt.Sprintf("%q is not true or false", v))
	}
	if protection == "HSM" {
		return 0, invalid("EnableAutomaticRotation", "a hardware-protected key does not rotate automatically")
	}
	v := c.get("RotationInterval")
	if v == "" {
		return 0, missing("RotationInterval")
	}
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute, 's': time.Second}
	unit, ok := units[v[len(v)-1]]
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if !ok || err != nil || n < 1 || n > int64(maxRotation/unit) {
		return 0, invalid("RotationInterval", fmt.Sprintf("%q is not a period such as 7d or 604800s", v))
	}
	d := time.Duration(n) * unit
	if d < minRotation || d > maxRotation {
		return 0, invalid("RotationInterval", fmt.Sprintf("%q is not from 7d to 365d", v))
	}
	return d, nil
}

// checkCreateKey validates CreateKey's parameters as its reference
// describes them.
func checkCreateKey(c *call) (*kmsKey, *apiError) {
	k := &kmsKey{spec: c.get("KeySpec"), usage: c.get("KeyUsage"), description: c.get("Description"),
		protection: c.get("ProtectionLevel"), instance: c.get("DKMSInstanceId")}
	if k.spec == "" {
		k.spec = kmsDefaultSpec
	}
	if !kmsKeySpecs[k.spec] {
		return nil, invalid("KeySpec", fmt.Sprintf("%q is not a key spec KMS offers", k.spec))
	}
	if k.spec == "EC_P256K" || k.spec == "EC_SM2" {
		// The standard library has neither curve: refused rather than faked
		// with P-256, since a signature would not verify on the real curve.
		return nil, invalid("KeySpec", k.spec+" is not modelled by alicerttest; use EC_P256, RSA_2048 or RSA_3072")
	}
	symmetric := strings.HasPrefix(k.spec, "Aliyun_")
	switch k.usage {
	case "":
		k.usage = usageSign
		if symmetric {
			k.usage = usageEncrypt
		}
	case usageSign:
		if symmetric {
			return nil, invalid("KeyUsage", k.spec+" keys cannot sign")
		}
	case usageEncrypt:
		if k.spec == "EC_P256" {
			return nil, invalid("KeyUsage", k.spec+" keys only sign")
		}
	default:
		return nil, invalid("KeyUsage", fmt.Sprintf("%q is not ENCRYPT/DECRYPT or SIGN/VERIFY", k.usage))
	}
	if n := utf8.RuneCountInString(k.description); n > kmsMaxDescription {
		return nil, invalid("Description", fmt.Sprintf("%d characters; at most %d are allowed", n, kmsMaxDescription))
	}
	switch k.protection {
	case "", "SOFTWARE", "HSM":
	default:
		return nil, invalid("ProtectionLevel", fmt.Sprintf("%q is not SOFTWARE or HSM", k.protection))
	}
	var e *apiError
	if k.rotation, e = rotationParams(c, k.protection); e != nil {
		return nil, e
	}
	return k, nil
}

// findVersion returns the key and version a request names with KeyId and
// KeyVersionId, both required.
func (s *Server) findVersion(c *call) (*kmsKey, *kmsKeyVersion, *apiError) {
	keyID, versionID := c.get("KeyId"), c.get("KeyVersionId")
	if keyID == "" {
		return nil, nil, missing("KeyId")
	}
	if versionID == "" {
		return nil, nil, missing("KeyVersionId")
	}
	k, e := s.findKey(keyID)
	if e != nil {
		return nil, nil, e
	}
	s.kmsKeys.mu.Lock()
	v := k.version(versionID)
	s.kmsKeys.mu.Unlock()
	if v == nil {
		return nil, nil, &apiError{http.StatusNotFound, "Forbidden.ResourceNotFound",
			fmt.Sprintf("The key version %q of key %q is not found.", versionID, keyID)}
	}
	return k, v, nil
}

// findKey returns a key by id.
func (s *Server) findKey(id string) (*kmsKey, *apiError) {
	s.kmsKeys.mu.Lock()
	k := s.kmsKeys.keys[id]
	s.kmsKeys.mu.Unlock()
	if k == nil {
		return nil, &apiError{http.StatusNotFound, "Forbidden.KeyNotFound", fmt.Sprintf("The key %q is not found.", id)}
	}
	return k, nil
}

type getPublicKeyResponse struct {
	KeyID        string `json:"KeyId"`
	KeyVersionID string `json:"KeyVersionId"`
	PublicKey    string `json:"PublicKey"`
	RequestID    string `json:"RequestId"`
}

// getPublicKey returns a version's public key as PKIX PEM.
func (s *Server) getPublicKey(c *call) (any, *apiError) {
	k, v, e := s.findVersion(c)
	if e != nil {
		return nil, e
	}
	if v.signer == nil {
		return nil, &apiError{http.StatusBadRequest, "Forbidden.KeyTypeNotSupported",
			"The key " + k.id + " is symmetric and has no public key."}
	}
	der, err := x509.MarshalPKIXPublicKey(v.signer.Public())
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "encoding the public key: " + err.Error()}
	}
	return getPublicKeyResponse{KeyID: k.id, KeyVersionID: v.id, PublicKey: pemString("PUBLIC KEY", der), RequestID: c.requestID}, nil
}

type asymmetricSignResponse struct {
	KeyID        string `json:"KeyId"`
	KeyVersionID string `json:"KeyVersionId"`
	Value        string `json:"Value"`
	RequestID    string `json:"RequestId"`
}

// asymmetricSign signs a SHA-256 digest with a version's key.
func (s *Server) asymmetricSign(c *call) (any, *apiError) {
	algorithm, digest, e := checkSignParams(c)
	if e != nil {
		return nil, e
	}
	k, v, e := s.findVersion(c)
	if e != nil {
		return nil, e
	}
	if k.usage != usageSign {
		return nil, &apiError{http.StatusBadRequest, "Forbidden.KeyUsageNotSupported",
			"The key " + k.id + " has the usage " + k.usage + " and cannot sign."}
	}
	if want := signAlgorithms[k.spec]; !want[algorithm] {
		return nil, invalid("Algorithm", fmt.Sprintf("%s cannot be used with a %s key", algorithm, k.spec))
	}
	sig, err := signDigest(v.signer, algorithm, digest)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "signing: " + err.Error()}
	}
	return asymmetricSignResponse{KeyID: k.id, KeyVersionID: v.id, Value: base64.StdEncoding.EncodeToString(sig), RequestID: c.requestID}, nil
}

// signAlgorithms are the algorithms each signing key spec supports.
var signAlgorithms = map[string]map[string]bool{
	"EC_P256":  {"ECDSA_SHA_256": true},
	"RSA_2048": {"RSA_PSS_SHA_256": true, "RSA_PKCS1_SHA_256": true},
	"RSA_3072": {"RSA_PSS_SHA_256": true, "RSA_PKCS1_SHA_256": true},
}

// checkSignParams checks Algorithm and Digest, which must be the standard
// base64 of exactly 32 bytes.
func checkSignParams(c *call) (string, []byte, *apiError) {
	algorithm := c.get("Algorithm")
	switch algorithm {
	case "":
		return "", nil, missing("Algorithm")
	case "ECDSA_SHA_256", "RSA_PSS_SHA_256", "RSA_PKCS1_SHA_256":
	default:
		return "", nil, invalid("Algorithm", fmt.Sprintf("%q is not a signature algorithm this fake offers", algorithm))
	}
	raw := c.get("Digest")
	if raw == "" {
		return "", nil, missing("Digest")
	}
	digest, err := base64.StdEncoding.Strict().DecodeString(raw)
	if err != nil {
		return "", nil, invalid("Digest", "the value is not standard base64")
	}
	if len(digest) != sha256Len {
		return "", nil, invalid("Digest", fmt.Sprintf("the digest is %d bytes; %s takes a %d-byte SHA-256 digest", len(digest), algorithm, sha256Len))
	}
	return algorithm, digest, nil
}

// signDigest makes a real signature: ECDSA in ASN.1 DER, PSS with a salt as
// long as the hash, as KMS documents.
func signDigest(key crypto.Signer, algorithm string, digest []byte) ([]byte, error) {
	switch algorithm {
	case "ECDSA_SHA_256":
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an EC key")
		}
		return ecdsa.SignASN1(rand.Reader, k, digest)
	case "RSA_PSS_SHA_256":
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key")
		}
		return rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	default: // RSA_PKCS1_SHA_256
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key")
		}
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest)
	}
}

type keyVersionDoc struct {
	CreationDate string `json:"CreationDate"`
	KeyID        string `json:"KeyId"`
	KeyVersionID string `json:"KeyVersionId"`
}

type listKeyVersionsResponse struct {
	KeyVersions struct {
		KeyVersion []keyVersionDoc `json:"KeyVersion"`
	} `json:"KeyVersions"`
	PageNumber int    `json:"PageNumber"`
	PageSize   int    `json:"PageSize"`
	TotalCount int    `json:"TotalCount"`
	RequestID  string `json:"RequestId"`
}

// listKeyVersions lists a key's versions, oldest first, one page at a time.
func (s *Server) listKeyVersions(c *call) (any, *apiError) {
	id := c.get("KeyId")
	if id == "" {
		return nil, missing("KeyId")
	}
	page, e := pageParam(c, "PageNumber", 1, 1, 1<<30)
	if e != nil {
		return nil, e
	}
	size, e := pageParam(c, "PageSize", 10, 1, 100)
	if e != nil {
		return nil, e
	}
	k, e := s.findKey(id)
	if e != nil {
		return nil, e
	}
	resp := listKeyVersionsResponse{PageNumber: page, PageSize: size, RequestID: c.requestID}
	resp.KeyVersions.KeyVersion = []keyVersionDoc{}
	s.kmsKeys.mu.Lock()
	defer s.kmsKeys.mu.Unlock()
	resp.TotalCount = len(k.versions)
	for i := (page - 1) * size; i < len(k.versions) && i < page*size; i++ {
		v := k.versions[i]
		resp.KeyVersions.KeyVersion = append(resp.KeyVersions.KeyVersion,
			keyVersionDoc{CreationDate: kmsDate(v.created), KeyID: k.id, KeyVersionID: v.id})
	}
	return resp, nil
}

// pageParam reads an optional integer parameter in [lo, hi].
func pageParam(c *call, name string, def, lo, hi int) (int, *apiError) {
	raw := c.get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, fmt.Sprintf("%q is not an integer from %d to %d", raw, lo, hi))
	}
	return n, nil
}

// AddKMSKeyVersion gives a key made by CreateKey a new version, with new
// key material, which becomes the key's primary version, as KMS
// CreateKeyVersion does. Like the service it refuses a version less than
// seven days after the key's newest one, by the server's clock (see
// WithClock), and more than 50 versions.
func (s *Server) AddKMSKeyVersion(keyID string) (versionID string, err error) {
	k, e := s.findKey(keyID)
	if e != nil {
		return "", errors.New("alicerttest: AddKMSKeyVersion: " + e.message)
	}
	signer, err := s.newKeyMaterial(k.spec)
	if err != nil {
		return "", fmt.Errorf("alicerttest: AddKMSKeyVersion: generating the key: %w", err)
	}
	now := s.cfg.now()
	s.kmsKeys.mu.Lock()
	defer s.kmsKeys.mu.Unlock()
	switch last := k.primary().created; {
	case len(k.versions) >= kmsMaxVersions:
		return "", fmt.Errorf("alicerttest: AddKMSKeyVersion: key %s has %d versions already", keyID, kmsMaxVersions)
	case now.Before(last.Add(kmsVersionInterval)):
		return "", fmt.Errorf("alicerttest: AddKMSKeyVersion: key %s got a version at %s; the next may come seven days later",
			keyID, kmsDate(last))
	}
	v := &kmsKeyVersion{id: uuid(), created: now, signer: signer}
	k.versions = append(k.versions, v)
	return v.id, nil
}

// KMSKeyCount returns how many keys CreateKey created, including those
// whose response a fault then spoilt.
func (s *Server) KMSKeyCount() int {
	s.kmsKeys.mu.Lock()
	defer s.kmsKeys.mu.Unlock()
	return len(s.kmsKeys.keys)
}
