package alicert

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/alicert/alicert/internal/signature"
)

// PCAKeyAlgorithm is a Private CA key algorithm in the models'
// <family>_<bits> form. A CA's certificates use its family; the key length
// may differ ("The encryption algorithm ... must be the same as that of the
// subordinate CA certificate, but the key length can be different").
type PCAKeyAlgorithm string

// The key algorithms the cas-20200630 models list, with the signature
// algorithm each implies: SHA-256 with RSA or ECDSA, SM3 with SM2.
const (
	PCAKeyRSA1024 PCAKeyAlgorithm = "RSA_1024"
	PCAKeyRSA2048 PCAKeyAlgorithm = "RSA_2048"
	PCAKeyRSA4096 PCAKeyAlgorithm = "RSA_4096"
	PCAKeyECC256  PCAKeyAlgorithm = "ECC_256"
	PCAKeyECC384  PCAKeyAlgorithm = "ECC_384"
	PCAKeyECC512  PCAKeyAlgorithm = "ECC_512"
	PCAKeySM2256  PCAKeyAlgorithm = "SM2_256"
)

// pcaKeyAlgorithms are the values the root and end-entity models list.
var pcaKeyAlgorithms = []PCAKeyAlgorithm{PCAKeyRSA1024, PCAKeyRSA2048, PCAKeyRSA4096, PCAKeyECC256, PCAKeyECC384, PCAKeyECC512, PCAKeySM2256}

// subCAKeyAlgorithms are the values CreateSubCACertificate's model lists:
// no ECC_384 or ECC_512.
var subCAKeyAlgorithms = []PCAKeyAlgorithm{PCAKeyRSA1024, PCAKeyRSA2048, PCAKeyRSA4096, PCAKeyECC256, PCAKeySM2256}

// caSubject validates the subject fields both CA creates mark "This
// parameter is required", and the country code the model describes.
func caSubject(p *problems, commonName, organization, unit, locality, state, country string, countryLetters int) {
	p.required("CommonName", commonName)
	p.required("Organization", organization)
	p.required("OrganizationUnit", unit)
	p.required("Locality", locality)
	p.required("State", state)
	if country != "" && !isUpperCode(country, countryLetters) {
		p.add("CountryCode", fmt.Sprintf("%s is not an upper-case country code like CN or US", quote(country)))
	}
}

