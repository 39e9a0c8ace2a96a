package alicerttest

import (
	"crypto"
	"crypto/x509/pkix"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/wire"
)

// casAPI is Certificate Management Service, API version 2020-04-07.
func casAPI() api {
	return api{
		product: "cas",
		version: "2020-04-07",
		actions: map[string]handler{
			"CreateCertificateRequest": (*Server).createCertificateRequest,
			"DescribeCertificateState": (*Server).describeCertificateState,
			"CreateCsr":                (*Server).createCsr,
			"GetCsrDetail":             (*Server).getCsrDetail,

			// Deployment jobs (deployment.go).
			"ListCloudResources":         (*Server).listCloudResources,
			"ListContact":                (*Server).listContact,
			"CreateDeploymentJob":        (*Server).createDeploymentJob,
			"UpdateDeploymentJobStatus":  (*Server).updateDeploymentJobStatus,
			"DescribeDeploymentJob":      (*Server).describeDeploymentJob,
			"ListWorkerResource":         (*Server).listWorkerResource,
			"UpdateWorkerResourceStatus": (*Server).updateWorkerResourceStatus,
			"DeleteDeploymentJob":        (*Server).deleteDeploymentJob,
			"ListDeploymentJob":          (*Server).listDeploymentJob,

			// The certificate lifecycle (lifecycle.go).
			"CreateCertificateWithCsrRequest":        (*Server).createCertificateWithCsrRequest,
			"ListUserCertificateOrder":               (*Server).listUserCertificateOrder,
			"GetUserCertificateDetail":               (*Server).getUserCertificateDetail,
			"UploadUserCertificate":                  (*Server).uploadUserCertificate,
			"DeleteUserCertificate":                  (*Server).deleteUserCertificate,
			"DeleteCertificateRequest":               (*Server).deleteCertificateRequest,
			"CancelOrderRequest":                     (*Server).cancelOrderRequest,
			"CancelCertificateForPackageRequest":     (*Server).cancelCertificateForPackageRequest,
			"RenewCertificateOrderForPackageRequest": (*Server).renewCertificateOrderForPackageRequest,
			"DescribePackageState":                   (*Server).describePackageState,
		},
	}
}

// productCodes are the DV specifications CreateCertificateRequest
// documents, with whether each is a wildcard certificate. The English
// reference calls symantec-dv-1-starter wildcard and the Chinese one
// single-domain, so the fake accepts either domain for it.
var productCodes = func() map[string]wildcardRule {
	rules := map[wire.DomainKind]wildcardRule{wire.SingleDomain: singleOnly, wire.WildcardDomain: wildcardOnly, wire.EitherDomain: eitherKind}
	codes := make(map[string]wildcardRule, len(wire.DVProducts))
	for _, p := range wire.DVProducts {
		codes[p.Code] = rules[p.Domains]
	}
	return codes
}()

type wildcardRule int

const (
	singleOnly wildcardRule = iota
	wildcardOnly
	eitherKind
)

// defaultProductCode is what the service applies for without ProductCode.
const defaultProductCode = wire.DefaultProductCode

type createCertificateRequestResponse struct {
	OrderID   int64  `json:"OrderId"`
	RequestID string `json:"RequestId"`
}

// createCertificateRequest creates a DV certificate order.
func (s *Server) createCertificateRequest(c *call) (any, *apiError) {
	if e := checkCertificateRequest(c); e != nil {
		return nil, e
	}
	product := c.get("ProductCode")
	if product == "" {
		product = defaultProductCode
	}
	o := s.newOrder(c.get("Domain"), c.get("ValidateType"), product, c.now)
	return createCertificateRequestResponse{OrderID: o.id, RequestID: c.requestID}, nil
}

