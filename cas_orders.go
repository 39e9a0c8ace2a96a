package alicert

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// Certificate orders: ordering (with a CSR the service makes or one's own),
// the state of an order, the list of orders, and cancelling, deleting and
// renewing them.

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

// OrderType selects what ListUserCertificateOrder lists.
type OrderType string

const (
	// OrderTypeCPack lists the certificate orders placed from a resource
	// plan (the service's default).
	OrderTypeCPack OrderType = "CPACK"
	// OrderTypeBuy lists the orders of certificates bought directly.
	OrderTypeBuy OrderType = "BUY"
	// OrderTypeUpload lists the uploaded certificates.
	OrderTypeUpload OrderType = "UPLOAD"
	// OrderTypeCert lists the certificates, issued and uploaded.
	OrderTypeCert OrderType = "CERT"
)

// Statuses of ListUserCertificateOrderInput.Status and CertificateOrder.Status.
const (
	// OrderStatusPayed: the order waits to be applied for (orders only).
	OrderStatusPayed = "PAYED"
	// OrderStatusChecking: the CA is reviewing the order (orders only).
	OrderStatusChecking = "CHECKING"
	// OrderStatusCheckedFail: the review failed (orders only).
	OrderStatusCheckedFail = "CHECKED_FAIL"
	// OrderStatusIssued: the certificate is issued.
	OrderStatusIssued = "ISSUED"
	// OrderStatusWillExpire: the certificate expires soon.
	OrderStatusWillExpire = "WILLEXPIRED"
	// OrderStatusExpired: the certificate has expired.
	OrderStatusExpired = "EXPIRED"
	// OrderStatusNotActivated: the order is not activated (orders only).
	OrderStatusNotActivated = "NOTACTIVATED"
	// OrderStatusRevoked: the certificate is revoked (orders only).
	OrderStatusRevoked = "REVOKED"
)

// orderOnlyStatuses are the statuses the service documents as valid only
// when listing orders (OrderTypeCPack or OrderTypeBuy).
var orderOnlyStatuses = map[string]bool{
	OrderStatusPayed: true, OrderStatusChecking: true, OrderStatusCheckedFail: true,
	OrderStatusNotActivated: true, OrderStatusRevoked: true,
}

