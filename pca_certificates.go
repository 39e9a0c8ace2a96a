package alicert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
)

// PCAReturn says what a Private CA certificate create returns, the
// models' Immediately parameter.
type PCAReturn int

const (
	// PCAReturnNothing (0, the service's default) returns the certificate's
	// identifier only; DescribeClientCertificate reads the certificate.
	PCAReturnNothing PCAReturn = 0
	// PCAReturnCertificate (1) returns the certificate too.
	PCAReturnCertificate PCAReturn = 1
	// PCAReturnChain (2) returns the certificate and its CA chain.
	PCAReturnChain PCAReturn = 2
)

func checkReturn(p *problems, r PCAReturn) {
	if r < PCAReturnNothing || r > PCAReturnChain {
		p.add("Immediately", fmt.Sprintf("%d is not 0, 1 or 2 (PCAReturnNothing, PCAReturnCertificate, PCAReturnChain)", r))
	}
}

// checkPCACSR reports a CSR that is not exactly one PEM CERTIFICATE REQUEST
// block, or that Go parses and whose signature does not verify. An SM2 CSR,
// which the Private CA signs but Go cannot parse, passes on its framing:
// the service judges it.
func checkPCACSR(p *problems, field, csrPEM string) {
	if _, problem, sm2 := verifiedCSR(csrPEM); problem != "" && !sm2 {
		p.add(field, problem)
	}
}

// checkValidityDays applies the rule both CSR models state: "The Days,
// BeforeTime, and AfterTime parameters cannot all be empty. The BeforeTime
// and AfterTime parameters must both be empty or both be specified."
func checkValidityDays(p *problems, days, months, years int, before, after int64) {
	for _, f := range []struct {
		name string
		v    int64
	}{{"Days", int64(days)}, {"Months", int64(months)}, {"Years", int64(years)}, {"BeforeTime", before}, {"AfterTime", after}} {
		if f.v < 0 {
			p.add(f.name, fmt.Sprintf("%d is negative", f.v))
		}
	}
	switch {
	case (before == 0) != (after == 0):
		p.add("BeforeTime", "and AfterTime must both be set or both be zero")
	case days == 0 && before == 0:
		p.add("Days", "is required, or BeforeTime and AfterTime: the validity")
	case before != 0 && after <= before:
		p.add("AfterTime", fmt.Sprintf("%d is not after BeforeTime %d", after, before))
	}
}

// checkNames reports list entries that are empty or hold the commas or
// white space on which the service splits a comma-separated list: one name
// would silently become two.
func checkNames(p *problems, field string, names []string) {
	for i, n := range names {
		if n == "" || strings.ContainsAny(n, ", \t\r\n") {
			p.add(field+"["+strconv.Itoa(i)+"]", fmt.Sprintf("%s is empty or holds a comma or white space", quote(n)))
		}
	}
}

// checkSANValues reports SanValue entries that are empty, hold a comma
// (the service's separator: "You can enter multiple values separated by
// commas") or a line break. Spaces are allowed: the model's x400Address
// example has them.
func checkSANValues(p *problems, field string, values []string) {
	for i, v := range values {
		if strings.TrimSpace(v) == "" || strings.ContainsAny(v, ",\r\n") {
			p.add(field+"["+strconv.Itoa(i)+"]", fmt.Sprintf("%s is empty or holds a comma or a line break", quote(v)))
		}
	}
}

