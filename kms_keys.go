package alicert

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/signature"
)

// KMS key specifications (CreateKeyInput.KeySpec). The asymmetric ones can
// sign; the Aliyun_* ones are symmetric and only encrypt.
var kmsKeySpecs = []string{
	"RSA_2048", "RSA_3072", "EC_P256", "EC_P256K", "EC_SM2",
	"Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_AES_192", "Aliyun_SM4",
}

// Key usages (CreateKeyInput.KeyUsage).
const (
	// KeyUsageSignVerify is the usage of a key that makes signatures.
	KeyUsageSignVerify = "SIGN/VERIFY"
	// KeyUsageEncryptDecrypt is the usage of a key that encrypts.
	KeyUsageEncryptDecrypt = "ENCRYPT/DECRYPT"
)

// Signature algorithms of AsymmetricSign. Each takes a SHA-256 digest.
const (
	// AlgorithmRSAPSSSHA256 is RSASSA-PSS with SHA-256 and MGF1-SHA-256,
	// salt as long as the hash.
	AlgorithmRSAPSSSHA256 = "RSA_PSS_SHA_256"
	// AlgorithmRSAPKCS1SHA256 is RSASSA-PKCS1-v1_5 with SHA-256.
	AlgorithmRSAPKCS1SHA256 = "RSA_PKCS1_SHA_256"
	// AlgorithmECDSASHA256 is ECDSA with SHA-256; the signature is ASN.1
	// DER, as ecdsa.VerifyASN1 reads it.
	AlgorithmECDSASHA256 = "ECDSA_SHA_256"
)

// sha256Size is the length of the digests every AsymmetricSign algorithm
// here takes.
const sha256Size = 32

// maxKeyDescription is the longest Description CreateKey accepts, in
// characters.
const maxKeyDescription = 8192

// maxKeyVersionsPage is the largest ListKeyVersions page: the model's
// PageSize says "Valid values: 0 to 101", read as the bounds around 1 to
// 100, the sizes a page can have.
const maxKeyVersionsPage = 100

// CreateKeyInput is the input of KMS CreateKey.
type CreateKeyInput struct {
	// KeySpec is the key type: RSA_2048, RSA_3072, EC_P256, EC_P256K or
	// EC_SM2 for a key that signs; Aliyun_AES_256, Aliyun_AES_128,
	// Aliyun_AES_192 or Aliyun_SM4 for a symmetric key. It is required here
	// although the model says "If you do not specify this parameter, the
	// key specification is Aliyun_AES_256 by default": a key is billed, and
	// one that cannot sign should never be created by omission.
	KeySpec string `url:"KeySpec"`
	// KeyUsage is KeyUsageSignVerify or KeyUsageEncryptDecrypt; empty lets
	// the service choose: "If the key supports signature verification, the
	// default value is SIGN/VERIFY" (the model's KeyUsage).
	KeyUsage string `url:"KeyUsage,omitempty"`
	// Description is free text, at most 8192 characters.
	Description string `url:"Description,omitempty"`
	// ProtectionLevel is SOFTWARE or HSM; empty lets KMS choose (HSM where
	// a managed HSM is available). Ignored when DKMSInstanceID is set.
	ProtectionLevel string `url:"ProtectionLevel,omitempty"`
	// DKMSInstanceID is the KMS instance to create the key in; required
	// for a key in a KMS instance, empty for a default key.
	DKMSInstanceID string `url:"DKMSInstanceId,omitempty"`
}

func (in *CreateKeyInput) validate() []FieldError {
	var p problems
	oneOf(&p, "KeySpec", in.KeySpec, kmsKeySpecs...)
	if in.KeyUsage != "" {
		oneOf(&p, "KeyUsage", in.KeyUsage, KeyUsageSignVerify, KeyUsageEncryptDecrypt)
	}
	if problem := keyUsageFit(in.KeySpec, in.KeyUsage); problem != "" {
		p.add("KeyUsage", problem)
	}
	if n := utf8.RuneCountInString(in.Description); n > maxKeyDescription {
		p.add("Description", fmt.Sprintf("has %d characters; at most %d are allowed", n, maxKeyDescription))
	}
	if in.ProtectionLevel != "" {
		oneOf(&p, "ProtectionLevel", in.ProtectionLevel, "SOFTWARE", "HSM")
	}
	return p
}

