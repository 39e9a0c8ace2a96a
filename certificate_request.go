package alicert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// ValidateType is how the CA checks that the applicant controls the domain.
type ValidateType string

const (
	// ValidateDNS asks for a DNS record (TXT or CNAME) under the domain.
	ValidateDNS ValidateType = "DNS"
	// ValidateFile asks for a file served by the domain's web server.
	ValidateFile ValidateType = "FILE"
)

// CertificateState is the state of a certificate order, as reported by
// DescribeCertificateState.
type CertificateState string

const (
	// StateDomainVerify: waiting for the applicant to prove control of the
	// domain with the DNS record or file the order describes.
	StateDomainVerify CertificateState = "domain_verify"
	// StateProcess: the CA is reviewing the order.
	StateProcess CertificateState = "process"
	// StateVerifyFail: the review failed; the order is dead and a new one is
	// needed.
	StateVerifyFail CertificateState = "verify_fail"
	// StateCertificate: issued; Certificate and PrivateKey are set.
	StateCertificate CertificateState = "certificate"
	// StatePayed: paid for and waiting to be applied for.
	StatePayed CertificateState = "payed"
	// StateUnknown: the service does not know the state ("unknow" on the
	// wire).
	StateUnknown CertificateState = "unknow"
)

// productCodes are the DV specifications CreateCertificateRequest documents.
var productCodes = func() []string {
	codes := make([]string, 0, len(wire.DVProducts))
	for _, p := range wire.DVProducts {
		codes = append(codes, p.Code)
	}
	return codes
}()

// Tag is a resource tag attached to a certificate order or an upload.
// What a key and a value may hold is what each operation's model says (see
// the operation's Tags field): CreateCertificateRequest takes keys of up to
// 64 characters, CreateCertificateWithCsrRequest and
// RenewCertificateOrderForPackageRequest up to 128.
type Tag struct {
	// Key is the tag key.
	Key string
	// Value is the tag value; it may be empty.
	Value string
}

// tagRules are the limits an operation's model states for its tags; a zero
// limit is one the model does not state, and is not checked.
type tagRules struct {
	maxTags, maxKey, maxValue int
	// keyRequired: "The tag key cannot be an empty string".
	keyRequired bool
	// noURLInKey: the key "cannot contain http:// or https://".
	noURLInKey bool
}

// CreateCertificateRequestInput is the input of CreateCertificateRequest.
type CreateCertificateRequestInput struct {
	// ProductCode is the certificate specification, such as
	// "digicert-free-1-free" (a free single-domain DV certificate) or
	// "geotrust-dv-w-starter" (GeoTrust wildcard DV). Empty means the
	// service default. The account needs a resource plan for it.
	ProductCode string `url:"ProductCode,omitempty"`
	// Username is the applicant's name. Required ("This parameter is
	// required", the model's Username, Phone and Email).
	Username string `url:"Username,omitempty"`
	// Phone is the applicant's phone number. Required.
	Phone string `url:"Phone,omitempty"`
	// Email is the applicant's contact address, such as
	// ops@example.com. Required.
	Email string `url:"Email,omitempty"`
	// Domain is the one domain name to certify, in ASCII (an
	// internationalized name in its punycode xn-- form); a wildcard
	// ("*.example.com") needs a wildcard ProductCode.
	Domain string `url:"Domain"`
	// ValidateType is how domain control is proved: ValidateDNS or
	// ValidateFile.
	ValidateType ValidateType `url:"ValidateType"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...: at most 20, each key
	// non-empty, of up to 64 characters and without http:// or https://,
	// each value of up to 128 characters
	// (CreateCertificateRequestRequestTags).
	Tags []Tag `url:"-"`
}

func (in *CreateCertificateRequestInput) validate() []FieldError {
	var p problems
	if in.ProductCode != "" {
		oneOf(&p, "ProductCode", in.ProductCode, productCodes...)
	}
	checkContact(&p, in.Username, in.Phone, in.Email)
	checkDomain(&p, "Domain", in.Domain, certName)
	checkWildcard(&p, in.Domain, in.ProductCode)
	oneOf(&p, "ValidateType", in.ValidateType, ValidateDNS, ValidateFile)
	// CreateCertificateRequestRequestTags: "You can specify up to 20 tag
	// keys. You cannot specify empty strings as tag keys. The key can be up
	// to 64 characters ... The key cannot contain http:// or https://";
	// "The tag value cannot exceed 128 characters".
	checkTags(&p, in.Tags, tagRules{maxTags: 20, maxKey: 64, maxValue: 128, keyRequired: true, noURLInKey: true})
	return p
}

func (in *CreateCertificateRequestInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// checkContact reports a missing applicant contact: the model marks
// Username, Phone and Email "This parameter is required", so an order
// without them is not sent.
func checkContact(p *problems, username, phone, email string) {
	p.required("Username", username)
	p.required("Phone", phone)
	switch {
	case strings.TrimSpace(email) == "":
		p.add("Email", "is required")
	case !isEmailAddress(email):
		p.add("Email", "is not an email address like name@example.com")
	}
}

// checkWildcard reports a Domain whose kind does not match the ProductCode:
// the reference requires a wildcard domain for a wildcard certificate and a
// single domain otherwise (the default product is single-domain).
func checkWildcard(p *problems, domain, product string) {
	wildcard := strings.HasPrefix(domain, "*.")
	if product == "" {
		product = wire.DefaultProductCode
	}
	kind, known := wire.LookupProduct(product)
	switch {
	case !known || kind.Domains == wire.EitherDomain:
	case wildcard && kind.Domains != wire.WildcardDomain:
		p.add("Domain", fmt.Sprintf("%s is a wildcard domain; it needs a wildcard ProductCode "+
			"(geotrust-dv-w-starter, globalsign-dv-w-advanced or symantec-dv-1-starter)", quote(domain)))
	case !wildcard && kind.Domains == wire.WildcardDomain:
		p.add("Domain", fmt.Sprintf("%s is not a wildcard domain (*.example.com), which ProductCode %s requires", quote(domain), product))
	}
}

func checkTags(p *problems, tags []Tag, rules tagRules) {
	if rules.maxTags > 0 && len(tags) > rules.maxTags {
		p.add("Tags", fmt.Sprintf("has %d tags; at most %d are allowed", len(tags), rules.maxTags))
	}
	// The field name is built only for a problem: this runs on every call.
	field := func(i int, part string) string { return "Tags[" + strconv.Itoa(i) + "]." + part }
	for i, t := range tags {
		switch {
		case t.Key == "" && rules.keyRequired:
			p.add(field(i, "Key"), "is required")
		case rules.maxKey > 0 && utf8.RuneCountInString(t.Key) > rules.maxKey:
			p.add(field(i, "Key"), fmt.Sprintf("is longer than %d characters", rules.maxKey))
		case rules.noURLInKey && (strings.Contains(t.Key, "http://") || strings.Contains(t.Key, "https://")):
			p.add(field(i, "Key"), "must not contain http:// or https://")
		}
		if rules.maxValue > 0 && utf8.RuneCountInString(t.Value) > rules.maxValue {
			p.add(field(i, "Value"), fmt.Sprintf("is longer than %d characters", rules.maxValue))
		}
	}
}

// CreateCertificateRequestOutput is the output of CreateCertificateRequest.
type CreateCertificateRequestOutput struct {
	// OrderID identifies the order; pass it to DescribeCertificateState.
	// It is exact: ids above 2^53 are never rounded.
	OrderID int64 `json:"OrderId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateCertificateRequestOutput) missingID() string {
	if o.OrderID <= 0 {
		return "the response has no OrderId"
	}
	return ""
}