// CreateServerCertificateWithCsrInput is the input of
// CreateServerCertificateWithCsr.
type CreateServerCertificateWithCsrInput struct {
	// ParentIdentifier is the sub-CA that signs. Required.
	ParentIdentifier string `url:"ParentIdentifier"`
	// Csr is the CSR, PEM. Required. The subject's common name comes from
	// it: "the value of the CommonName parameter is determined by the
	// corresponding information in the Csr parameter".
	Csr string `url:"Csr"`
	// Domain are the names and IP addresses the certificate adds, sent
	// comma-joined as Domain.
	Domain []string `url:"Domain,comma,omitempty"`
	// Days is the validity in days; it wins over BeforeTime and AfterTime
	// when both are given. Days, or BeforeTime and AfterTime, are required;
	// the validity may not outlast the sub-CA's.
	Days int `url:"Days,omitempty"`
	// BeforeTime and AfterTime are the start and end of the validity, Unix
	// seconds (time.Time.Unix), both or neither.
	BeforeTime int64 `url:"BeforeTime,omitempty"`
	AfterTime  int64 `url:"AfterTime,omitempty"`
	// Months and Years are validities in months and years, sent as given;
	// the model states no rule for them beside Days.
	Months int `url:"Months,omitempty"`
	Years  int `url:"Years,omitempty"`
	// Immediately says what the response carries; the zero value,
	// PCAReturnNothing, returns no certificate.
	Immediately PCAReturn `url:"Immediately,omitempty"`
	// CustomIdentifier is a unique key of your choice, which the
	// certificate keeps (ListClientCertificate shows it): after an unknown
	// outcome, look for it there before sending again. The model does not
	// document what a repeat of the key does.
	CustomIdentifier string `url:"CustomIdentifier,omitempty"`
	// Algorithm is the certificate's key algorithm, in the sub-CA's family.
	Algorithm PCAKeyAlgorithm `url:"Algorithm,omitempty"`
	// EnableCRL puts the CRL address in the certificate (EnableCrl=1).
	EnableCRL bool `url:"EnableCrl,int,omitempty"`
	// AsynchronousFlag asks the service to issue asynchronously.
	AsynchronousFlag bool `url:"AsynchronousFlag,omitempty"`
	// CommonName, Country, Locality, Organization, OrganizationUnit and
	// State are subject fields; empty ones take the sub-CA's or the CSR's.
	CommonName       string `url:"CommonName,omitempty"`
	Country          string `url:"Country,omitempty"`
	Locality         string `url:"Locality,omitempty"`
	Organization     string `url:"Organization,omitempty"`
	OrganizationUnit string `url:"OrganizationUnit,omitempty"`
	State            string `url:"State,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...
	Tags []Tag `url:"-"`
}

func (in *CreateServerCertificateWithCsrInput) validate() []FieldError {
	var p problems
	p.required("ParentIdentifier", in.ParentIdentifier)
	checkPCACSR(&p, "Csr", in.Csr)
	checkNames(&p, "Domain", in.Domain)
	checkValidityDays(&p, in.Days, in.Months, in.Years, in.BeforeTime, in.AfterTime)
	checkReturn(&p, in.Immediately)
	if in.Algorithm != "" {
		oneOf(&p, "Algorithm", in.Algorithm, pcaKeyAlgorithms...)
	}
	checkTags(&p, in.Tags, tagRules{})
	return p
}

func (in *CreateServerCertificateWithCsrInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// CreateServerCertificateWithCsrOutput is the output of
// CreateServerCertificateWithCsr.
type CreateServerCertificateWithCsrOutput struct {
	// Identifier identifies the certificate.
	Identifier string `json:"Identifier"`
	// SerialNumber is the certificate's serial number, hexadecimal.
	SerialNumber string `json:"SerialNumber"`
	// X509Certificate is the certificate, PEM (Immediately 1 or 2).
	X509Certificate string `json:"X509Certificate"`
	// CertificateChain is the CA chain, PEM (Immediately 2).
	CertificateChain string `json:"CertificateChain"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateServerCertificateWithCsrOutput) missingID() string {
	if o.Identifier == "" {
		return "the response has no Identifier"
	}
	return ""
}

const pcaCertUnknownHint = "the certificate may have been issued and counted against the CA's quota; " +
	"look for its CustomIdentifier with ListClientCertificate before trying again"

var opCreateServerCertificateWithCsr = &operation{
	action:      "CreateServerCertificateWithCsr",
	api:         apiPCA,
	kind:        opCreate,
	unknownHint: pcaCertUnknownHint,
}

// CreateServerCertificateWithCsr has a sub-CA sign a server certificate
// for a CSR, synchronously. The key stays with the caller.
//
// It is a create, counted against the sub-CA's quota: it is not retried
// once the request may have reached the service, and such a failure
// matches ErrOutcomeUnknown. Give a CustomIdentifier to find the
// certificate afterwards with ListClientCertificate.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createservercertificatewithcsr
func (s *PCAService) CreateServerCertificateWithCsr(ctx context.Context, in *CreateServerCertificateWithCsrInput) (*CreateServerCertificateWithCsrOutput, error) {
	return invoke[CreateServerCertificateWithCsrOutput](ctx, s.owner(), opCreateServerCertificateWithCsr, in)
}

// PCASANType is the type of a client certificate's subject alternative
// names, as CreateClientCertificateWithCsr's SanType numbers them.
type PCASANType int