// CreateCertificateWithCsrRequestInput is the input of
// CreateCertificateWithCsrRequest.
type CreateCertificateWithCsrRequestInput struct {
	// Csr is the PEM certificate signing request. Its key must be RSA of
	// 2048 bits or more, or ECDSA P-256 or P-384, and it must name exactly
	// one domain (as its common name, its DNS names, or both), which
	// follows the same rule as CreateCertificateRequest's Domain.
	Csr string `url:"Csr"`
	// ProductCode is the certificate specification, as for
	// CreateCertificateRequest; empty means the service default.
	ProductCode string `url:"ProductCode,omitempty"`
	// Username, Phone and Email are the applicant's contact. Required.
	Username string `url:"Username,omitempty"`
	Phone    string `url:"Phone,omitempty"`
	Email    string `url:"Email,omitempty"`
	// ValidateType is how domain control is proved: ValidateDNS or
	// ValidateFile.
	ValidateType ValidateType `url:"ValidateType"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...: at most 20, each key
	// non-empty, of up to 128 characters and without http:// or https://
	// (CreateCertificateWithCsrRequestRequestTags).
	Tags []Tag `url:"-"`
}

func (in *CreateCertificateWithCsrRequestInput) validate() []FieldError {
	var p problems
	if in.ProductCode != "" {
		oneOf(&p, "ProductCode", in.ProductCode, productCodes...)
	}
	checkContact(&p, in.Username, in.Phone, in.Email)
	if domain, ok := checkOrderCSR(&p, "Csr", in.Csr); ok {
		// The domain rule's check of the product, reported on the field
		// that holds the domain here.
		var w problems
		checkWildcard(&w, domain, in.ProductCode)
		for _, f := range w {
			p.add("Csr", "names "+strings.TrimPrefix(f.Problem, quote(domain)+" is "))
		}
	}
	oneOf(&p, "ValidateType", in.ValidateType, ValidateDNS, ValidateFile)
	checkTags(&p, in.Tags, tagRules{maxTags: 20, maxKey: 128, keyRequired: true, noURLInKey: true})
	return p
}

func (in *CreateCertificateWithCsrRequestInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// checkOrderCSR reports a CSR the service would refuse or the CA could not
// issue for: one that does not parse, whose signature does not verify, whose
// key is not RSA 2048+ or ECDSA P-256/P-384, or that does not name exactly
// one domain fit for a certificate. It returns that domain when there is one.
func checkOrderCSR(p *problems, field, csrPEM string) (string, bool) {
	csr, problem, _ := verifiedCSR(csrPEM)
	if problem != "" {
		p.add(field, problem)
		return "", false
	}
	if problem := keyProblem(csr.PublicKey); problem != "" {
		p.add(field, "has "+problem)
		return "", false
	}
	if len(csr.IPAddresses)+len(csr.EmailAddresses)+len(csr.URIs) > 0 {
		p.add(field, "names an IP address, email address or URI; a DV certificate holds one domain name only")
		return "", false
	}
	names := csrNames(csr)
	switch len(names) {
	case 0:
		p.add(field, "names no domain: set its common name or a DNS name")
		return "", false
	case 1:
	default:
		p.add(field, fmt.Sprintf("names %d domains (%s); the certificate holds exactly one", len(names), quoteAll(names)))
		return "", false
	}
	if problem := domainProblem(names[0], certName); problem != "" {
		p.add(field, "names a domain no certificate can hold: "+problem)
		return "", false
	}
	return names[0], true
}

// csrNames is the set of domains a CSR names: its common name and DNS
// names, compared case-insensitively, in order of appearance.
func csrNames(csr *x509.CertificateRequest) []string {
	var names []string
	seen := map[string]bool{}
	for _, n := range append([]string{csr.Subject.CommonName}, csr.DNSNames...) {
		if n == "" || seen[normalizeName(n)] {
			continue
		}
		seen[normalizeName(n)] = true
		names = append(names, n)
	}
	return names
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

// keyProblem says why a public key cannot be certified here, or "": the
// service takes RSA of 2048 bits or more and ECC keys, and the curves a
// public CA signs are P-256 and P-384.
func keyProblem(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("an RSA key of %d bits; at least 2048 are required", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Sprintf("an ECDSA key on %s; use P-256 or P-384", k.Curve.Params().Name)
		}
	default:
		return fmt.Sprintf("a %T key; use ECDSA P-256 or P-384, or RSA of 2048 bits or more", pub)
	}
	return ""
}

// CreateCertificateWithCsrRequestOutput is the output of
// CreateCertificateWithCsrRequest.
type CreateCertificateWithCsrRequestOutput struct {
	// OrderID identifies the order; pass it to DescribeCertificateState.
	OrderID int64 `json:"OrderId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateCertificateWithCsrRequestOutput) missingID() string {
	if o.OrderID <= 0 {
		return "the response has no OrderId"
	}
	return ""
}

var opCreateCertificateWithCsrRequest = &operation{
	action: "CreateCertificateWithCsrRequest",
	kind:   opCreate,
	unknownHint: "the certificate order may have been created and may have used quota; " +
		"look for it with ListUserCertificateOrder (or in the console) before trying again",
}