// isUpperCode reports two to max upper-case ASCII letters.
func isUpperCode(s string, max int) bool {
	if len(s) < 2 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// caYears checks a CA's validity in years. Both CA models give 5 to 10:
// "Set the validity period to 5 to 10 years" (root), "Valid values: 5 to
// 10" (sub-CA).
func caYears(p *problems, years int) {
	if years < 5 || years > 10 {
		p.add("Years", fmt.Sprintf("%d is not a CA validity; give 5 to 10 years", years))
	}
}

// checkClientToken checks an idempotence token: "The token supports only
// ASCII characters" (both CA models); the sub-CA model adds "can be up to
// 64 ASCII characters in length".
func checkClientToken(p *problems, token string, max int) {
	for i := 0; i < len(token); i++ {
		if token[i] < 0x20 || token[i] > 0x7e {
			p.add("ClientToken", "must be printable ASCII")
			return
		}
	}
	if max > 0 && len(token) > max {
		p.add("ClientToken", fmt.Sprintf("is %d characters long; at most %d are allowed", len(token), max))
	}
}

// CreateRootCACertificateInput is the input of CreateRootCACertificate.
type CreateRootCACertificateInput struct {
	// CommonName is the organisation's common name or abbreviation. Required.
	CommonName string `url:"CommonName"`
	// Organization is the organisation, typically the company. Required.
	Organization string `url:"Organization"`
	// OrganizationUnit is the department. Required.
	OrganizationUnit string `url:"OrganizationUnit"`
	// Locality is the city. Required.
	Locality string `url:"Locality"`
	// State is the province or state. Required.
	State string `url:"State"`
	// CountryCode is the two-letter upper-case country code, like CN.
	CountryCode string `url:"CountryCode,omitempty"`
	// Years is the validity in years, 5 to 10. Required.
	Years int `url:"Years"`
	// Algorithm is the key algorithm; its family must be the one of the
	// private root CA bought in the console. Empty: the service's default.
	Algorithm PCAKeyAlgorithm `url:"Algorithm,omitempty"`
	// ClientToken, printable ASCII, makes the request idempotent: "A client
	// token to ensure the idempotence of the request" (the model). Without
	// one the service uses the request id, which differs on every attempt.
	ClientToken string `url:"ClientToken,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...
	Tags []Tag `url:"-"`
}

func (in *CreateRootCACertificateInput) validate() []FieldError {
	var p problems
	caSubject(&p, in.CommonName, in.Organization, in.OrganizationUnit, in.Locality, in.State, in.CountryCode, 2)
	caYears(&p, in.Years)
	if in.Algorithm != "" {
		oneOf(&p, "Algorithm", in.Algorithm, pcaKeyAlgorithms...)
	}
	checkClientToken(&p, in.ClientToken, 0)
	checkTags(&p, in.Tags, tagRules{})
	return p
}

func (in *CreateRootCACertificateInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	return appendTags(params, in.Tags), nil
}

// CreateRootCACertificateOutput is the output of CreateRootCACertificate.
type CreateRootCACertificateOutput struct {
	// Identifier identifies the new root CA.
	Identifier string `json:"Identifier"`
	// Certificate is the root certificate, PEM.
	Certificate string `json:"Certificate"`
	// CertificateChain is the CA chain, PEM.
	CertificateChain string `json:"CertificateChain"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateRootCACertificateOutput) missingID() string {
	if o.Identifier == "" {
		return "the response has no Identifier"
	}
	return ""
}

var opCreateRootCACertificate = &operation{
	action: "CreateRootCACertificate",
	api:    apiPCA,
	kind:   opCreate,
	unknownHint: "the root CA may have been created; list the CAs with DescribeCACertificateList " +
		"(CertType root) before trying again, or send the same ClientToken again",
}

// CreateRootCACertificate creates a self-signed root CA certificate. It
// needs a private root CA bought in the console first ("Otherwise, the call
// fails", the model says).
//
// It is a create: it is not retried once the request may have reached the
// service, and such a failure matches ErrOutcomeUnknown. Sending the same
// input again with the same ClientToken is then safe: the model says the
// token ensures the request's idempotence.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createrootcacertificate
func (s *PCAService) CreateRootCACertificate(ctx context.Context, in *CreateRootCACertificateInput) (*CreateRootCACertificateOutput, error) {
	return invoke[CreateRootCACertificateOutput](ctx, s.owner(), opCreateRootCACertificate, in)
}

// CreateSubCACertificateInput is the input of CreateSubCACertificate.
type CreateSubCACertificateInput struct {
	// ParentIdentifier is the root CA that signs the sub-CA.
	ParentIdentifier string `url:"ParentIdentifier,omitempty"`
	// Algorithm is the key algorithm: the root's family, any listed length
	// (PCAKeyRSA1024, PCAKeyRSA2048, PCAKeyRSA4096, PCAKeyECC256 or
	// PCAKeySM2256). Required.
	Algorithm PCAKeyAlgorithm `url:"Algorithm"`
	// CommonName is the organisation's common name. Required.
	CommonName string `url:"CommonName"`
	// Organization is the organisation. Required.
	Organization string `url:"Organization"`
	// OrganizationUnit is the department. Required.
	OrganizationUnit string `url:"OrganizationUnit"`
	// Locality is the city. Required.
	Locality string `url:"Locality"`
	// State is the province or state. Required.
	State string `url:"State"`
	// CountryCode is the two- or three-letter upper-case country code.
	CountryCode string `url:"CountryCode,omitempty"`
	// Years is the validity in years, 5 to 10, within the root's. Required.
	Years int `url:"Years"`
	// CertMaxTime is the longest validity of the certificates the sub-CA
	// issues (DescribeCACertificate's CertMaxTime); the model gives no unit.
	// Zero sends nothing.
	CertMaxTime int `url:"CertMaxTime,omitempty"`
	// PathLenConstraint is the path length constraint; the default is 0.
	PathLenConstraint int `url:"PathLenConstraint,omitempty"`
	// EnableCRL turns the certificate revocation list on. False sends
	// nothing: the service's default.
	EnableCRL bool `url:"EnableCrl,omitempty"`
	// CRLDays is the CRL's validity in days, 1 to 365; zero sends nothing.
	CRLDays int `url:"CrlDay,omitempty"`
	// ExtendedKeyUsages are sent as ExtendedKeyUsages.1, .2, ...
	ExtendedKeyUsages []string `url:"-"`
	// ClientToken, at most 64 ASCII characters, makes the request
	// idempotent, as for CreateRootCACertificate.
	ClientToken string `url:"ClientToken,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...
	Tags []Tag `url:"-"`
}

func (in *CreateSubCACertificateInput) validate() []FieldError {
	var p problems
	oneOf(&p, "Algorithm", in.Algorithm, subCAKeyAlgorithms...)
	caSubject(&p, in.CommonName, in.Organization, in.OrganizationUnit, in.Locality, in.State, in.CountryCode, 3)
	caYears(&p, in.Years)
	if in.CertMaxTime < 0 {
		p.add("CertMaxTime", fmt.Sprintf("%d is negative", in.CertMaxTime))
	}
	if in.PathLenConstraint < 0 {
		p.add("PathLenConstraint", fmt.Sprintf("%d is negative", in.PathLenConstraint))
	}
	if in.CRLDays != 0 && (in.CRLDays < 1 || in.CRLDays > 365) {
		p.add("CRLDays", fmt.Sprintf("%d is not a CRL validity; give 1 to 365 days", in.CRLDays))
	}
	for i, u := range in.ExtendedKeyUsages {
		if u == "" {
			p.add("ExtendedKeyUsages["+strconv.Itoa(i)+"]", "is empty")
		}
	}
	checkClientToken(&p, in.ClientToken, 64)
	checkTags(&p, in.Tags, tagRules{})
	return p
}

func (in *CreateSubCACertificateInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	params = appendNumbered(params, "ExtendedKeyUsages", in.ExtendedKeyUsages)
	return appendTags(params, in.Tags), nil
}

// CreateSubCACertificateOutput is the output of CreateSubCACertificate.
type CreateSubCACertificateOutput struct {
	// Identifier identifies the new sub-CA.
	Identifier string `json:"Identifier"`
	// Certificate is the sub-CA certificate, PEM.
	Certificate string `json:"Certificate"`
	// CertificateChain is the CA chain, PEM.
	CertificateChain string `json:"CertificateChain"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateSubCACertificateOutput) missingID() string {
	if o.Identifier == "" {
		return "the response has no Identifier"
	}
	return ""
}

var opCreateSubCACertificate = &operation{
	action: "CreateSubCACertificate",
	api:    apiPCA,
	kind:   opCreate,
	unknownHint: "the sub-CA may have been created; list the CAs with DescribeCACertificateList " +
		"(CertType subRoot) before trying again, or send the same ClientToken again",
}

// CreateSubCACertificate creates an intermediate (sub-) CA certificate
// signed by a root CA. Sub-CAs issue the client and server certificates.
//
// It is a create: it is not retried once the request may have reached the
// service, and such a failure matches ErrOutcomeUnknown. Sending the same
// input again with the same ClientToken is then safe, as the model says
// the token ensures the request's idempotence.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createsubcacertificate
func (s *PCAService) CreateSubCACertificate(ctx context.Context, in *CreateSubCACertificateInput) (*CreateSubCACertificateOutput, error) {
	return invoke[CreateSubCACertificateOutput](ctx, s.owner(), opCreateSubCACertificate, in)
}

// DescribeCACertificateInput is the input of DescribeCACertificate.
type DescribeCACertificateInput struct {
	// Identifier is the CA. Required.
	Identifier string `url:"Identifier"`
}

func (in *DescribeCACertificateInput) validate() []FieldError {
	var p problems
	// The model does not mark Identifier required, but a describe of no CA
	// has no meaning: it is refused here rather than sent.
	p.required("Identifier", in.Identifier)
	return p
}

// PCATag is a tag as the Private CA's describes return it.
type PCATag struct {
	Key   string `json:"TagKey"`
	Value string `json:"TagValue"`
}

// CACertificate is a CA as DescribeCACertificate returns it.
type CACertificate struct {
	// Identifier identifies the CA.
	Identifier string `json:"Identifier"`
	// ParentIdentifier is the root that signed a sub-CA.
	ParentIdentifier string `json:"ParentIdentifier"`
	// CertificateType is ROOT or SUB_ROOT.
	CertificateType string `json:"CertificateType"`
	// Status is ISSUE (issued) or REVOKE (revoked).
	Status string `json:"Status"`
	// IssuerType is local (private), iTrusChina (compliance CA) or external.
	IssuerType string `json:"IssuerType"`
	// X509Certificate is the CA certificate, PEM.
	X509Certificate string `json:"X509Certificate"`
	// CACertChain is the complete chain, PEM.
	CACertChain string `json:"CaCertChain"`
	// SerialNumber is the certificate's serial number, hexadecimal.
	SerialNumber string `json:"SerialNumber"`
	// Md5 and Sha2 are the certificate's MD5 and SHA-256 fingerprints.
	Md5  string `json:"Md5"`
	Sha2 string `json:"Sha2"`
	// BeforeDate and AfterDate bound the validity, Unix milliseconds; see
	// NotBefore and NotAfter.
	BeforeDate int64 `json:"BeforeDate"`
	AfterDate  int64 `json:"AfterDate"`
	// Years is the validity in years.
	Years int32 `json:"Years"`
	// Algorithm is the key family: RSA, ECC or SM2. FullAlgorithm adds the
	// length (RSA_2048); KeySize is the length alone.
	Algorithm     string `json:"Algorithm"`
	FullAlgorithm string `json:"FullAlgorithm"`
	KeySize       int32  `json:"KeySize"`
	// SignAlgorithm is the signature algorithm, like SHA256WITHRSA.
	SignAlgorithm string `json:"SignAlgorithm"`
	// CertIssuedCount, CertRemainingCount and CertTotalCount are the
	// certificates issued, the quota left and the quota bought.
	CertIssuedCount    int64 `json:"CertIssuedCount"`
	CertRemainingCount int64 `json:"CertRemainingCount"`
	CertTotalCount     int64 `json:"CertTotalCount"`
	// CertMaxTime is the longest validity of the certificates it issues.
	CertMaxTime int32 `json:"CertMaxTime"`
	// CRLDay, CRLStatus and CRLURL describe the revocation list.
	CRLDay    int32  `json:"CrlDay"`
	CRLStatus string `json:"CrlStatus"`
	CRLURL    string `json:"CrlUrl"`
	// SubjectDN is the subject, like C=CN,O=aliyun,OU=Security,...
	SubjectDN        string `json:"SubjectDN"`
	CommonName       string `json:"CommonName"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	Locality         string `json:"Locality"`
	State            string `json:"State"`
	CountryCode      string `json:"CountryCode"`
	// Sans is deprecated, the model says.
	Sans string `json:"Sans"`
	// ClusterID and KeyIndex locate the key of a CA kept in an HSM.
	ClusterID string `json:"ClusterId"`
	KeyIndex  int32  `json:"KeyIndex"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `json:"ResourceGroupId"`
	// Tags are the CA's tags.
	Tags []PCATag `json:"Tags"`
}

// NotBefore is the start of the CA's validity, or the zero time.
func (c *CACertificate) NotBefore() time.Time { return msTime(c.BeforeDate) }

// NotAfter is the end of the CA's validity, or the zero time.
func (c *CACertificate) NotAfter() time.Time { return msTime(c.AfterDate) }

// DescribeCACertificateOutput is the output of DescribeCACertificate.
type DescribeCACertificateOutput struct {
	// Certificate is the CA.
	Certificate CACertificate `json:"Certificate"`
	// Years is the CA's validity in years, as the model also gives it at
	// the top level.
	Years int32 `json:"Years"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *DescribeCACertificateOutput) missingID() string {
	if o.Certificate.Identifier == "" {
		return "the response has no Certificate.Identifier"
	}
	return ""
}

var opDescribeCACertificate = &operation{action: "DescribeCACertificate", api: apiPCA, kind: opIdempotent}

// DescribeCACertificate reads a CA: its certificate and chain, status,
// validity and the quota of certificates it may still issue. It is retried
// on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-describecacertificate
func (s *PCAService) DescribeCACertificate(ctx context.Context, in *DescribeCACertificateInput) (*DescribeCACertificateOutput, error) {
	return invoke[DescribeCACertificateOutput](ctx, s.owner(), opDescribeCACertificate, in)
}

// DescribeCACertificateListInput is the input of DescribeCACertificateList.
type DescribeCACertificateListInput struct {
	// Identifier narrows the list to one CA.
	Identifier string `url:"Identifier,omitempty"`
	// CertType is root, subRoot or externalCa.
	CertType string `url:"CertType,omitempty"`
	// CAStatus is issue (enabled), forbidden (disabled) or revoke.
	CAStatus string `url:"CaStatus,omitempty"`
	// ValidStatus is valid or notValid (expired).
	ValidStatus string `url:"ValidStatus,omitempty"`
	// IssuerType is local, iTrusChina or external.
	IssuerType string `url:"IssuerType,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// CurrentPage is the page to read, from 1 (zero: the first).
	CurrentPage int64 `url:"CurrentPage,omitempty"`
	// ShowSize is the page size (zero: the service's default, 20).
	ShowSize int64 `url:"ShowSize,omitempty"`
}

func (in *DescribeCACertificateListInput) validate() []FieldError {
	var p problems
	if in.CertType != "" {
		oneOf(&p, "CertType", in.CertType, "root", "subRoot", "externalCa")
	}
	if in.CAStatus != "" {
		oneOf(&p, "CAStatus", in.CAStatus, "issue", "forbidden", "revoke")
	}
	if in.ValidStatus != "" {
		oneOf(&p, "ValidStatus", in.ValidStatus, "valid", "notValid")
	}
	if in.IssuerType != "" {
		oneOf(&p, "IssuerType", in.IssuerType, "local", "iTrusChina", "external")
	}
	checkPage(&p, in.CurrentPage, in.ShowSize)
	return p
}

// CAListEntry is a CA as DescribeCACertificateList returns it.
type CAListEntry struct {
	Identifier       string `json:"Identifier"`
	ParentIdentifier string `json:"ParentIdentifier"`
	// Alias is the CA's name in the console.
	Alias string `json:"Alias"`
	// CertificateType is ROOT or SUB_ROOT; Status is ISSUE or REVOKE.
	CertificateType string `json:"CertificateType"`
	Status          string `json:"Status"`
	X509Certificate string `json:"X509Certificate"`
	SerialNumber    string `json:"SerialNumber"`
	Md5             string `json:"Md5"`
	Sha2            string `json:"Sha2"`
	// BeforeDate and AfterDate bound the validity, Unix milliseconds.
	BeforeDate       int64  `json:"BeforeDate"`
	AfterDate        int64  `json:"AfterDate"`
	Years            int32  `json:"Years"`
	Algorithm        string `json:"Algorithm"`
	KeySize          int32  `json:"KeySize"`
	SignAlgorithm    string `json:"SignAlgorithm"`
	SubjectDN        string `json:"SubjectDN"`
	CommonName       string `json:"CommonName"`
	Organization     string `json:"Organization"`
	OrganizationUnit string `json:"OrganizationUnit"`
	Locality         string `json:"Locality"`
	State            string `json:"State"`
	CountryCode      string `json:"CountryCode"`
	Sans             string `json:"Sans"`
	// Gift and Trial are flags of the model with no documented meaning
	// beyond their names.
	Gift            int32  `json:"Gift"`
	Trial           int32  `json:"Trial"`
	ResourceGroupID string `json:"ResourceGroupId"`
}

// NotBefore is the start of the CA's validity, or the zero time.
func (c *CAListEntry) NotBefore() time.Time { return msTime(c.BeforeDate) }

// NotAfter is the end of the CA's validity, or the zero time.
func (c *CAListEntry) NotAfter() time.Time { return msTime(c.AfterDate) }

// DescribeCACertificateListOutput is the output of DescribeCACertificateList.
type DescribeCACertificateListOutput struct {
	// CertificateList is the page of CAs.
	CertificateList []CAListEntry `json:"CertificateList"`
	// TotalCount is how many CAs match, on every page; PageCount how many
	// pages that makes.
	TotalCount  int32 `json:"TotalCount"`
	PageCount   int32 `json:"PageCount"`
	CurrentPage int32 `json:"CurrentPage"`
	ShowSize    int32 `json:"ShowSize"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opDescribeCACertificateList = &operation{action: "DescribeCACertificateList", api: apiPCA, kind: opIdempotent}

// DescribeCACertificateList lists one page of the account's CAs. It is
// retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-describecacertificatelist
func (s *PCAService) DescribeCACertificateList(ctx context.Context, in *DescribeCACertificateListInput) (*DescribeCACertificateListOutput, error) {
	return invoke[DescribeCACertificateListOutput](ctx, s.owner(), opDescribeCACertificateList, in)
}