// checkCertificateRequest validates CreateCertificateRequest's parameters
// as its reference describes them. The applicant's Username, Phone and
// Email are required: the service answers MissingParameter without them.
func checkCertificateRequest(c *call) *apiError {
	code := c.get("ProductCode")
	rule, known := productCodes[code]
	if code == "" {
		rule, known = productCodes[defaultProductCode]
	}
	if !known {
		return invalid("ProductCode", fmt.Sprintf("%q is not a DV certificate specification", code))
	}
	for _, name := range []string{"Username", "Phone", "Email"} {
		if strings.TrimSpace(c.get(name)) == "" {
			return missing(name)
		}
	}
	if email := c.get("Email"); !isEmailAddress(email) {
		return invalid("Email", fmt.Sprintf("%q is not an email address", email))
	}
	if e := checkOrderDomain(c.get("Domain"), rule); e != nil {
		return e
	}
	switch v := c.get("ValidateType"); v {
	case "":
		return missing("ValidateType")
	case "DNS", "FILE":
	default:
		return invalid("ValidateType", fmt.Sprintf("%q is not DNS or FILE", v))
	}
	return checkTags(c, orderTagLimits())
}

func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// checkOrderDomain accepts one domain name, a wildcard only with a wildcard
// specification.
func checkOrderDomain(d string, rule wildcardRule) *apiError {
	wildcard := strings.HasPrefix(d, "*.")
	switch {
	case d == "":
		return missing("Domain")
	case len(d) > 253:
		return invalid("Domain", "the domain name is longer than 253 characters")
	case strings.ContainsAny(d, ",; \t\r\n/:@"):
		return invalid("Domain", fmt.Sprintf("%q is not a single domain name", d))
	case strings.Contains(strings.TrimPrefix(d, "*."), "*"):
		return invalid("Domain", fmt.Sprintf("%q: a wildcard must be the whole leftmost label, as in *.example.com", d))
	case slices.Contains(strings.Split(strings.TrimPrefix(d, "*."), "."), ""):
		return invalid("Domain", fmt.Sprintf("%q has an empty label", d))
	case wildcard && rule == singleOnly:
		return invalid("Domain", fmt.Sprintf("%q is a wildcard domain, but the ProductCode is a single-domain certificate", d))
	case !wildcard && rule == wildcardOnly:
		return invalid("Domain", fmt.Sprintf("%q is not a wildcard domain, but the ProductCode is a wildcard certificate", d))
	}
	return nil
}

// tagParam matches the numbered tag parameters, Tags.1.Key and so on.
var tagParam = regexp.MustCompile(`^Tags\.([0-9]+)\.(Key|Value)$`)

// tagLimits are the limits an action's model states for its tags; zero is
// a limit the model does not state, and is not checked.
type tagLimits struct {
	count, key, value int
	// keyRequired: the tag key "cannot be an empty string".
	keyRequired bool
	// noURL: the key "cannot contain http:// or https://".
	noURL bool
}

// The tag limits of each action that takes tags, as its model's Tags
// struct states them.
func orderTagLimits() tagLimits { // CreateCertificateRequestRequestTags
	return tagLimits{count: 20, key: 64, value: 128, keyRequired: true, noURL: true}
}

func csrOrderTagLimits() tagLimits { // CreateCertificateWithCsrRequestRequestTags
	return tagLimits{count: 20, key: 128, keyRequired: true, noURL: true}
}

func renewTagLimits() tagLimits { // RenewCertificateOrderForPackageRequestRequestTags
	return tagLimits{count: 20, key: 128, value: 128, keyRequired: true, noURL: true}
}

func uploadTagLimits() tagLimits { return tagLimits{} } // UploadUserCertificateRequestTags states none