// CreateCertificateWithCsrRequest applies for a DV certificate for the
// domain of a CSR of one's own: the private key never leaves the caller.
// It consumes one certificate of the resource plan for ProductCode. Read
// the validation the order asks for with DescribeCertificateState, as for
// CreateCertificateRequest; the issued order returns no private key.
// Obtain does all of this when ObtainInput.Key is set.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-createcertificatewithcsrrequest
func (s *CASService) CreateCertificateWithCsrRequest(ctx context.Context, in *CreateCertificateWithCsrRequestInput) (*CreateCertificateWithCsrRequestOutput, error) {
	return invoke[CreateCertificateWithCsrRequestOutput](ctx, s.owner(), opCreateCertificateWithCsrRequest, in)
}

// ListUserCertificateOrderInput is the input of ListUserCertificateOrder.
type ListUserCertificateOrderInput struct {
	// OrderType is what to list: OrderTypeCert (certificates, issued and
	// uploaded), OrderTypeUpload, OrderTypeCPack (orders from a resource
	// plan; the service's default when empty) or OrderTypeBuy.
	OrderType OrderType `url:"OrderType,omitempty"`
	// Status filters by status (the OrderStatus constants). PAYED,
	// CHECKING, CHECKED_FAIL, NOTACTIVATED and REVOKED apply to orders
	// only. Empty lists, for certificates, those ISSUED or WILLEXPIRED;
	// for orders, all of them.
	Status string `url:"Status,omitempty"`
	// Keyword filters by a part of the domain name or the resource id.
	Keyword string `url:"Keyword,omitempty"`
	// ResourceGroupID filters by resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// CurrentPage is the page to return, from 1; 0 means the first.
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the number of entries per page; 0 means the service's
	// default, 50.
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListUserCertificateOrderInput) validate() []FieldError {
	var p problems
	if in.OrderType != "" {
		oneOf(&p, "OrderType", in.OrderType, OrderTypeCPack, OrderTypeBuy, OrderTypeUpload, OrderTypeCert)
	}
	if in.Status != "" {
		oneOf(&p, "Status", in.Status, OrderStatusPayed, OrderStatusChecking, OrderStatusCheckedFail,
			OrderStatusIssued, OrderStatusWillExpire, OrderStatusExpired, OrderStatusNotActivated, OrderStatusRevoked)
		if orderOnlyStatuses[in.Status] && (in.OrderType == OrderTypeCert || in.OrderType == OrderTypeUpload) {
			p.add("Status", fmt.Sprintf("%s applies to orders only; it is not valid with OrderType %s", in.Status, in.OrderType))
		}
	}
	p.pageNumber("CurrentPage", in.CurrentPage)
	p.pageSize("ShowSize", in.ShowSize, 0)
	return p
}

