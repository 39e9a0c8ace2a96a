package alicert

import (
	"context"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/pemchain"
	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// GetUserCertificateDetailInput is the input of GetUserCertificateDetail.
type GetUserCertificateDetailInput struct {
	// CertID is the certificate's id (CertificateOrder.CertificateID).
	CertID int64 `url:"CertId"`
	// CertFilter leaves the certificate and key PEM out of the response:
	// the metadata only.
	CertFilter bool `url:"CertFilter,omitempty"`
}

func (in *GetUserCertificateDetailInput) validate() []FieldError {
	var p problems
	p.positiveID("CertID", in.CertID)
	return p
}

// CertificateChainEntry is one certificate of a chain, as
// GetUserCertificateDetail describes it.
type CertificateChainEntry struct {
	// CommonName is the certificate's common name.
	CommonName string `json:"CommonName"`
	// IssuerCommonName is its issuer's common name.
	IssuerCommonName string `json:"IssuerCommonName"`
	// NotBefore and NotAfter are its validity, in ms since the epoch.
	NotBefore int64 `json:"NotBefore"`
	NotAfter  int64 `json:"NotAfter"`
	// RemainDay is the number of days it remains valid.
	RemainDay int64 `json:"RemainDay"`
}

// ResourceTag is a tag as the service returns it.
type ResourceTag struct {
	Key   string `json:"TagKey"`
	Value string `json:"TagValue"`
}

// GetUserCertificateDetailOutput is the output of GetUserCertificateDetail.
type GetUserCertificateDetailOutput struct {
	// ID is the certificate's id.
	ID int64 `json:"Id"`
	// OrderID is the order that issued it (0 for an uploaded one).
	OrderID int64 `json:"OrderId"`
	// Name is the certificate's name.
	Name string `json:"Name"`
	// Common is its primary domain.
	Common string `json:"Common"`
	// Sans are its domains, comma-separated.
	Sans string `json:"Sans"`
	// Cert is the certificate PEM with its chain (unless CertFilter).
	Cert string `json:"Cert"`
	// Key is the private key PEM (unless CertFilter; empty when the key
	// was never given to the service). The field itself holds the whole
	// key, for the caller to write to a file; only formatting hides it: it
	// never shows in %v, %+v or %#v output, in log/slog output or in
	// json.Marshal output (as "[redacted]"), also when nested.
	Key string `json:"Key" redact:"secret"`
	// EncryptCert and EncryptPrivateKey are the encryption certificate and
	// key of an SM2 (Chinese cryptography) certificate; SignCert and
	// SignPrivateKey its signing certificate and key. The keys are hidden
	// like Key.
	EncryptCert       string `json:"EncryptCert"`
	EncryptPrivateKey string `json:"EncryptPrivateKey" redact:"secret"`
	SignCert          string `json:"SignCert"`
	SignPrivateKey    string `json:"SignPrivateKey" redact:"secret"`
	// StartDate and EndDate are its validity as dates (2018-07-13).
	StartDate string `json:"StartDate"`
	EndDate   string `json:"EndDate"`
	// NotBefore and NotAfter are its validity in ms since the epoch.
	NotBefore int64 `json:"NotBefore"`
	NotAfter  int64 `json:"NotAfter"`
	// Expired reports an expired certificate.
	Expired bool `json:"Expired"`
	// Fingerprint is its SHA-1 fingerprint; Sha2 and CertSha2 its SHA-256
	// one, in hex.
	Fingerprint string `json:"Fingerprint"`
	Sha2        string `json:"Sha2"`
	CertSha2    string `json:"CertSha2"`
	// SerialNo is its serial number, in hex.
	SerialNo string `json:"SerialNo"`
	// CertIdentifier is the id other services take, like 123-cn-hangzhou.
	CertIdentifier string `json:"CertIdentifier"`
	// InstanceID is the resource id.
	InstanceID string `json:"InstanceId"`
	// Issuer is the issuing CA.
	Issuer string `json:"Issuer"`
	// Algorithm is the key algorithm, like RSA.
	Algorithm string `json:"Algorithm"`
	// BuyInAliyun reports a certificate bought from Alibaba Cloud.
	BuyInAliyun bool `json:"BuyInAliyun"`
	// OrgName, Country, Province and City are the subject's organization.
	OrgName  string `json:"OrgName"`
	Country  string `json:"Country"`
	Province string `json:"Province"`
	City     string `json:"City"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `json:"ResourceGroupId"`
	// CertChain describes the chain's certificates.
	CertChain []CertificateChainEntry `json:"CertChain"`
	// Tags are the certificate's tags.
	Tags []ResourceTag `json:"Tags"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *GetUserCertificateDetailOutput) missingID() string {
	if o.ID <= 0 {
		return "the response has no Id"
	}
	return ""
}

var opGetUserCertificateDetail = &operation{action: "GetUserCertificateDetail", kind: opIdempotent}

// GetUserCertificateDetail returns a certificate: its metadata, and unless
// CertFilter its PEM and key (hidden from formatting; see Key). It is a
// read: retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-getusercertificatedetail
func (s *CASService) GetUserCertificateDetail(ctx context.Context, in *GetUserCertificateDetailInput) (*GetUserCertificateDetailOutput, error) {
	return invoke[GetUserCertificateDetailOutput](ctx, s.owner(), opGetUserCertificateDetail, in)
}

// maxUploadName is the longest certificate name UploadUserCertificate takes.
const maxUploadName = wire.MaxUploadName

// checkUploadName reports a Name the model's rule refuses: more than 63
// characters, or one that is not a letter, a digit or an underscore.
// "Letters" is read as the ASCII ones: the model's English text says no
// more, and a name the service may read differently is not worth a failed
// upload.
func checkUploadName(p *problems, name string) {
	if strings.TrimSpace(name) == "" {
		return // reported as required
	}
	if n := utf8.RuneCountInString(name); n > maxUploadName {
		p.add("Name", fmt.Sprintf("is %d characters long; at most %d are allowed", n, maxUploadName))
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (isLetter(byte(r)) || isDigit(byte(r)) || r == '_')) {
			p.add("Name", fmt.Sprintf("may hold only letters, digits and underscores (_); %s is none of them", strconv.QuoteRune(r)))
			return
		}
	}
}