// checkTags validates Tags.N.Key and Tags.N.Value against an action's
// limits: N from 1 (to the most tags the model allows), then each key and
// value.
func checkTags(c *call, limits tagLimits) *apiError {
	var ns []int
	for k := range c.params {
		if !strings.HasPrefix(k, "Tags.") {
			continue
		}
		m := tagParam.FindStringSubmatch(k)
		if m == nil {
			return invalid(k, "tags are sent as Tags.N.Key and Tags.N.Value")
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || (limits.count > 0 && n > limits.count) {
			return invalid(k, fmt.Sprintf("the tag number must be from 1 to %d", limits.count))
		}
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	for _, n := range ns {
		keyName := fmt.Sprintf("Tags.%d.Key", n)
		key, value := c.get(keyName), c.get(fmt.Sprintf("Tags.%d.Value", n))
		switch {
		case key == "" && limits.keyRequired:
			return missing(keyName)
		case limits.key > 0 && utf8.RuneCountInString(key) > limits.key:
			return invalid(keyName, fmt.Sprintf("a tag key has at most %d characters", limits.key))
		case limits.noURL && (strings.Contains(key, "http://") || strings.Contains(key, "https://")):
			return invalid(keyName, "a tag key must not contain http:// or https://")
		case limits.value > 0 && utf8.RuneCountInString(value) > limits.value:
			return invalid(fmt.Sprintf("Tags.%d.Value", n), fmt.Sprintf("a tag value has at most %d characters", limits.value))
		}
	}
	return nil
}

// describeCertificateStateResponse carries, depending on the state and the
// validation type, the validation the CA waits for or the certificate.
type describeCertificateStateResponse struct {
	Type         string `json:"Type"`
	ValidateType string `json:"ValidateType,omitempty"`
	Domain       string `json:"Domain,omitempty"`
	RecordType   string `json:"RecordType,omitempty"`
	RecordDomain string `json:"RecordDomain,omitempty"`
	RecordValue  string `json:"RecordValue,omitempty"`
	URI          string `json:"Uri,omitempty"`
	Content      string `json:"Content,omitempty"`
	Certificate  string `json:"Certificate,omitempty"`
	PrivateKey   string `json:"PrivateKey,omitempty"`
	CertID       string `json:"CertId,omitempty"` // a string, as in the service's model
	RequestID    string `json:"RequestId"`
}

// describeCertificateState reports an order's state, moving it on.
func (s *Server) describeCertificateState(c *call) (any, *apiError) {
	id, e := idParam(c, "OrderId")
	if e != nil {
		return nil, e
	}
	o, state := s.observe(id)
	if o == nil {
		return nil, invalid("OrderId", fmt.Sprintf("there is no certificate order %d", id))
	}
	out := describeCertificateStateResponse{Type: state, ValidateType: o.validateType, RequestID: c.requestID}
	if state != stateDomainVerify && s.cfg.validateTypeWhileVerifying {
		out.ValidateType = ""
	}
	switch state {
	case stateDomainVerify:
		if o.validateType == "DNS" {
			out.RecordType, out.RecordDomain, out.RecordValue = "TXT", s.announcedRecordDomain(o), o.token
		} else {
			out.Domain, out.URI, out.Content = o.domain, validationURI, o.token
		}
	case stateCertificate:
		chain, key, err := s.issued(o, c.now)
		if err != nil {
			return nil, &apiError{http.StatusInternalServerError, "InternalError", "issuing the certificate: " + err.Error()}
		}
		out.Certificate, out.PrivateKey, out.CertID = chain, key, strconv.FormatInt(o.certID, 10)
	}
	return out, nil
}

// idParam reads a required positive integer id.
func idParam(c *call, name string) (int64, *apiError) {
	v := c.get(name)
	if v == "" {
		return 0, missing(name)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, fmt.Sprintf("%q is not a positive integer id", v))
	}
	return id, nil
}

// csrRecord is one CSR CreateCsr made.
type csrRecord struct {
	csrPEM string
	keyPEM string
}

type createCsrResponse struct {
	Csr       string `json:"Csr"`
	RequestID string `json:"RequestId"`
	CsrID     int64  `json:"CsrId"`
}

// createCsr generates a key and a CSR for the requested subject.
func (s *Server) createCsr(c *call) (any, *apiError) {
	if e := checkCreateCsr(c); e != nil {
		return nil, e
	}
	key, err := s.csrKey(c.get("Algorithm"), c.get("KeySize"))
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "generating the key: " + err.Error()}
	}
	subject := pkix.Name{CommonName: c.get("CommonName")}
	for _, f := range []struct {
		dst   *[]string
		param string
	}{
		{&subject.Country, "CountryCode"}, {&subject.Province, "Province"}, {&subject.Locality, "Locality"},
		{&subject.Organization, "CorpName"}, {&subject.OrganizationalUnit, "Department"},
	} {
		if v := c.get(f.param); v != "" {
			*f.dst = []string{v}
		}
	}
	names := []string{c.get("CommonName")}
	if sans := c.get("Sans"); sans != "" {
		for _, san := range strings.Split(sans, ",") {
			if !slices.Contains(names, san) {
				names = append(names, san)
			}
		}
	}
	csrPEM, err := newCSR(key, subject, names)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "creating the CSR: " + err.Error()}
	}
	keyPEM, err := privateKeyPEM(key)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "encoding the key: " + err.Error()}
	}
	s.mu.Lock()
	s.lastCsrID = nextID(s.lastCsrID)
	id := s.lastCsrID
	s.csrs[id] = &csrRecord{csrPEM: csrPEM, keyPEM: keyPEM}
	s.mu.Unlock()
	return createCsrResponse{Csr: csrPEM, RequestID: c.requestID, CsrID: id}, nil
}