// CertificateOrder is one entry of ListUserCertificateOrder: a certificate
// (OrderTypeCert, OrderTypeUpload) or an order (OrderTypeCPack,
// OrderTypeBuy). Which fields are set depends on the kind, as noted.
type CertificateOrder struct {
	// OrderID is the order's id (orders).
	OrderID int64 `json:"OrderId"`
	// CertificateID is the certificate's id (certificates); pass it to
	// GetUserCertificateDetail or DeleteUserCertificate.
	CertificateID int64 `json:"CertificateId"`
	// InstanceID is the resource id, such as "cas-upload-xki1d0".
	InstanceID string `json:"InstanceId"`
	// Name is the certificate's name (certificates).
	Name string `json:"Name"`
	// Domain is the ordered domain (orders).
	Domain string `json:"Domain"`
	// CommonName is the certificate's primary domain (certificates).
	CommonName string `json:"CommonName"`
	// Sans are the certificate's domains, comma-separated (certificates).
	Sans string `json:"Sans"`
	// Status is one of the OrderStatus constants.
	Status string `json:"Status"`
	// CertType is DV, OV, EV or FREE (orders).
	CertType string `json:"CertType"`
	// ProductCode is the specification (orders).
	ProductCode string `json:"ProductCode"`
	// ProductName is the specification's name (orders).
	ProductName string `json:"ProductName"`
	// StartDate and EndDate are the certificate's validity as dates,
	// like 2021-11-16 (certificates).
	StartDate string `json:"StartDate"`
	EndDate   string `json:"EndDate"`
	// CertStartTime and CertEndTime are the certificate's validity in
	// milliseconds since the epoch (NotBefore and NotAfter make them
	// times). The service documents them for orders; it sets them for
	// certificates too.
	CertStartTime int64 `json:"CertStartTime"`
	CertEndTime   int64 `json:"CertEndTime"`
	// Fingerprint is the certificate's SHA-1 fingerprint, in hex
	// (certificates).
	Fingerprint string `json:"Fingerprint"`
	// Sha2 is the certificate's SHA-256 fingerprint, in hex (certificates).
	Sha2 string `json:"Sha2"`
	// SerialNo is the certificate's serial number, in hex (certificates).
	SerialNo string `json:"SerialNo"`
	// Issuer is the issuing CA (certificates).
	Issuer string `json:"Issuer"`
	// Expired reports an expired certificate (certificates).
	Expired bool `json:"Expired"`
	// Upload reports an uploaded certificate (certificates).
	Upload bool `json:"Upload"`
	// OrgName, Country, Province and City are the subject's organization
	// (certificates).
	OrgName  string `json:"OrgName"`
	Country  string `json:"Country"`
	Province string `json:"Province"`
	City     string `json:"City"`
	// ResourceGroupID is the resource group (certificates).
	ResourceGroupID string `json:"ResourceGroupId"`
	// Algorithm is the key algorithm, like RSA (orders).
	Algorithm string `json:"Algorithm"`
	// AliyunOrderID is the id of the purchase (orders).
	AliyunOrderID int64 `json:"AliyunOrderId"`
	// BuyDate is when it was bought, in ms since the epoch (orders).
	BuyDate int64 `json:"BuyDate"`
	// DomainType is ONE, MULTIPLE, WILDCARD, M_WILDCARD or MIX (orders).
	DomainType string `json:"DomainType"`
	// DomainCount and WildDomainCount are the numbers of domains and of
	// wildcard domains bought (orders).
	DomainCount     int64 `json:"DomainCount"`
	WildDomainCount int64 `json:"WildDomainCount"`
	// PartnerOrderID is the CA's id of the order (orders).
	PartnerOrderID string `json:"PartnerOrderId"`
	// RootBrand is the CA brand, like DigiCert (orders).
	RootBrand string `json:"RootBrand"`
	// SourceType is cpack or buy (orders).
	SourceType string `json:"SourceType"`
	// TrusteeStatus is trustee or unTrustee: whether the order is hosted
	// (orders).
	TrusteeStatus string `json:"TrusteeStatus"`
}

