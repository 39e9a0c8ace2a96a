package alicert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// KeySpec is the key type of a certificate created in KMS.
type KeySpec string

const (
	// KeySpecRSA2048 is a 2048-bit RSA key.
	KeySpecRSA2048 KeySpec = "RSA_2048"
	// KeySpecECP256 is an ECDSA key on NIST P-256.
	KeySpecECP256 KeySpec = "EC_P256"
	// KeySpecECSM2 is a key on the Chinese SM2 curve.
	KeySpecECSM2 KeySpec = "EC_SM2"
)

// maxSANs is the most subject alternative names KMS accepts.
const maxSANs = wire.MaxKMSSubjectAlternativeNames

// Subject is the distinguished name of a KMS certificate. It is sent as one
// RFC 2253 string, CN=...,C=...,O=...,OU=...,ST=...,L=..., with special
// characters escaped.
type Subject struct {
	// CommonName (CN) is required: the name of the certificate subject.
	CommonName string
	// Country (C) is required: the two-letter ISO 3166-1 code, like CN.
	Country string
	// Organization (O) is required: the legal name of the organisation.
	Organization string
	// OrganizationalUnit (OU) is required: the department.
	OrganizationalUnit string
	// Province (ST) is optional.
	Province string
	// Locality (L) is optional: the city.
	Locality string
}

// String returns the subject as an RFC 2253 distinguished name, the form
// sent to KMS. Empty optional attributes are left out.
func (s Subject) String() string {
	var b strings.Builder
	for _, a := range [...]struct{ key, value string }{
		{"CN", s.CommonName}, {"C", s.Country}, {"O", s.Organization},
		{"OU", s.OrganizationalUnit}, {"ST", s.Province}, {"L", s.Locality},
	} {
		if a.value == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.key)
		b.WriteByte('=')
		writeDNValue(&b, a.value)
	}
	return b.String()
}

// EncodeValues implements go-querystring's Encoder: the subject travels as
// one DN string.
func (s Subject) EncodeValues(key string, v *url.Values) error {
	v.Set(key, s.String())
	return nil
}

