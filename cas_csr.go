package alicert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// KeyAlgorithm is the key algorithm of a CSR created by CreateCsr.
type KeyAlgorithm string

const (
	// AlgorithmRSA: RSA with KeySize 2048, 3072 or 4096.
	AlgorithmRSA KeyAlgorithm = "RSA"
	// AlgorithmECC: ECDSA P-256 (KeySize 256).
	AlgorithmECC KeyAlgorithm = "ECC"
	// AlgorithmSM2: the Chinese SM2 curve (KeySize 256).
	AlgorithmSM2 KeyAlgorithm = "SM2"
)

// CreateCsrInput is the input of CreateCsr.
type CreateCsrInput struct {
	// Algorithm is the key algorithm: AlgorithmRSA, AlgorithmECC or
	// AlgorithmSM2.
	Algorithm KeyAlgorithm `url:"Algorithm"`
	// KeySize is 2048, 3072 or 4096 for RSA and 256 for ECC and SM2.
	KeySize int `url:"KeySize"`
	// CommonName is the primary domain name, in ASCII (an
	// internationalized name in its punycode xn-- form).
	CommonName string `url:"CommonName"`
	// CountryCode is the organisation's two-letter country code, like CN.
	CountryCode string `url:"CountryCode"`
	// Province is the organisation's province or state.
	Province string `url:"Province"`
	// Locality is the organisation's city.
	Locality string `url:"Locality"`
	// SANs are further domain names, sent comma-joined as Sans; each
	// follows the same rule as CommonName.
	SANs []string `url:"Sans,comma,omitempty"`
	// CorpName is the company name.
	CorpName string `url:"CorpName,omitempty"`
	// Department is the department that uses the certificate.
	Department string `url:"Department,omitempty"`
	// Name names the CSR in the console: at most 50 letters, digits, '_',
	// '-' and '.'.
	Name string `url:"Name,omitempty"`
}

func (in *CreateCsrInput) validate() []FieldError {
	var p problems
	oneOf(&p, "Algorithm", in.Algorithm, AlgorithmRSA, AlgorithmECC, AlgorithmSM2)
	checkKeySize(&p, in.Algorithm, in.KeySize)
	checkDomain(&p, "CommonName", in.CommonName, certName)
	if strings.TrimSpace(in.CountryCode) == "" {
		p.add("CountryCode", "is required")
	} else if !isTwoLetters(in.CountryCode) {
		p.add("CountryCode", fmt.Sprintf("%s is not a two-letter country code like CN or US", quote(in.CountryCode)))
	}
	p.required("Province", in.Province)
	p.required("Locality", in.Locality)
	for i, san := range in.SANs {
		// The domain rule also refuses the commas and spaces on which the
		// service splits Sans: one name would silently become two.
		if problem := domainProblem(san, certName); problem != "" {
			p.add("SANs["+strconv.Itoa(i)+"]", problem) // the name built only for a problem
		}
	}
	checkCsrName(&p, in.Name)
	return p
}

func checkKeySize(p *problems, alg KeyAlgorithm, size int) {
	switch alg {
	case AlgorithmRSA:
		if size != 2048 && size != 3072 && size != 4096 {
			p.add("KeySize", fmt.Sprintf("%d is not an RSA key size; use 2048, 3072 or 4096", size))
		}
	case AlgorithmECC, AlgorithmSM2:
		if size != 256 {
			p.add("KeySize", fmt.Sprintf("%d is not a %s key size; use 256", size, alg))
		}
	default:
		if size <= 0 {
			p.add("KeySize", "is required")
		}
	}
}

func checkCsrName(p *problems, name string) {
	if utf8.RuneCountInString(name) > 50 {
		p.add("Name", fmt.Sprintf("is %d characters long; at most 50 are allowed", utf8.RuneCountInString(name)))
	}
	for _, r := range name {
		if r > 0x7f || !(isLetter(byte(r)) || '0' <= r && r <= '9' || r == '_' || r == '-' || r == '.') {
			p.add("Name", fmt.Sprintf("contains %s; only letters, digits, '_', '-' and '.' are allowed", quote(string(r))))
			return
		}
	}
}

// CreateCsrOutput is the output of CreateCsr.
type CreateCsrOutput struct {
	// CsrID identifies the CSR; pass it to GetCsrDetail. Exact int64.
	CsrID int64 `json:"CsrId"`
	// Csr is the CSR in PEM form; ParseCSR parses it.
	Csr string `json:"Csr"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

func (o *CreateCsrOutput) missingID() string {
	if o.CsrID <= 0 {
		return "the response has no CsrId"
	}
	return ""
}

var opCreateCsr = &operation{
	action: "CreateCsr",
	kind:   opCreate,
	unknownHint: "the CSR may have been created; " +
		"check the CSR list in the console before trying again",
}

// CreateCsr has the service generate a key pair and a CSR for the given
// subject and names. The key stays with the service; GetCsrDetail returns
// the CSR and key later. Submit the CSR to a CA to get a certificate.
//
// The call is not retried once the request may have reached the service:
// such a failure matches ErrOutcomeUnknown.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-createcsr
func (s *CASService) CreateCsr(ctx context.Context, in *CreateCsrInput) (*CreateCsrOutput, error) {
	return invoke[CreateCsrOutput](ctx, s.owner(), opCreateCsr, in)
}

// GetCsrDetailInput is the input of GetCsrDetail.
type GetCsrDetailInput struct {
	// CsrID is the id CreateCsr returned.
	CsrID int64 `url:"CsrId"`
}

func (in *GetCsrDetailInput) validate() []FieldError {
	var p problems
	p.positiveID("CsrID", in.CsrID)
	return p
}

// GetCsrDetailOutput is the output of GetCsrDetail.
type GetCsrDetailOutput struct {
	// Csr is the CSR in PEM form.
	Csr string `json:"Csr"`
	// PrivateKey is the PEM of the key the service generated. The field
	// itself holds the whole key, for the caller to write to a file; only
	// formatting hides it: it never shows in %v, %+v or %#v output, in
	// log/slog output or in json.Marshal output (as "[redacted]"), also
	// when the output is nested in another value.
	PrivateKey string `json:"PrivateKey" redact:"secret"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// missingID rejects a 2xx response without the CSR it was asked for.
func (o *GetCsrDetailOutput) missingID() string {
	if o.Csr == "" {
		return "the response has no Csr"
	}
	return ""
}

var opGetCsrDetail = &operation{action: "GetCsrDetail", kind: opIdempotent}

// GetCsrDetail returns a CSR created by CreateCsr, with its private key.
// It is retried on throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-getcsrdetail
func (s *CASService) GetCsrDetail(ctx context.Context, in *GetCsrDetailInput) (*GetCsrDetailOutput, error) {
	return invoke[GetCsrDetailOutput](ctx, s.owner(), opGetCsrDetail, in)
}