// csrKey returns a key for CreateCsr: the server's cached RSA key of the
// size, or a fresh P-256 key for ECC and SM2 (see newECKey).
func (s *Server) csrKey(alg, size string) (crypto.Signer, error) {
	if alg == "RSA" {
		bits, _ := strconv.Atoi(size) // checked by checkCreateCsr
		return s.rsa.get(bits)
	}
	return newECKey()
}

// csrNameChars are what a CSR's Name may contain besides letters and digits.
const csrNameChars = "_-."

// checkCreateCsr validates CreateCsr's parameters as its reference
// describes them, in the reference's order.
func checkCreateCsr(c *call) *apiError {
	alg := c.get("Algorithm")
	switch alg {
	case "":
		return missing("Algorithm")
	case "RSA", "ECC", "SM2":
	default:
		return invalid("Algorithm", fmt.Sprintf("%q is not RSA, ECC or SM2", alg))
	}
	size := c.get("KeySize")
	if size == "" {
		return missing("KeySize")
	}
	switch {
	case alg == "RSA" && size != "2048" && size != "3072" && size != "4096":
		return invalid("KeySize", fmt.Sprintf("%q is not an RSA key size (2048, 3072 or 4096)", size))
	case alg != "RSA" && size != "256":
		return invalid("KeySize", fmt.Sprintf("%q is not a %s key size (256)", size, alg))
	}
	if c.get("CommonName") == "" {
		return missing("CommonName")
	}
	if sans := c.get("Sans"); sans != "" {
		for _, san := range strings.Split(sans, ",") {
			if san == "" || strings.ContainsAny(san, " \t\r\n") {
				return invalid("Sans", fmt.Sprintf("%q is not a comma-separated list of domain names", sans))
			}
		}
	}
	country := c.get("CountryCode")
	if country == "" {
		return missing("CountryCode")
	}
	if !isTwoLetters(country) {
		return invalid("CountryCode", fmt.Sprintf("%q is not a two-letter country code", country))
	}
	for _, name := range []string{"Province", "Locality"} {
		if c.get(name) == "" {
			return missing(name)
		}
	}
	if name := c.get("Name"); name != "" {
		if utf8.RuneCountInString(name) > 50 {
			return invalid("Name", "the name has more than 50 characters")
		}
		for _, r := range name {
			if !(r < utf8.RuneSelf && (isLetter(byte(r)) || '0' <= r && r <= '9' || strings.ContainsRune(csrNameChars, r))) {
				return invalid("Name", fmt.Sprintf("%q: only letters, digits, '_', '-' and '.' are allowed", name))
			}
		}
	}
	return nil
}

func isTwoLetters(s string) bool { return len(s) == 2 && isLetter(s[0]) && isLetter(s[1]) }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

type getCsrDetailResponse struct {
	Csr        string `json:"Csr"`
	PrivateKey string `json:"PrivateKey"`
	RequestID  string `json:"RequestId"`
}

// getCsrDetail returns a CSR and its key.
func (s *Server) getCsrDetail(c *call) (any, *apiError) {
	id, e := idParam(c, "CsrId")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	rec := s.csrs[id]
	s.mu.Unlock()
	if rec == nil {
		return nil, invalid("CsrId", fmt.Sprintf("there is no CSR %d", id))
	}
	return getCsrDetailResponse{Csr: rec.csrPEM, PrivateKey: rec.keyPEM, RequestID: c.requestID}, nil
}