// UploadUserCertificateInput is the input of UploadUserCertificate.
type UploadUserCertificateInput struct {
	// Name names the certificate: up to 63 letters (A-Z, a-z), digits and
	// underscores, as the model says ("The name can be up to 63
	// characters long and can contain letters, digits, and underscores
	// (_)"), and unique in the account ("Certificate names must be unique
	// for each user").
	Name string `url:"Name"`
	// Cert is the certificate PEM, leaf first, optionally followed by its
	// chain: "The content of a non-SM certificate in PEM format" (model).
	Cert string `url:"Cert,omitempty"`
	// Key is the leaf's private key PEM (PKCS #8, PKCS #1 or SEC 1). It is
	// hidden from formatting like every private key here, and never quoted
	// in an error.
	Key string `url:"Key,omitempty" redact:"secret"`

	// The SM (ShangMi) form uploads a pair of certificates instead of Cert
	// and Key: "The content of the SM signing certificate in PEM format.
	// This parameter is invalid if Cert and Key are not empty" (model; the
	// same for the other three). The client checks only that each one
	// given is a PEM block of its kind: the SM2 curve is not one Go's
	// crypto/x509 parses. Setting any of them selects this form, and Cert
	// and Key must then be empty, since the service would ignore the SM
	// fields beside them.

	// SignCert is the SM signing certificate PEM.
	SignCert string `url:"SignCert,omitempty"`
	// SignPrivateKey is the SM signing certificate's private key PEM.
	SignPrivateKey string `url:"SignPrivateKey,omitempty" redact:"secret"`
	// EncryptCert is the SM encryption certificate PEM.
	EncryptCert string `url:"EncryptCert,omitempty"`
	// EncryptPrivateKey is the SM encryption certificate's private key PEM.
	EncryptPrivateKey string `url:"EncryptPrivateKey,omitempty" redact:"secret"`

	// ResourceGroupID is the resource group to put it in.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...; the model
	// (UploadUserCertificateRequestTags) states no limit, and none is
	// checked.
	Tags []Tag `url:"-"`
}

func (in *UploadUserCertificateInput) validate() []FieldError {
	var p problems
	p.required("Name", in.Name)
	checkUploadName(&p, in.Name)
	if in.smForm() {
		in.checkSMForm(&p)
	} else {
		checkUploadPair(&p, in.Cert, in.Key)
	}
	checkTags(&p, in.Tags, tagRules{})
	return p
}

// smForm reports whether in uploads an SM certificate pair.
func (in *UploadUserCertificateInput) smForm() bool {
	return in.SignCert != "" || in.SignPrivateKey != "" || in.EncryptCert != "" || in.EncryptPrivateKey != ""
}

// checkSMForm reports Cert or Key beside the SM fields, and an SM field
// that is not a PEM block of its kind. Problems never quote the data.
func (in *UploadUserCertificateInput) checkSMForm(p *problems) {
	if in.Cert != "" {
		p.add("Cert", "must be empty with the SM fields: the service ignores them when Cert and Key are set")
	}
	if in.Key != "" {
		p.add("Key", "must be empty with the SM fields: the service ignores them when Cert and Key are set")
	}
	for _, f := range []struct {
		field, value string
		key          bool
	}{
		{"SignCert", in.SignCert, false}, {"SignPrivateKey", in.SignPrivateKey, true},
		{"EncryptCert", in.EncryptCert, false}, {"EncryptPrivateKey", in.EncryptPrivateKey, true},
	} {
		if f.value == "" {
			continue
		}
		if problem := smPEMProblem(f.value, f.key); problem != "" {
			p.add(f.field, problem)
		}
	}
}

