package alicert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
)

// CreateCustomCertificateInput is the input of CreateCustomCertificate.
type CreateCustomCertificateInput struct {
	// ParentIdentifier is the CA that signs. Required.
	ParentIdentifier string `url:"ParentIdentifier"`
	// Csr is the CSR, PEM. Required. Its subject is used unless
	// APIPassthrough gives one: "If you specify a certificate subject, the
	// subject from the CSR is ignored" (the model).
	Csr string `url:"Csr"`
	// Validity is the validity period. Required. ValidityFor,
	// ValidityUntil and ValidityBetween write its forms: relative (1y, 3m,
	// 7d) or absolute GMT times ($NotAfter, $NotBefore/$NotAfter). It may
	// not outlast the CA's.
	Validity string `url:"Validity"`
	// APIPassthrough sets the subject, names, key usages and serial number;
	// it is sent flattened, as ApiPassthrough.Subject.CommonName,
	// ApiPassthrough.Extensions.ExtendedKeyUsages.1, ...
	APIPassthrough *CustomCertificatePassthrough `url:"-"`
	// Immediately says what the response carries; the zero value,
	// PCAReturnNothing, issues "asynchronously" and returns no certificate.
	Immediately PCAReturn `url:"Immediately,omitempty"`
	// CustomIdentifier is a key of your choice (sent as customIdentifier,
	// as the model spells it), which ListClientCertificate shows: after an
	// unknown outcome, look for it there before sending again. The model
	// does not document what a repeat of the key does.
	CustomIdentifier string `url:"customIdentifier,omitempty"`
	// EnableCRL puts the CRL address in the certificate (EnableCrl=1).
	EnableCRL bool `url:"EnableCrl,int,omitempty"`
	// ResourceGroupID is the resource group.
	ResourceGroupID string `url:"ResourceGroupId,omitempty"`
	// Tags are sent as Tags.1.Key, Tags.1.Value, ...
	Tags []Tag `url:"-"`
}

// CustomCertificatePassthrough is CreateCustomCertificate's ApiPassthrough:
// what the certificate holds beyond the CSR's key. The model's description
// gives the usages for common certificates: a server certificate
// digitalSignature and keyEncipherment with serverAuth, a client one the
// same with clientAuth, an mTLS one both, an email-signing one
// digitalSignature and contentCommitment with emailProtection.
type CustomCertificatePassthrough struct {
	// Subject replaces the CSR's subject when set.
	Subject *CustomCertificateSubject
	// Extensions are the names and usages.
	Extensions *CustomCertificateExtensions
	// SerialNumber is a custom serial number: "Must be a long integer".
	SerialNumber string
}

// CustomCertificateSubject is the certificate's subject.
type CustomCertificateSubject struct {
	CommonName       string
	Country          string // ISO 3166-1 two-letter code
	State            string
	Locality         string
	Organization     string
	OrganizationUnit string
	// CustomAttributes are further attributes by object identifier, like
	// 2.5.4.12 (title).
	CustomAttributes []CustomSubjectAttribute
}

// CustomSubjectAttribute is one subject attribute by object identifier.
type CustomSubjectAttribute struct {
	ObjectIdentifier string
	Value            string
}

// CustomCertificateExtensions are the certificate's names and usages.
type CustomCertificateExtensions struct {
	// KeyUsage is the key usage; nil leaves it to the service.
	KeyUsage *CustomKeyUsage
	// ExtendedKeyUsages are the extended key usages by the names the model
	// uses: serverAuth, clientAuth, emailProtection.
	ExtendedKeyUsages []string
	// SubjectAlternativeNames are the names.
	SubjectAlternativeNames []CustomSAN
	// Criticals names the extensions to mark critical.
	Criticals []string
}

// CustomKeyUsage is the key usage extension; each true field is sent as
// true, each false one not at all.
type CustomKeyUsage struct {
	DigitalSignature  bool
	ContentCommitment bool
	NonRepudiation    bool // the old name of ContentCommitment
	KeyEncipherment   bool
	DataEncipherment  bool
	KeyAgreement      bool
	EncipherOnly      bool
	DecipherOnly      bool
}

// The SubjectAlternativeNames types the model allows.
const (
	CustomSANEmail = "rfc822Name"
	CustomSANDNS   = "dNSName"
	CustomSANURI   = "uniformResourceIdentifier"
	CustomSANIP    = "iPAddress"
)

// CustomSAN is one subject alternative name: Type is CustomSANDNS,
// CustomSANIP, CustomSANEmail or CustomSANURI.
type CustomSAN struct {
	Type  string
	Value string
}