// keyUsageFit says why a documented usage does not fit a documented spec:
// symmetric keys only encrypt, and the ECDSA curves only sign (RSA and SM2
// do both).
func keyUsageFit(spec, usage string) string {
	switch {
	case usage == KeyUsageSignVerify && (spec == "Aliyun_AES_256" || spec == "Aliyun_AES_128" ||
		spec == "Aliyun_AES_192" || spec == "Aliyun_SM4"):
		return fmt.Sprintf("%s cannot sign: a %s key is symmetric; use an RSA or EC key spec", usage, spec)
	case usage == KeyUsageEncryptDecrypt && (spec == "EC_P256" || spec == "EC_P256K"):
		return fmt.Sprintf("%s is not possible with %s, which only signs", usage, spec)
	}
	return ""
}

// KeyMetadata describes a KMS key, as CreateKey returns it.
type KeyMetadata struct {
	// KeyID is the key's globally unique id.
	KeyID string `json:"KeyId"`
	// KeySpec is the key type, like EC_P256.
	KeySpec string `json:"KeySpec"`
	// KeyUsage is SIGN/VERIFY or ENCRYPT/DECRYPT.
	KeyUsage string `json:"KeyUsage"`
	// PrimaryKeyVersion is the id of the key's primary version: the one
	// GetPublicKey and AsymmetricSign take as KeyVersionID.
	PrimaryKeyVersion string `json:"PrimaryKeyVersion"`
	// Arn is the key's Alibaba Cloud Resource Name.
	Arn string `json:"Arn"`
	// KeyState is the key's state, like Enabled or PendingDeletion.
	KeyState string `json:"KeyState"`
	// Description is the key's description.
	Description string `json:"Description"`
	// CreationDate is when the key was created (UTC, like
	// 2023-03-25T10:00:00Z).
	CreationDate string `json:"CreationDate"`
	// Creator is the account or user that created the key.
	Creator string `json:"Creator"`
	// DKMSInstanceID is the KMS instance holding the key, if any.
	DKMSInstanceID string `json:"DKMSInstanceId"`
	// ProtectionLevel is SOFTWARE or HSM.
	ProtectionLevel string `json:"ProtectionLevel"`
	// Origin is where the key material comes from: Aliyun_KMS or EXTERNAL.
	Origin string `json:"Origin"`
	// AutomaticRotation is Enabled, Disabled or Suspended.
	AutomaticRotation string `json:"AutomaticRotation"`
	// RotationInterval is the automatic rotation period, like 31536000s;
	// set only while AutomaticRotation is Enabled or Suspended.
	RotationInterval string `json:"RotationInterval"`
	// LastRotationDate is when the newest version was made (for a new key,
	// its creation).
	LastRotationDate string `json:"LastRotationDate"`
	// NextRotationDate is when the key next rotates; set only while
	// AutomaticRotation is Enabled or Suspended.
	NextRotationDate string `json:"NextRotationDate"`
	// DeleteDate is when the key is to be deleted; set only in
	// PendingDeletion.
	DeleteDate string `json:"DeleteDate"`
	// MaterialExpireTime is when imported key material expires; empty
	// when it never does.
	MaterialExpireTime string `json:"MaterialExpireTime"`
}