// The SanType values of the model.
const (
	SANOtherName     PCASANType = 0
	SANEmail         PCASANType = 1 // rfc822Name
	SANDNS           PCASANType = 2 // dNSName
	SANX400Address   PCASANType = 3
	SANDirectoryName PCASANType = 4
	SANEDIPartyName  PCASANType = 5
	SANURI           PCASANType = 6 // uniformResourceIdentifier
	SANIPAddress     PCASANType = 7
	SANRegisteredID  PCASANType = 8
)

// CreateClientCertificateWithCsrInput is the input of
// CreateClientCertificateWithCsr.
type CreateClientCertificateWithCsrInput struct {
	// ParentIdentifier is the sub-CA that signs. Required here: a
	// certificate for a CSR needs an issuer.
	ParentIdentifier string `url:"ParentIdentifier"`
	// Csr is the CSR, PEM. Required here, as the action's name says.
	Csr string `url:"Csr"`
	// SANValues are the subject alternative names, all of type SANType,
	// sent comma-joined as SanValue. With none, SanType is not sent.
	SANValues []string `url:"SanValue,comma,omitempty"`
	// SANType is the type of SANValues: SANEmail, SANDNS, SANURI,
	// SANIPAddress, ... It is sent only with SANValues.
	SANType PCASANType `url:"-"`
	// Days, BeforeTime, AfterTime, Months and Years are the validity, by
	// the same rule as CreateServerCertificateWithCsrInput's.
	Days       int   `url:"Days,omitempty"`
	BeforeTime int64 `url:"BeforeTime,omitempty"`
	AfterTime  int64 `url:"AfterTime,omitempty"`
	Months     int   `url:"Months,omitempty"`
	Years      int   `url:"Years,omitempty"`
	// Immediately says what the response carries; the zero value,
	// PCAReturnNothing, returns no certificate.
	Immediately PCAReturn `url:"Immediately,omitempty"`
	// CustomIdentifier is a unique key of your choice; see
	// CreateServerCertificateWithCsrInput.
	CustomIdentifier string `url:"CustomIdentifier,omitempty"`
	// Algorithm is the certificate's key algorithm, in the sub-CA's family.
	Algorithm PCAKeyAlgorithm `url:"Algorithm,omitempty"`
	// EnableCRL puts the CRL address in the certificate (EnableCrl=1).
	EnableCRL bool `url:"EnableCrl,int,omitempty"`
	// AsynchronousFlag asks the service to issue asynchronously; the
	// certificate then appears in ListClientCertificate.
	AsynchronousFlag bool `url:"AsynchronousFlag,omitempty"`
	// Subject fields; empty ones take the sub-CA's or the CSR's.
	CommonName       string `url:"CommonName,omitempty"`
	Country          string `url:"Country,omitempty"`
	Locality         string `url:"Locality,omitempty"`
	Organization     string `url:"Organization,omitempty"`
	OrganizationUnit string `url:"OrganizationUnit,omitempty"`
	State            string `url:"State,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...
	Tags []Tag `url:"-"`
}

func (in *CreateClientCertificateWithCsrInput) validate() []FieldError {
	var p problems
	p.required("ParentIdentifier", in.ParentIdentifier)
	checkPCACSR(&p, "Csr", in.Csr)
	checkSANValues(&p, "SANValues", in.SANValues)
	if in.SANType < SANOtherName || in.SANType > SANRegisteredID {
		p.add("SANType", fmt.Sprintf("%d is not a SanType of the model (0 to 8)", in.SANType))
	}
	checkValidityDays(&p, in.Days, in.Months, in.Years, in.BeforeTime, in.AfterTime)
	checkReturn(&p, in.Immediately)
	if in.Algorithm != "" {
		oneOf(&p, "Algorithm", in.Algorithm, pcaKeyAlgorithms...)
	}
	checkTags(&p, in.Tags, tagRules{})
	return p
}

func (in *CreateClientCertificateWithCsrInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	if len(in.SANValues) > 0 {
		// SanType 0 is otherName, a real value: it travels with the names.
		params = append(params, signature.Param{Key: "SanType", Value: strconv.Itoa(int(in.SANType))})
	}
	return appendTags(params, in.Tags), nil
}

// CreateClientCertificateWithCsrOutput is the output of
// CreateClientCertificateWithCsr.
type CreateClientCertificateWithCsrOutput struct {
	// Identifier identifies the certificate.
	Identifier string `json:"Identifier"`
	// SerialNumber is the certificate's serial number, hexadecimal.
	SerialNumber string `json:"SerialNumber"`
	// X509Certificate is the certificate, PEM (Immediately 1 or 2).
	X509Certificate string `json:"X509Certificate"`
	// CertificateChain is the CA chain, PEM (Immediately 2).
	CertificateChain string `json:"CertificateChain"`
	// CertSignBufKmc and CertKmcRep1 are, in the model's words, "the
	// encrypted certificate content" and "the encrypted certificate
	// ciphertext".
	CertSignBufKmc string `json:"CertSignBufKmc"`
	CertKmcRep1    string `json:"CertKmcRep1"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateClientCertificateWithCsrOutput) missingID() string {
	if o.Identifier == "" {
		return "the response has no Identifier"
	}
	return ""
}