// ValidityFor is the relative Validity of n days, months or years: unit is
// 'd', 'm' or 'y'. ValidityFor(90, 'd') is "90d".
func ValidityFor(n int, unit byte) string { return strconv.Itoa(n) + string(unit) }

// customValidityLayout is the absolute form: "Format:
// yyyy-MM-dd\"T\"HH:mm:ss\"Z\"", in GMT.
const customValidityLayout = "2006-01-02T15:04:05Z"

// ValidityUntil is the absolute Validity that ends at notAfter, to the
// second ("$NotAfter" in the model).
func ValidityUntil(notAfter time.Time) string {
	return notAfter.UTC().Format(customValidityLayout)
}

// ValidityBetween is the absolute Validity from notBefore to notAfter, to
// the second ("$NotBefore/$NotAfter" in the model).
func ValidityBetween(notBefore, notAfter time.Time) string {
	return notBefore.UTC().Format(customValidityLayout) + "/" + notAfter.UTC().Format(customValidityLayout)
}

// validityProblem describes a Validity none of the model's forms match.
func validityProblem(v string) string {
	if v == "" {
		return "is required: like 90d, 6m, 1y, or 2030-01-02T15:04:05Z"
	}
	if n := len(v) - 1; n > 0 && strings.IndexByte("ymd", v[n]) >= 0 {
		if k, err := strconv.Atoi(v[:n]); err == nil && k > 0 && v[0] != '+' {
			return ""
		}
		return fmt.Sprintf("%s is not a relative validity: a positive number then y, m or d", quote(v))
	}
	start, end, pair := strings.Cut(v, "/")
	if !pair {
		start, end = "", v
	}
	na, err := time.Parse(customValidityLayout, end)
	if err != nil {
		return fmt.Sprintf("%s is neither relative (90d, 6m, 1y) nor absolute GMT (2006-01-02T15:04:05Z, or two joined by /)", quote(v))
	}
	if pair {
		nb, err := time.Parse(customValidityLayout, start)
		if err != nil {
			return fmt.Sprintf("%s: the start %s is not a GMT time like 2006-01-02T15:04:05Z", quote(v), quote(start))
		}
		if !na.After(nb) {
			return fmt.Sprintf("%s ends before it starts", quote(v))
		}
	}
	return ""
}

func (in *CreateCustomCertificateInput) validate() []FieldError {
	var p problems
	p.required("ParentIdentifier", in.ParentIdentifier)
	checkPCACSR(&p, "Csr", in.Csr)
	if problem := validityProblem(in.Validity); problem != "" {
		p.add("Validity", problem)
	}
	checkReturn(&p, in.Immediately)
	in.APIPassthrough.check(&p)
	checkTags(&p, in.Tags, tagRules{})
	return p
}

func (pt *CustomCertificatePassthrough) check(p *problems) {
	if pt == nil {
		return
	}
	if pt.SerialNumber != "" {
		if _, err := strconv.ParseInt(pt.SerialNumber, 10, 64); err != nil {
			p.add("APIPassthrough.SerialNumber", fmt.Sprintf("%s is not a long integer, as the model requires", quote(pt.SerialNumber)))
		}
	}
	if s := pt.Subject; s != nil {
		if s.Country != "" && !isUpperCode(s.Country, 2) {
			p.add("APIPassthrough.Subject.Country", fmt.Sprintf("%s is not an ISO 3166-1 two-letter code like CN", quote(s.Country)))
		}
		for i, a := range s.CustomAttributes {
			field := "APIPassthrough.Subject.CustomAttributes[" + strconv.Itoa(i) + "]"
			if !isOID(a.ObjectIdentifier) {
				p.add(field+".ObjectIdentifier", fmt.Sprintf("%s is not an object identifier like 2.5.4.12", quote(a.ObjectIdentifier)))
			}
		}
	}
	if e := pt.Extensions; e != nil {
		for i, san := range e.SubjectAlternativeNames {
			field := "APIPassthrough.Extensions.SubjectAlternativeNames[" + strconv.Itoa(i) + "]"
			// The model marks Type "This parameter is required" and lists
			// these four.
			oneOf(p, field+".Type", san.Type, CustomSANEmail, CustomSANDNS, CustomSANURI, CustomSANIP)
			p.required(field+".Value", san.Value)
		}
		for i, u := range e.ExtendedKeyUsages {
			if u == "" {
				p.add("APIPassthrough.Extensions.ExtendedKeyUsages["+strconv.Itoa(i)+"]", "is empty")
			}
		}
		for i, c := range e.Criticals {
			if c == "" {
				p.add("APIPassthrough.Extensions.Criticals["+strconv.Itoa(i)+"]", "is empty")
			}
		}
	}
}