// CreateKeyOutput is the output of KMS CreateKey.
type CreateKeyOutput struct {
	// KeyMetadata describes the new key.
	KeyMetadata KeyMetadata `json:"KeyMetadata"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateKeyOutput) missingID() string {
	if o.KeyMetadata.KeyID == "" {
		return "the response has no KeyMetadata.KeyId"
	}
	return ""
}

var opCreateKey = &operation{
	action: "CreateKey",
	api:    apiKMS,
	kind:   opCreate,
	unknownHint: "the key may have been created in KMS; " +
		"look for it with ListKeys or in the KMS console before trying again",
}

// CreateKey creates a KMS key. With an RSA or EC KeySpec and KeyUsage
// SIGN/VERIFY it is a key whose private half never leaves KMS; sign with it
// through AsymmetricSign or a KMSSigner.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-createkey
func (s *KMSService) CreateKey(ctx context.Context, in *CreateKeyInput) (*CreateKeyOutput, error) {
	return invoke[CreateKeyOutput](ctx, s.owner(), opCreateKey, in)
}

// GetPublicKeyInput is the input of KMS GetPublicKey.
type GetPublicKeyInput struct {
	// KeyID is the key's id or an alias bound to it.
	KeyID string `url:"KeyId"`
	// KeyVersionID is the key version's id (required by the service).
	KeyVersionID string `url:"KeyVersionId"`
}

func (in *GetPublicKeyInput) validate() []FieldError {
	var p problems
	p.required("KeyID", in.KeyID)
	p.required("KeyVersionID", in.KeyVersionID)
	return p
}

// GetPublicKeyOutput is the output of KMS GetPublicKey.
type GetPublicKeyOutput struct {
	// PublicKey is the public key in PEM form (a PKIX "PUBLIC KEY" block).
	PublicKey string `json:"PublicKey"`
	// KeyID is the key's id (the id, also when the request named an alias).
	KeyID string `json:"KeyId"`
	// KeyVersionID is the key version's id.
	KeyVersionID string `json:"KeyVersionId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *GetPublicKeyOutput) missingID() string {
	if o.PublicKey == "" {
		return "the response has no PublicKey"
	}
	return ""
}

var opGetPublicKey = &operation{action: "GetPublicKey", api: apiKMS, kind: opIdempotent}

// GetPublicKey returns the public key of one version of an asymmetric KMS
// key. It is a read: retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getpublickey
func (s *KMSService) GetPublicKey(ctx context.Context, in *GetPublicKeyInput) (*GetPublicKeyOutput, error) {
	return invoke[GetPublicKeyOutput](ctx, s.owner(), opGetPublicKey, in)
}

// AsymmetricSignInput is the input of KMS AsymmetricSign.
type AsymmetricSignInput struct {
	// KeyID is the key's id or an alias bound to it.
	KeyID string `url:"KeyId"`
	// KeyVersionID is the key version's id (required by the service).
	KeyVersionID string `url:"KeyVersionId"`
	// Algorithm is AlgorithmECDSASHA256 (EC P-256 keys),
	// AlgorithmRSAPKCS1SHA256 or AlgorithmRSAPSSSHA256 (RSA keys).
	Algorithm string `url:"Algorithm"`
	// Digest is the SHA-256 digest of the message (32 bytes), not the
	// message: KMS signs it as given. It is sent in base64.
	Digest []byte `url:"-"`
}

func (in *AsymmetricSignInput) validate() []FieldError {
	var p problems
	p.required("KeyID", in.KeyID)
	p.required("KeyVersionID", in.KeyVersionID)
	oneOf(&p, "Algorithm", in.Algorithm, AlgorithmRSAPSSSHA256, AlgorithmRSAPKCS1SHA256, AlgorithmECDSASHA256)
	switch n := len(in.Digest); {
	case n == 0:
		p.add("Digest", "is required: the SHA-256 digest of the message")
	case n != sha256Size:
		p.add("Digest", fmt.Sprintf("is %d bytes; a SHA-256 digest is %d (hash the message first)", n, sha256Size))
	}
	return p
}

// encodeExtra sends Digest in standard, padded base64, the form the service
// documents.
func (in *AsymmetricSignInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return append(params, signature.Param{Key: "Digest", Value: base64.StdEncoding.EncodeToString(in.Digest)}), nil
}