// ListUserCertificateOrderOutput is the output of ListUserCertificateOrder.
type ListUserCertificateOrderOutput struct {
	// CertificateOrderList is this page's entries.
	CertificateOrderList []CertificateOrder `json:"CertificateOrderList"`
	// TotalCount is the number of entries over all pages.
	TotalCount int64 `json:"TotalCount"`
	// CurrentPage is this page's number.
	CurrentPage int64 `json:"CurrentPage"`
	// ShowSize is the page size (the service documents it as the number of
	// entries on this page).
	ShowSize int64 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListUserCertificateOrder = &operation{action: "ListUserCertificateOrder", kind: opIdempotent}

// ListUserCertificateOrder lists one page of the account's certificates or
// certificate orders. AllUserCertificateOrders walks every page. It is a
// read: retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-listusercertificateorder
func (s *CASService) ListUserCertificateOrder(ctx context.Context, in *ListUserCertificateOrderInput) (*ListUserCertificateOrderOutput, error) {
	return invoke[ListUserCertificateOrderOutput](ctx, s.owner(), opListUserCertificateOrder, in)
}

// orderIDProblems validates the one OrderID of the order operations.
func orderIDProblems(id int64) []FieldError {
	var p problems
	p.positiveID("OrderID", id)
	return p
}

// DeleteCertificateRequestInput is the input of DeleteCertificateRequest.
type DeleteCertificateRequestInput struct {
	// OrderID is the order: one whose review failed, or one cancelled with
	// CancelOrderRequest.
	OrderID int64 `url:"OrderId"`
}

func (in *DeleteCertificateRequestInput) validate() []FieldError { return orderIDProblems(in.OrderID) }

// DeleteCertificateRequestOutput is the output of DeleteCertificateRequest.
type DeleteCertificateRequestOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// The order operations below (delete, cancel, revoke) are not repeated once
// the request may have reached the service. Their models take an OrderId
// and no idempotence token, and describe each for orders in given states:
// an attempt that acted may have moved the order out of them, so a repeat
// could report a failure for a call that succeeded. The caller is told
// instead that the outcome is unknown, and how to look.

var opDeleteCertificateRequest = &operation{
	action: "DeleteCertificateRequest",
	kind:   opCreate,
	unknownHint: "the order may have been deleted; " +
		"check with ListUserCertificateOrder (OrderType CPACK) before trying again",
}

// DeleteCertificateRequest deletes a certificate order whose review failed
// (verify_fail) or that was cancelled with CancelOrderRequest; the quota it
// used is returned to the resource plan.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-deletecertificaterequest
func (s *CASService) DeleteCertificateRequest(ctx context.Context, in *DeleteCertificateRequestInput) (*DeleteCertificateRequestOutput, error) {
	return invoke[DeleteCertificateRequestOutput](ctx, s.owner(), opDeleteCertificateRequest, in)
}

// CancelOrderRequestInput is the input of CancelOrderRequest.
type CancelOrderRequestInput struct {
	// OrderID is the order, waiting for domain validation or in review.
	OrderID int64 `url:"OrderId"`
}

func (in *CancelOrderRequestInput) validate() []FieldError { return orderIDProblems(in.OrderID) }

// CancelOrderRequestOutput is the output of CancelOrderRequest.
type CancelOrderRequestOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opCancelOrderRequest = &operation{
	action: "CancelOrderRequest",
	kind:   opCreate,
	unknownHint: "the order may have been cancelled; check with DescribeCertificateState " +
		"(a cancelled order reads payed) before trying again",
}

// CancelOrderRequest cancels a certificate order that waits for domain
// validation or is in review: it goes back to waiting to be applied for
// (StatePayed). Delete it with DeleteCertificateRequest to get the quota
// back.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-cancelorderrequest
func (s *CASService) CancelOrderRequest(ctx context.Context, in *CancelOrderRequestInput) (*CancelOrderRequestOutput, error) {
	return invoke[CancelOrderRequestOutput](ctx, s.owner(), opCancelOrderRequest, in)
}

// CancelCertificateForPackageRequestInput is the input of
// CancelCertificateForPackageRequest.
type CancelCertificateForPackageRequestInput struct {
	// OrderID is the order of the issued certificate to revoke.
	OrderID int64 `url:"OrderId"`
}

func (in *CancelCertificateForPackageRequestInput) validate() []FieldError {
	return orderIDProblems(in.OrderID)
}

// CancelCertificateForPackageRequestOutput is the output of
// CancelCertificateForPackageRequest.
type CancelCertificateForPackageRequestOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opCancelCertificateForPackageRequest = &operation{
	action: "CancelCertificateForPackageRequest",
	kind:   opCreate,
	unknownHint: "the certificate may have been revoked; check with ListUserCertificateOrder " +
		"(Status REVOKED) before trying again",
}

// CancelCertificateForPackageRequest revokes the issued certificate of an
// order and cancels the order. This cannot be undone: every server still
// using the certificate starts failing TLS handshakes. Revoked within 30
// days of issuance, the certificate's quota is returned. For an order
// pending application (ListUserCertificateOrder Status PAYED, such as a
// renewal's new order) it cancels the order and returns its quota: the
// model's summary of the operation is "Revokes an issued certificate or
// cancels a pending certificate order and restores the quota".
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-cancelcertificateforpackagerequest
func (s *CASService) CancelCertificateForPackageRequest(ctx context.Context, in *CancelCertificateForPackageRequestInput) (*CancelCertificateForPackageRequestOutput, error) {
	return invoke[CancelCertificateForPackageRequestOutput](ctx, s.owner(), opCancelCertificateForPackageRequest, in)
}

// RenewCertificateOrderForPackageRequestInput is the input of
// RenewCertificateOrderForPackageRequest.
type RenewCertificateOrderForPackageRequestInput struct {
	// OrderID is the order to renew.
	OrderID int64 `url:"OrderId"`
	// Csr is the PEM CSR of the new certificate, under the same rules as
	// CreateCertificateWithCsrRequestInput.Csr; empty has the service make
	// a key and CSR for the order's domain.
	Csr string `url:"Csr,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...: at most 20, each key
	// non-empty, of up to 128 characters and without http:// or https://,
	// each value of up to 128 characters
	// (RenewCertificateOrderForPackageRequestRequestTags).
	Tags []Tag `url:"-"`
}

func (in *RenewCertificateOrderForPackageRequestInput) validate() []FieldError {
	var p problems
	p.positiveID("OrderID", in.OrderID)
	if in.Csr != "" {
		checkOrderCSR(&p, "Csr", in.Csr)
	}
	checkTags(&p, in.Tags, tagRules{maxTags: 20, maxKey: 128, maxValue: 128, keyRequired: true, noURLInKey: true})
	return p
}

func (in *RenewCertificateOrderForPackageRequestInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// RenewCertificateOrderForPackageRequestOutput is the output of
// RenewCertificateOrderForPackageRequest.
type RenewCertificateOrderForPackageRequestOutput struct {
	// OrderID is the new order.
	OrderID int64 `json:"OrderId"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *RenewCertificateOrderForPackageRequestOutput) missingID() string {
	if o.OrderID <= 0 {
		return "the response has no OrderId"
	}
	return ""
}

var opRenewCertificateOrderForPackageRequest = &operation{
	action: "RenewCertificateOrderForPackageRequest",
	kind:   opCreate,
	unknownHint: "the renewal order may have been created and may have used quota; " +
		"look for it with ListUserCertificateOrder (OrderType CPACK) before trying again",
}

// RenewCertificateOrderForPackageRequest orders a new certificate for the
// domain of an existing order, from the same resource plan. The service
// renews only an order that is about to expire (ListUserCertificateOrder
// Status WILLEXPIRED), and the new order starts pending application
// (Status PAYED; DescribeCertificateState Type StatePayed), not in domain
// validation: "a new certificate order whose status is pending application
// is generated. You must submit a certificate application for the new
// certificate order" (the operation's description in the CAS 2020-04-07
// model).
//
// No operation of the CAS 2020-04-07 models submits the application of an
// order by its OrderId (ApplyCertificate applies for an instance set up
// with UpdateInstance, and no model relates the two), so alicert offers
// none: submit the new order's application in the Certificate Management
// Service console, then wait for it with WaitForCertificate, which reads
// DescribeCertificateState until the certificate is issued. Until the
// application is submitted the order stays pending; an unwanted one is
// cancelled, and its quota returned, with CancelCertificateForPackageRequest.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-renewcertificateorderforpackagerequest
func (s *CASService) RenewCertificateOrderForPackageRequest(ctx context.Context, in *RenewCertificateOrderForPackageRequestInput) (*RenewCertificateOrderForPackageRequestOutput, error) {
	return invoke[RenewCertificateOrderForPackageRequestOutput](ctx, s.owner(), opRenewCertificateOrderForPackageRequest, in)
}