// isOID reports a dotted object identifier of at least two arcs.
func isOID(s string) bool {
	arcs := strings.Split(s, ".")
	if len(arcs) < 2 {
		return false
	}
	for _, a := range arcs {
		if a == "" || strings.Trim(a, "0123456789") != "" {
			return false
		}
	}
	return true
}

func (in *CreateCustomCertificateInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	params = in.APIPassthrough.appendParams(params)
	return appendTags(params, in.Tags), nil
}

// appendParams flattens the pass-through the way the official client's
// query does (darabonba's Query): nested fields joined by '.', list
// entries numbered from 1, booleans as true.
func (pt *CustomCertificatePassthrough) appendParams(params []signature.Param) []signature.Param {
	if pt == nil {
		return params
	}
	const root = "ApiPassthrough."
	add := func(key, value string) {
		if value != "" {
			params = append(params, signature.Param{Key: root + key, Value: value})
		}
	}
	add("SerialNumber", pt.SerialNumber)
	if s := pt.Subject; s != nil {
		add("Subject.CommonName", s.CommonName)
		add("Subject.Country", s.Country)
		add("Subject.State", s.State)
		add("Subject.Locality", s.Locality)
		add("Subject.Organization", s.Organization)
		add("Subject.OrganizationUnit", s.OrganizationUnit)
		for i, a := range s.CustomAttributes {
			n := "Subject.CustomAttributes." + strconv.Itoa(i+1)
			add(n+".ObjectIdentifier", a.ObjectIdentifier)
			add(n+".Value", a.Value)
		}
	}
	if e := pt.Extensions; e != nil {
		if u := e.KeyUsage; u != nil {
			for _, b := range []struct {
				name string
				on   bool
			}{
				{"ContentCommitment", u.ContentCommitment}, {"DataEncipherment", u.DataEncipherment},
				{"DecipherOnly", u.DecipherOnly}, {"DigitalSignature", u.DigitalSignature},
				{"EncipherOnly", u.EncipherOnly}, {"KeyAgreement", u.KeyAgreement},
				{"KeyEncipherment", u.KeyEncipherment}, {"NonRepudiation", u.NonRepudiation},
			} {
				if b.on {
					add("Extensions.KeyUsage."+b.name, "true")
				}
			}
		}
		params = appendNumbered(params, root+"Extensions.ExtendedKeyUsages", e.ExtendedKeyUsages)
		params = appendNumbered(params, root+"Extensions.Criticals", e.Criticals)
		for i, san := range e.SubjectAlternativeNames {
			n := "Extensions.SubjectAlternativeNames." + strconv.Itoa(i+1)
			add(n+".Type", san.Type)
			add(n+".Value", san.Value)
		}
	}
	return params
}

// CreateCustomCertificateOutput is the output of CreateCustomCertificate.
type CreateCustomCertificateOutput struct {
	// Identifier identifies the certificate.
	Identifier string `json:"Identifier"`
	// SerialNumber is the certificate's serial number (Immediately 1 or 2).
	SerialNumber string `json:"SerialNumber"`
	// Certificate is the certificate, PEM (Immediately 1 or 2).
	Certificate string `json:"Certificate"`
	// CertificateChain is the CA chain, PEM (Immediately 2).
	CertificateChain string `json:"CertificateChain"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateCustomCertificateOutput) missingID() string {
	if o.Identifier == "" {
		return "the response has no Identifier"
	}
	return ""
}

var opCreateCustomCertificate = &operation{
	action:      "CreateCustomCertificate",
	api:         apiPCA,
	kind:        opCreate,
	unknownHint: pcaCertUnknownHint,
}

// CreateCustomCertificate has a CA sign a CSR with full control of the
// subject, names, key usages and validity (APIPassthrough, Validity). With
// Immediately set to PCAReturnChain it returns the certificate and its CA
// chain at once. SignCSR builds the common case on it.
//
// It is a create, counted against the CA's quota: it is not retried once
// the request may have reached the service, and such a failure matches
// ErrOutcomeUnknown. Give a CustomIdentifier to find the certificate
// afterwards with ListClientCertificate.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-06-30-createcustomcertificate
func (s *PCAService) CreateCustomCertificate(ctx context.Context, in *CreateCustomCertificateInput) (*CreateCustomCertificateOutput, error) {
	return invoke[CreateCustomCertificateOutput](ctx, s.owner(), opCreateCustomCertificate, in)
}