// AsymmetricSignOutput is the output of KMS AsymmetricSign.
type AsymmetricSignOutput struct {
	// Value is the signature, decoded from the base64 of the wire: for
	// ECDSA_SHA_256 an ASN.1 DER (r, s) sequence, for the RSA algorithms as
	// long as the modulus.
	Value []byte `json:"Value"`
	// KeyID is the key's id (the id, also when the request named an alias).
	KeyID string `json:"KeyId"`
	// KeyVersionID is the id of the key version that signed.
	KeyVersionID string `json:"KeyVersionId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *AsymmetricSignOutput) missingID() string {
	if len(o.Value) == 0 {
		return "the response has no Value (signature)"
	}
	return ""
}

// opAsymmetricSign is retried like a read. Signing changes nothing in KMS:
// a repeated request for the same digest only yields another signature that
// verifies as well (ECDSA and PSS signatures are randomised anyway), so an
// attempt whose answer was lost can safely be sent again.
var opAsymmetricSign = &operation{action: "AsymmetricSign", api: apiKMS, kind: opIdempotent}

// AsymmetricSign has KMS sign a SHA-256 digest with one version of an
// asymmetric key. It is retried on throttling, 5xx and network failures
// (signing has no side effect). KMSSigner wraps it as a crypto.Signer.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-asymmetricsign
func (s *KMSService) AsymmetricSign(ctx context.Context, in *AsymmetricSignInput) (*AsymmetricSignOutput, error) {
	return invoke[AsymmetricSignOutput](ctx, s.owner(), opAsymmetricSign, in)
}

// ListKeyVersionsInput is the input of KMS ListKeyVersions.
type ListKeyVersionsInput struct {
	// KeyID is the key's id or an alias bound to it.
	KeyID string `url:"KeyId"`
	// PageNumber is the page to return, from 1; 0 means the first.
	PageNumber int64 `url:"PageNumber,omitempty"`
	// PageSize is the number of versions per page, 1 to 100; 0 means the
	// service default (10).
	PageSize int64 `url:"PageSize,omitempty"`
}

func (in *ListKeyVersionsInput) validate() []FieldError {
	var p problems
	p.required("KeyID", in.KeyID)
	p.pageNumber("PageNumber", in.PageNumber)
	p.pageSize("PageSize", in.PageSize, maxKeyVersionsPage)
	return p
}

// KeyVersion is one version of a KMS key.
type KeyVersion struct {
	// KeyID is the key's id.
	KeyID string `json:"KeyId"`
	// KeyVersionID is the version's id.
	KeyVersionID string `json:"KeyVersionId"`
	// CreationDate is when the version was made (UTC, like
	// 2016-03-25T10:42:40Z).
	CreationDate string `json:"CreationDate"`
}

// ListKeyVersionsOutput is the output of KMS ListKeyVersions.
type ListKeyVersionsOutput struct {
	// KeyVersions are this page's versions (KeyVersions.KeyVersion on the
	// wire).
	KeyVersions []KeyVersion
	// TotalCount is the number of versions over all pages.
	TotalCount int64
	// PageNumber is this page's number.
	PageNumber int64
	// PageSize is the page size used.
	PageSize int64
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
}

// UnmarshalJSON flattens the wire form {"KeyVersions":{"KeyVersion":[...]}}.
func (o *ListKeyVersionsOutput) UnmarshalJSON(b []byte) error {
	var wire struct {
		TotalCount  int64  `json:"TotalCount"`
		PageNumber  int64  `json:"PageNumber"`
		PageSize    int64  `json:"PageSize"`
		RequestID   string `json:"RequestId"`
		KeyVersions struct {
			KeyVersion []KeyVersion `json:"KeyVersion"`
		} `json:"KeyVersions"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*o = ListKeyVersionsOutput{
		KeyVersions: wire.KeyVersions.KeyVersion, TotalCount: wire.TotalCount,
		PageNumber: wire.PageNumber, PageSize: wire.PageSize, RequestID: wire.RequestID,
	}
	return nil
}

var opListKeyVersions = &operation{action: "ListKeyVersions", api: apiKMS, kind: opIdempotent}

// ListKeyVersions lists the versions of a KMS key, one page at a time. It
// is a read: retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-listkeyversions
func (s *KMSService) ListKeyVersions(ctx context.Context, in *ListKeyVersionsInput) (*ListKeyVersionsOutput, error) {
	return invoke[ListKeyVersionsOutput](ctx, s.owner(), opListKeyVersions, in)
}