// smPEMProblem describes why value is not one PEM block of a certificate
// (or, with key, of a private key), or returns "".
func smPEMProblem(value string, key bool) string {
	blocks, err := pemchain.Blocks([]byte(value))
	switch {
	case err != nil || len(blocks) == 0:
		return "is not PEM"
	case key && !pemchain.LooksLikePrivateKey(blocks[0].Type):
		return fmt.Sprintf("holds a %s block, not a private key", blocks[0].Type)
	case !key && blocks[0].Type != "CERTIFICATE":
		if pemchain.LooksLikePrivateKey(blocks[0].Type) {
			return "holds a private key, not a certificate"
		}
		return fmt.Sprintf("holds a %s block, not a certificate", blocks[0].Type)
	}
	return ""
}

// checkUploadPair reports a certificate that does not parse, a key that does
// not parse, and a key that is not the leaf's: the service would store a
// pair no server could use. Problems describe the data, never quote it.
func checkUploadPair(p *problems, certPEM, keyPEM string) {
	var chain []*x509.Certificate
	if strings.TrimSpace(certPEM) == "" {
		p.add("Cert", "is required: the certificate PEM")
	} else if c, err := ParseCertificates(certPEM); err != nil {
		p.add("Cert", "does not parse: "+err.Error())
	} else {
		chain = c
	}
	if strings.TrimSpace(keyPEM) == "" {
		p.add("Key", "is required: the private key PEM of the certificate")
		return
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		p.add("Key", "is not a usable private key: "+err.Error())
		return
	}
	if len(chain) > 0 && !samePublicKey(key.Public(), chain[0].PublicKey) {
		p.add("Key", "does not belong to the certificate: its public key differs from the leaf's")
	}
}

func (in *UploadUserCertificateInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// UploadUserCertificateOutput is the output of UploadUserCertificate.
type UploadUserCertificateOutput struct {
	// CertID is the new certificate's id.
	CertID int64 `json:"CertId"`
	// ResourceID is its resource id, like cas-upload-xki1d0.
	ResourceID string `json:"ResourceId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *UploadUserCertificateOutput) missingID() string {
	if o.CertID <= 0 {
		return "the response has no CertId"
	}
	return ""
}

var opUploadUserCertificate = &operation{
	action: "UploadUserCertificate",
	kind:   opCreate,
	unknownHint: "the certificate may have been uploaded; its name is unique in the account, so look it up " +
		"with FindUploadedCertificate (ListUserCertificateOrder, OrderType UPLOAD, the name as Keyword) before trying again",
}

// UploadUserCertificate stores a certificate issued elsewhere, with its
// key, in the account, where the cloud services that serve it can use it.
// The client checks before sending that Cert parses and that Key is its
// private key. An SM certificate pair goes in SignCert, SignPrivateKey,
// EncryptCert and EncryptPrivateKey instead, with Cert and Key empty.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown. The name is unique in the
// account, so FindUploadedCertificate tells whether the upload happened.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-uploadusercertificate
func (s *CASService) UploadUserCertificate(ctx context.Context, in *UploadUserCertificateInput) (*UploadUserCertificateOutput, error) {
	return invoke[UploadUserCertificateOutput](ctx, s.owner(), opUploadUserCertificate, in)
}

// DeleteUserCertificateInput is the input of DeleteUserCertificate. It
// sends CertId and nothing else: the official model
// (cas-20200407 DeleteUserCertificateRequest) has that one field.
type DeleteUserCertificateInput struct {
	// CertID is the certificate's id.
	CertID int64 `url:"CertId"`
}

func (in *DeleteUserCertificateInput) validate() []FieldError {
	var p problems
	p.positiveID("CertID", in.CertID)
	return p
}

// DeleteUserCertificateOutput is the output of DeleteUserCertificate.
type DeleteUserCertificateOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opDeleteUserCertificate is retried like a read. The official model
// offers no idempotency token (DeleteUserCertificateRequest has CertId
// alone) and documents no idempotency either; what makes a repeat safe is
// what it is: "Deletes an expired, revoked, or manually uploaded
// certificate" (the model's summary) named by CertId, so a second attempt
// can only delete that same certificate, and creates nothing. When an
// earlier attempt of the call may have deleted it, the repeat finds it gone
// (see certGone) and the call reports it deleted.
var opDeleteUserCertificate = &operation{action: "DeleteUserCertificate", kind: opIdempotent, doneWhen: certGone}

// certGone reports the answer a DeleteUserCertificate of a certificate that
// no longer exists gets. The API reference lists only the common error
// codes for DeleteUserCertificate, so none is documented for it; this is
// the answer of alicerttest, whose doc marks the code as its own:
// InvalidParameter, the one parameter being CertId (which the client has
// already checked to be a positive id).
func certGone(e *APIError) bool { return e.Code == codeInvalidParameter }

// codeInvalidParameter is the service's code for a parameter value it
// refuses.
const codeInvalidParameter = "InvalidParameter"

// DeleteUserCertificate deletes a certificate: the model's summary says an
// expired, revoked or manually uploaded one. It is retried on throttling,
// 5xx and network failures; when an attempt whose answer was lost may have
// deleted the certificate, a repeat that finds it gone reports success.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-deleteusercertificate
func (s *CASService) DeleteUserCertificate(ctx context.Context, in *DeleteUserCertificateInput) (*DeleteUserCertificateOutput, error) {
	return invoke[DeleteUserCertificateOutput](ctx, s.owner(), opDeleteUserCertificate, in)
}