// writeDNValue escapes an attribute value as RFC 2253 section 2.4 requires:
// ',', '+', '"', '\', '<', '>' and ';' anywhere, '#' or ' ' at the start, ' '
// at the end; a NUL byte becomes \00 (RFC 4514).
//
// '=' and '#' are escaped anywhere too: the grammar in RFC 2253 section 3
// counts both as "special" characters that a value may hold only escaped, and
// some parsers (older Bouncy Castle, for one) split a value at a bare '=' and
// drop the rest. "\=" and "\#" are valid in every reading of RFC 2253 and
// RFC 4514, so escaping them costs nothing.
func writeDNValue(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == 0:
			b.WriteString(`\00`)
			continue
		case strings.IndexByte(`,=+"\<>#;`, c) >= 0,
			i == 0 && c == ' ',
			i == len(v)-1 && c == ' ':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

// CreateCertificateInput is the input of KMS CreateCertificate.
type CreateCertificateInput struct {
	// KeySpec is the key type: KeySpecRSA2048, KeySpecECP256 or
	// KeySpecECSM2.
	KeySpec KeySpec `url:"KeySpec"`
	// Subject is the certificate's distinguished name.
	Subject Subject `url:"Subject"`
	// SubjectAlternativeNames are domain names, sent as a JSON array; at
	// most 10.
	SubjectAlternativeNames []string `url:"-"`
	// ExportablePrivateKey says whether the private key may ever leave KMS.
	// It is always sent, so the zero value (false) keeps the key in KMS.
	// The model (kms-20160120 CreateCertificateRequest): "true: The private
	// key of the certificate can be exported for use. This is the default
	// value"; "We recommend that you set this parameter to false".
	ExportablePrivateKey bool `url:"ExportablePrivateKey"`
}

func (in *CreateCertificateInput) validate() []FieldError {
	var p problems
	oneOf(&p, "KeySpec", in.KeySpec, KeySpecRSA2048, KeySpecECP256, KeySpecECSM2)
	p.required("Subject.CommonName", in.Subject.CommonName)
	switch {
	case strings.TrimSpace(in.Subject.Country) == "":
		p.add("Subject.Country", "is required")
	case !isTwoLetters(in.Subject.Country):
		p.add("Subject.Country", fmt.Sprintf("%q is not a two-letter ISO 3166-1 code like CN", in.Subject.Country))
	}
	p.required("Subject.Organization", in.Subject.Organization)
	p.required("Subject.OrganizationalUnit", in.Subject.OrganizationalUnit)
	if n := len(in.SubjectAlternativeNames); n > maxSANs {
		p.add("SubjectAlternativeNames", fmt.Sprintf("has %d names; at most %d are allowed", n, maxSANs))
	}
	for i, san := range in.SubjectAlternativeNames {
		if strings.TrimSpace(san) == "" {
			p.add(fmt.Sprintf("SubjectAlternativeNames[%d]", i), "is empty")
		}
	}
	return p
}

func (in *CreateCertificateInput) encodeExtra(params []signature.Param) ([]signature.Param, error) {
	if len(in.SubjectAlternativeNames) == 0 {
		return params, nil
	}
	js, err := json.Marshal(in.SubjectAlternativeNames)
	if err != nil {
		return nil, err
	}
	return append(params, signature.Param{Key: "SubjectAlternativeNames", Value: string(js)}), nil
}

// CreateCertificateOutput is the output of KMS CreateCertificate.
type CreateCertificateOutput struct {
	// CertificateID is the certificate's id in KMS, passed through as is.
	CertificateID string `json:"CertificateId"`
	// Arn is the certificate's Alibaba Cloud Resource Name.
	Arn string `json:"Arn"`
	// Csr is the CSR in PEM form, to submit to a CA; ParseCSR parses it.
	Csr string `json:"Csr"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateCertificateOutput) missingID() string {
	if o.CertificateID == "" {
		return "the response has no CertificateId"
	}
	return ""
}

var opCreateCertificate = &operation{
	action: "CreateCertificate",
	api:    apiKMS,
	kind:   opCreate,
	unknownHint: "the certificate and its key may have been created in KMS; " +
		"check the KMS certificates in the console before trying again",
}

// CreateCertificate has KMS generate a key pair, which it keeps, and return
// a CSR for the subject. Have a CA sign the CSR, then import the result with
// UploadCertificate.
//
// Alibaba Cloud documents the KMS certificate operations as a
// previous-version feature. For a new key that never leaves KMS, prefer an
// asymmetric key (CreateKey) used through a KMSSigner: it builds the CSR
// (x509.CreateCertificateRequest) and serves TLS (TLSCertificate).
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-createcertificate
func (s *KMSService) CreateCertificate(ctx context.Context, in *CreateCertificateInput) (*CreateCertificateOutput, error) {
	return invoke[CreateCertificateOutput](ctx, s.owner(), opCreateCertificate, in)
}

// UploadCertificateInput is the input of KMS UploadCertificate.
type UploadCertificateInput struct {
	// CertificateID is the id CreateCertificate returned.
	CertificateID string `url:"CertificateId"`
	// Certificate is the issued certificate in PEM form.
	Certificate string `url:"Certificate"`
	// CertificateChain is the PEM of the issuing chain, optional.
	CertificateChain string `url:"CertificateChain,omitempty"`
}

func (in *UploadCertificateInput) validate() []FieldError {
	var p problems
	p.required("CertificateID", in.CertificateID)
	p.required("Certificate", in.Certificate)
	// A private key pasted by mistake must never leave the machine.
	if strings.Contains(in.Certificate, "PRIVATE KEY-----") {
		p.add("Certificate", "contains a private key; upload only the certificate")
	}
	if strings.Contains(in.CertificateChain, "PRIVATE KEY-----") {
		p.add("CertificateChain", "contains a private key; upload only certificates")
	}
	return p
}

// UploadCertificateOutput is the output of KMS UploadCertificate.
type UploadCertificateOutput struct {
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

var opUploadCertificate = &operation{
	action: "UploadCertificate",
	api:    apiKMS,
	kind:   opCreate,
	unknownHint: "the certificate may have been imported; " +
		"check the certificate's status in KMS before trying again",
}

// UploadCertificate imports the certificate a CA issued for a CSR from
// CreateCertificate, with its chain.
//
// Like a create, it is not retried once the request may have reached the
// service: such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-uploadcertificate
func (s *KMSService) UploadCertificate(ctx context.Context, in *UploadCertificateInput) (*UploadCertificateOutput, error) {
	return invoke[UploadCertificateOutput](ctx, s.owner(), opUploadCertificate, in)
}