var opCreateCertificateRequest = &operation{
	action: "CreateCertificateRequest",
	kind:   opCreate,
	unknownHint: "the certificate order may have been created and may have used quota; " +
		"check the orders in the console (or DescribeCertificateState for an order id you hold) before trying again",
}

// CreateCertificateRequest applies for a DV certificate: the service creates
// the key and CSR, consumes one certificate from the account's resource plan
// for ProductCode, and returns the order id. Then read the domain validation
// the order asks for with DescribeCertificateState, complete it, and wait
// for issuance with WaitForCertificate.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-createcertificaterequest
func (s *CASService) CreateCertificateRequest(ctx context.Context, in *CreateCertificateRequestInput) (*CreateCertificateRequestOutput, error) {
	return invoke[CreateCertificateRequestOutput](ctx, s.owner(), opCreateCertificateRequest, in)
}

// DescribeCertificateStateInput is the input of DescribeCertificateState.
type DescribeCertificateStateInput struct {
	// OrderID is the id CreateCertificateRequest returned.
	OrderID int64 `url:"OrderId"`
}

func (in *DescribeCertificateStateInput) validate() []FieldError {
	var p problems
	p.positiveID("OrderID", in.OrderID)
	return p
}

// DescribeCertificateStateOutput is the output of DescribeCertificateState.
// Which fields are set depends on State and ValidateType.
type DescribeCertificateStateOutput struct {
	// State is the order's state.
	State CertificateState `json:"Type"`
	// Domain is, for FILE validation, the domain whose server must serve the
	// file.
	Domain string `json:"Domain"`
	// RecordType is, for DNS validation, the record type to add: TXT or
	// CNAME.
	RecordType string `json:"RecordType"`
	// RecordDomain is, for DNS validation, the host record to add.
	RecordDomain string `json:"RecordDomain"`
	// RecordValue is, for DNS validation, the record's value.
	RecordValue string `json:"RecordValue"`
	// ValidateType is DNS or FILE.
	ValidateType string `json:"ValidateType"`
	// URI is, for FILE validation, the path the file must be served at.
	URI string `json:"Uri"`
	// Content is, for FILE validation, the file's content.
	Content string `json:"Content"`
	// Certificate is, once issued, the certificate PEM (with its chain).
	Certificate string `json:"Certificate"`
	// PrivateKey is, once issued, the private key PEM. The field itself
	// holds the whole key, for the caller to write to a file; only
	// formatting hides it: it never shows in %v, %+v or %#v output, in
	// log/slog output or in json.Marshal output (as "[redacted]"), also
	// when the output is nested in another value.
	PrivateKey string `json:"PrivateKey" redact:"secret"`
	// CertID is, once issued, the id of the certificate in the account's
	// certificate list, such as "12345678". It is a string on the wire.
	CertID string `json:"CertId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// missingID rejects a 2xx response without a state: WaitForCertificate
// would otherwise poll an empty answer until its context ends.
func (o *DescribeCertificateStateOutput) missingID() string {
	if o.State == "" {
		return "the response has no Type (the order state)"
	}
	return ""
}

var opDescribeCertificateState = &operation{action: "DescribeCertificateState", kind: opIdempotent}

// DescribeCertificateState reads the state of a certificate order: the
// domain validation it waits for, or the issued certificate and key. It is
// retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-describecertificatestate
func (s *CASService) DescribeCertificateState(ctx context.Context, in *DescribeCertificateStateInput) (*DescribeCertificateStateOutput, error) {
	return invoke[DescribeCertificateStateOutput](ctx, s.owner(), opDescribeCertificateState, in)
}