var opCreateClientCertificateWithCsr = &operation{
	action:      "CreateClientCertificateWithCsr",
	api:         apiPCA,
	kind:        opCreate,
	unknownHint: pcaCertUnknownHint,
}

// CreateClientCertificateWithCsr has a sub-CA sign a client certificate
// for a CSR, synchronously. The key stays with the caller.
//
// It is a create, counted against the sub-CA's quota: it is not retried
// once the request may have reached the service, and such a failure
// matches ErrOutcomeUnknown. Give a CustomIdentifier to find the
// certificate afterwards with ListClientCertificate.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createclientcertificatewithcsr
func (s *PCAService) CreateClientCertificateWithCsr(ctx context.Context, in *CreateClientCertificateWithCsrInput) (*CreateClientCertificateWithCsrOutput, error) {
	return invoke[CreateClientCertificateWithCsrOutput](ctx, s.owner(), opCreateClientCertificateWithCsr, in)
}

// DescribeClientCertificateInput is the input of DescribeClientCertificate.
type DescribeClientCertificateInput struct {
	// Identifier is the client or server certificate. Required.
	Identifier string `url:"Identifier"`
}

func (in *DescribeClientCertificateInput) validate() []FieldError {
	var p problems
	p.required("Identifier", in.Identifier)
	return p
}

// PCACertificate is a client or server certificate a sub-CA issued, as
// DescribeClientCertificate returns it.
type PCACertificate struct {
	// Identifier identifies the certificate; ID is the service's numeric id.
	Identifier string `json:"Identifier"`
	ID         int64  `json:"Id"`
	// CustomIdentifier is the key the create was given.
	CustomIdentifier string `json:"CustomIdentifier"`
	// ParentIdentifier is the sub-CA that issued it.
	ParentIdentifier string `json:"ParentIdentifier"`
	// CertificateType is the kind of certificate, like SERVER or CLIENT.
	CertificateType string `json:"CertificateType"`
	// Status is the certificate's state, like ISSUE or REVOKE.
	Status string `json:"Status"`
	// X509Certificate is the certificate and CertChain its chain, PEM.
	X509Certificate string `json:"X509Certificate"`
	CertChain       string `json:"CertChain"`
	SerialNumber    string `json:"SerialNumber"`
	Md5             string `json:"Md5"`
	Sha2            string `json:"Sha2"`
	// BeforeDate and AfterDate bound the validity, Unix milliseconds; see
	// NotBefore and NotAfter. Days is the validity in days.
	BeforeDate int64 `json:"BeforeDate"`
	AfterDate  int64 `json:"AfterDate"`
	Days       int32 `json:"Days"`
	// Sans are the subject alternative names as the service writes them:
	// the model describes a JSON array of {"Type": 7, "Value": "..."}
	// (Type as in SanType) and gives an example that is not valid JSON, so
	// it is kept as text. The certificate (X509Certificate) holds the
	// names exactly.
	Sans             string `json:"Sans"`
	SubjectDN        string `json:"SubjectDN"`
	CommonName       string `json:"CommonName"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	Locality         string `json:"Locality"`
	State            string `json:"State"`
	CountryCode      string `json:"CountryCode"`
	Algorithm        string `json:"Algorithm"`
	FullAlgorithm    string `json:"FullAlgorithm"`
	KeySize          int32  `json:"KeySize"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	// AliasName is the certificate's name in the console.
	AliasName string `json:"AliasName"`
	// UploadFlag is a flag of the model with no documented meaning beyond
	// its name.
	UploadFlag      int32    `json:"UploadFlag"`
	ResourceGroupID string   `json:"ResourceGroupId"`
	Tags            []PCATag `json:"Tags"`
}

