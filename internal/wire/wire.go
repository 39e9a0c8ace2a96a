// Package wire holds the facts of the Alibaba Cloud RPC APIs that the client
// and its fake (alicerttest) must agree on: the error document, the
// timestamp layout, the DV product codes and the documented limits. Facts
// only: each side keeps its own validation logic, so that the fake stays an
// independent check of the client.
package wire

// TimestampLayout is the only form of the Timestamp parameter (and of
// signature V3's x-acs-date header) the service accepts: ISO 8601 in UTC.
const TimestampLayout = "2006-01-02T15:04:05Z"

// ErrorDocument is the JSON body of every error response.
type ErrorDocument struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// DomainKind says which domains a DV product certifies.
type DomainKind int

const (
	// SingleDomain certifies one name, not a wildcard.
	SingleDomain DomainKind = iota
	// WildcardDomain certifies a wildcard name (*.example.com) only.
	WildcardDomain
	// EitherDomain certifies either kind: the English reference calls
	// symantec-dv-1-starter a wildcard certificate and the Chinese one a
	// single-domain one.
	EitherDomain
)

// Product is a DV certificate specification CreateCertificateRequest
// documents (English and Chinese references together).
type Product struct {
	Code    string
	Domains DomainKind
}

// DVProducts are the documented ProductCode values.
var DVProducts = [...]Product{
	{"digicert-free-1-free", SingleDomain},
	{"symantec-free-1-free", SingleDomain},
	{"symantec-dv-1-starter", EitherDomain},
	{"geotrust-dv-1-starter", SingleDomain},
	{"geotrust-dv-w-starter", WildcardDomain},
	{"globalsign-dv-1-personal", SingleDomain},
	{"globalsign-dv-w-advanced", WildcardDomain},
}

// DefaultProductCode is what the service applies for without a
// ProductCode: a free single-domain DigiCert certificate.
const DefaultProductCode = "digicert-free-1-free"

// LookupProduct returns the documented product of code.
func LookupProduct(code string) (Product, bool) {
	for _, p := range DVProducts {
		if p.Code == code {
			return p, true
		}
	}
	return Product{}, false
}

// Documented limits.
const (
	// MaxKMSSubjectAlternativeNames is the most names KMS CreateCertificate
	// takes.
	MaxKMSSubjectAlternativeNames = 10
	// MaxUploadName is the longest name of an uploaded certificate: "The
	// name can be up to 63 characters long and can contain letters,
	// digits, and underscores (_)" (cas-20200407
	// UploadUserCertificateRequest, Name).
	MaxUploadName = 63
	// WindowMinutes is how far a request's time may be from the service's
	// clock, either way, in minutes.
	WindowMinutes = 15
)