// NotBefore is the start of the certificate's validity, or the zero time.
func (c *PCACertificate) NotBefore() time.Time { return msTime(c.BeforeDate) }

// NotAfter is the end of the certificate's validity, or the zero time.
func (c *PCACertificate) NotAfter() time.Time { return msTime(c.AfterDate) }

// DescribeClientCertificateOutput is the output of DescribeClientCertificate.
type DescribeClientCertificateOutput struct {
	// Certificate is the certificate.
	Certificate PCACertificate `json:"Certificate"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *DescribeClientCertificateOutput) missingID() string {
	if o.Certificate.Identifier == "" {
		return "the response has no Certificate.Identifier"
	}
	return ""
}

var opDescribeClientCertificate = &operation{action: "DescribeClientCertificate", api: apiPCA, kind: opIdempotent}

// DescribeClientCertificate reads a client or server certificate a sub-CA
// issued. It is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-describeclientcertificate
func (s *PCAService) DescribeClientCertificate(ctx context.Context, in *DescribeClientCertificateInput) (*DescribeClientCertificateOutput, error) {
	return invoke[DescribeClientCertificateOutput](ctx, s.owner(), opDescribeClientCertificate, in)
}

// ListClientCertificateInput is the input of ListClientCertificate.
type ListClientCertificateInput struct {
	// Identifier narrows the list to one certificate.
	Identifier string `url:"Identifier,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 20).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListClientCertificateInput) validate() []FieldError {
	var p problems
	checkPCAPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// checkPCAPage checks paging against the int32 the models type it as.
func checkPCAPage(p *problems, page, size int64) {
	checkPage(p, page, size)
	if page > 1<<31-1 {
		p.add("CurrentPage", fmt.Sprintf("%d is beyond the model's 32-bit page number", page))
	}
	if size > 1<<31-1 {
		p.add("ShowSize", fmt.Sprintf("%d is beyond the model's 32-bit page size", size))
	}
}

// PCACertificateEntry is a certificate as ListClientCertificate returns it:
// PCACertificate without the chain, the tags and the algorithm with length.
type PCACertificateEntry struct {
	Identifier       string `json:"Identifier"`
	ID               int64  `json:"Id"`
	CustomIdentifier string `json:"CustomIdentifier"`
	ParentIdentifier string `json:"ParentIdentifier"`
	CertificateType  string `json:"CertificateType"`
	Status           string `json:"Status"`
	X509Certificate  string `json:"X509Certificate"`
	SerialNumber     string `json:"SerialNumber"`
	Md5              string `json:"Md5"`
	Sha2             string `json:"Sha2"`
	// BeforeDate and AfterDate bound the validity, Unix milliseconds.
	BeforeDate       int64  `json:"BeforeDate"`
	AfterDate        int64  `json:"AfterDate"`
	Days             int32  `json:"Days"`
	Sans             string `json:"Sans"`
	SubjectDN        string `json:"SubjectDN"`
	CommonName       string `json:"CommonName"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	Locality         string `json:"Locality"`
	State            string `json:"State"`
	CountryCode      string `json:"CountryCode"`
	Algorithm        string `json:"Algorithm"`
	KeySize          int32  `json:"KeySize"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	AliasName        string `json:"AliasName"`
	ResourceGroupID  string `json:"ResourceGroupId"`
}

// NotBefore is the start of the certificate's validity, or the zero time.
func (c *PCACertificateEntry) NotBefore() time.Time { return msTime(c.BeforeDate) }

// NotAfter is the end of the certificate's validity, or the zero time.
func (c *PCACertificateEntry) NotAfter() time.Time { return msTime(c.AfterDate) }

// ListClientCertificateOutput is the output of ListClientCertificate.
type ListClientCertificateOutput struct {
	// CertificateList is the page of certificates.
	CertificateList []PCACertificateEntry `json:"CertificateList"`
	// TotalCount is how many certificates match, on every page.
	TotalCount  int64 `json:"TotalCount"`
	PageCount   int32 `json:"PageCount"`
	CurrentPage int32 `json:"CurrentPage"`
	ShowSize    int32 `json:"ShowSize"`
	// MaxResults is a field of the model with no documented meaning
	// beyond its name.
	MaxResults int32 `json:"MaxResults"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListClientCertificate = &operation{action: "ListClientCertificate", api: apiPCA, kind: opIdempotent}

// ListClientCertificate lists one page of the client and server
// certificates the account's sub-CAs issued. It is retried on throttling,
// 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-listclientcertificate
func (s *PCAService) ListClientCertificate(ctx context.Context, in *ListClientCertificateInput) (*ListClientCertificateOutput, error) {
	return invoke[ListClientCertificateOutput](ctx, s.owner(), opListClientCertificate, in)
}

// CreateRevokeClientCertificateInput is the input of
// CreateRevokeClientCertificate.
type CreateRevokeClientCertificateInput struct {
	// Identifier is the client or server certificate to revoke. Required.
	Identifier string `url:"Identifier"`
}

func (in *CreateRevokeClientCertificateInput) validate() []FieldError {
	var p problems
	p.required("Identifier", in.Identifier)
	return p
}

// CreateRevokeClientCertificateOutput is the output of
// CreateRevokeClientCertificate.
type CreateRevokeClientCertificateOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// opCreateRevokeClientCertificate is a create in name and a state change
// in effect: revoking twice leaves the certificate revoked. It is not
// retried after an attempt that may have acted all the same, since the
// model documents no answer for revoking a revoked certificate.
var opCreateRevokeClientCertificate = &operation{
	action: "CreateRevokeClientCertificate",
	api:    apiPCA,
	kind:   opCreate,
	unknownHint: "the certificate may have been revoked; " +
		"check it with DescribeClientCertificate or ListRevokeCertificate before trying again",
}

// CreateRevokeClientCertificate revokes a client or server certificate a
// sub-CA issued: "the client or server where the certificate is installed
// cannot establish HTTPS connections with other devices" (the model).
//
// A failure after the request may have reached the service matches
// ErrOutcomeUnknown and is not retried.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createrevokeclientcertificate
func (s *PCAService) CreateRevokeClientCertificate(ctx context.Context, in *CreateRevokeClientCertificateInput) (*CreateRevokeClientCertificateOutput, error) {
	return invoke[CreateRevokeClientCertificateOutput](ctx, s.owner(), opCreateRevokeClientCertificate, in)
}

// ListRevokeCertificateInput is the input of ListRevokeCertificate.
type ListRevokeCertificateInput struct {
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 20).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *ListRevokeCertificateInput) validate() []FieldError {
	var p problems
	checkPCAPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// RevokedCertificate is a revoked certificate as ListRevokeCertificate
// returns it. Its dates are strings, as the model types them.
type RevokedCertificate struct {
	Identifier       string `json:"Identifier"`
	CustomIdentifier string `json:"CustomIdentifier"`
	ParentIdentifier string `json:"ParentIdentifier"`
	CertificateType  string `json:"CertificateType"`
	Status           string `json:"Status"`
	SerialNumber     string `json:"SerialNumber"`
	Md5              string `json:"Md5"`
	Sha2             string `json:"Sha2"`
	// RevokeDate, BeforeDate and AfterDate are the revocation time and the
	// validity, as the service writes them.
	RevokeDate       string `json:"RevokeDate"`
	BeforeDate       string `json:"BeforeDate"`
	AfterDate        string `json:"AfterDate"`
	Sans             string `json:"Sans"`
	SubjectDN        string `json:"SubjectDN"`
	CommonName       string `json:"CommonName"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	Locality         string `json:"Locality"`
	State            string `json:"State"`
	CountryCode      string `json:"CountryCode"`
	Algorithm        string `json:"Algorithm"`
	KeySize          int32  `json:"KeySize"`
	SignAlgorithm    string `json:"SignAlgorithm"`
}

// ListRevokeCertificateOutput is the output of ListRevokeCertificate.
type ListRevokeCertificateOutput struct {
	// CertificateList is the page of revoked certificates.
	CertificateList []RevokedCertificate `json:"CertificateList"`
	// TotalCount is how many certificates are revoked, on every page.
	TotalCount  int64 `json:"TotalCount"`
	PageCount   int32 `json:"PageCount"`
	CurrentPage int32 `json:"CurrentPage"`
	ShowSize    int32 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opListRevokeCertificate = &operation{action: "ListRevokeCertificate", api: apiPCA, kind: opIdempotent}

// ListRevokeCertificate lists one page of the revoked client and server
// certificates. It is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-listrevokecertificate
func (s *PCAService) ListRevokeCertificate(ctx context.Context, in *ListRevokeCertificateInput) (*ListRevokeCertificateOutput, error) {
	return invoke[ListRevokeCertificateOutput](ctx, s.owner(), opListRevokeCertificate, in)
}
