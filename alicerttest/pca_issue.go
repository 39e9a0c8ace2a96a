package alicerttest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The certificates a sub-CA issues from a CSR: CreateServerCertificateWithCsr,
// CreateClientCertificateWithCsr and CreateCustomCertificate. Each reads its
// parameters into a leafSpec; issueLeaf then checks the spec against the
// sub-CA, signs the CSR's key with the sub-CA's and records the certificate,
// counting it against the sub-CA's quota.

// leafSpec is what a certificate create asks for.
type leafSpec struct {
	kind      string // CLIENT or SERVER; "" for a custom certificate (see customKind)
	parent    string
	csr       *x509.CertificateRequest
	algorithm string // the Algorithm parameter, "" when not given
	validity  validity

	// subject is the certificate's subject; with inheritPlace, its
	// Locality and Province default to the sub-CA's. rawSubject, when
	// set, is the CSR's subject, used as it is.
	subject      pkix.Name
	inheritPlace bool
	rawSubject   []byte

	names       sanSet
	keyUsage    x509.KeyUsage
	extKeyUsage []x509.ExtKeyUsage
	// custom: the extensions of a custom certificate, with the
	// criticality asked (see passthrough.extensions).
	custom *passthrough
	serial *big.Int // nil: a random one

	customIdentifier string
	customParam      string // the wire name of CustomIdentifier
	immediately      int64  // 0, 1 or 2
	resourceGroup    string
	tags             []tagDoc
}

// validity is a certificate's validity, and the parameter that set it
// (named when it does not fit in the sub-CA's).
type validity struct {
	param               string
	notBefore, notAfter time.Time
}

// sanSet is a certificate's subject alternative names.
type sanSet struct {
	dns, emails []string
	ips         []net.IP
	uris        []*url.URL
}

func (n sanSet) empty() bool {
	return len(n.dns)+len(n.emails)+len(n.ips)+len(n.uris) == 0
}

func csrNamesOf(csr *x509.CertificateRequest) sanSet {
	return sanSet{dns: csr.DNSNames, emails: csr.EmailAddresses, ips: csr.IPAddresses, uris: csr.URIs}
}

// Defaults of CreateServerCertificateWithCsr and
// CreateClientCertificateWithCsr: "Organization ... Default value: Alibaba
// Inc."; "OrganizationUnit ... Default value: Aliyun CDN".
const (
	defaultLeafOrganization = "Alibaba Inc."
	defaultLeafUnit         = "Aliyun CDN"
)

// leafKeyUsage is the key usage of server and client certificates:
// "Key usage: digitalSignature, keyEncipherment" for a server-side, a
// client authentication and an mTLS certificate alike, in
// CreateCustomCertificate's description. The models of the two creates
// do not say; the fake follows that text, with extended key usage
// serverAuth for a server certificate and clientAuth for a client one.
const leafKeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment

// createServerCertificateWithCsr issues a server certificate.
func (s *Server) createServerCertificateWithCsr(c *call) (any, *apiError) {
	spec, e := csrLeafSpec(c, pcaTypeServer)
	if e != nil {
		return nil, e
	}
	if d := c.get("Domain"); d != "" {
		if spec.names, e = domainNames(d); e != nil {
			return nil, e
		}
	}
	leaf, ca, e := s.issueLeaf(spec)
	if e != nil {
		return nil, e
	}
	return newLeafResponse(c, spec, leaf, ca), nil
}

// createClientCertificateWithCsr issues a client certificate.
func (s *Server) createClientCertificateWithCsr(c *call) (any, *apiError) {
	spec, e := csrLeafSpec(c, pcaTypeClient)
	if e != nil {
		return nil, e
	}
	if names, given, e := clientNames(c); e != nil {
		return nil, e
	} else if given {
		spec.names = names
	}
	leaf, ca, e := s.issueLeaf(spec)
	if e != nil {
		return nil, e
	}
	// CertKmcRep1 and CertSignBufKmc, "The encrypted certificate
	// ciphertext" and "content": the fake encrypts nothing and leaves them
	// empty.
	return clientCertResponse{leafResponse: newLeafResponse(c, spec, leaf, ca)}, nil
}

type leafResponse struct {
	CertificateChain string `json:"CertificateChain"`
	Identifier       string `json:"Identifier"`
	RequestID        string `json:"RequestId"`
	SerialNumber     string `json:"SerialNumber"`
	X509Certificate  string `json:"X509Certificate"`
}

type clientCertResponse struct {
	CertKmcRep1    string `json:"CertKmcRep1"`
	CertSignBufKmc string `json:"CertSignBufKmc"`
	leafResponse
}

// newLeafResponse answers a server or client create: the certificate with
// Immediately 1 and 2, and the sub-CA's chain too with 2 ("Returns the
// certificate and its certificate chain").
func newLeafResponse(c *call, spec *leafSpec, leaf *pcaCert, ca *pcaCA) leafResponse {
	out := leafResponse{Identifier: leaf.identifier, RequestID: c.requestID, SerialNumber: serialHex(leaf.cert.SerialNumber)}
	if spec.immediately >= 1 {
		out.X509Certificate = leaf.certPEM
	}
	if spec.immediately == 2 {
		out.CertificateChain = ca.chainPEM
	}
	return out
}

// csrLeafSpec reads what CreateServerCertificateWithCsr and
// CreateClientCertificateWithCsr share. The client model marks neither
// Csr nor ParentIdentifier required; the fake cannot issue without them
// and requires both, as the server model does.
func csrLeafSpec(c *call, kind string) (*leafSpec, *apiError) {
	spec := &leafSpec{kind: kind, customParam: "CustomIdentifier", inheritPlace: true}
	var e *apiError
	if spec.csr, e = leafCSR(c); e != nil {
		return nil, e
	}
	if spec.parent = c.get("ParentIdentifier"); spec.parent == "" {
		return nil, missing("ParentIdentifier")
	}
	if spec.algorithm = c.get("Algorithm"); spec.algorithm != "" {
		if _, ok := pcaAlgorithms[spec.algorithm]; !ok {
			return nil, invalid("Algorithm", fmt.Sprintf("%q is not one of %v", spec.algorithm, sortedKeys(pcaAlgorithms)))
		}
	}
	if spec.validity, e = csrValidity(c); e != nil {
		return nil, e
	}
	if e := commonLeafParams(c, spec); e != nil {
		return nil, e
	}
	// AsynchronousFlag true: "the backend service issues the certificate
	// asynchronously. After the request is submitted, you can call the
	// ListClientCertificate operation to obtain the latest certificate."
	// The fake issues at once, and answers without the certificate.
	switch v := c.get("AsynchronousFlag"); v {
	case "", "false":
	case "true":
		spec.immediately = 0
	default:
		return nil, invalid("AsynchronousFlag", fmt.Sprintf("%q is not true or false", v))
	}
	// "If you set the Csr parameter, the value of the CommonName parameter
	// is determined by the corresponding information in the Csr
	// parameter": CommonName counts only for a CSR without one.
	cn := spec.csr.Subject.CommonName
	if cn == "" {
		cn = c.get("CommonName")
	}
	spec.subject = leafSubject(c, cn)
	spec.names = csrNamesOf(spec.csr)
	spec.keyUsage = leafKeyUsage
	spec.extKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if kind == pcaTypeServer {
		spec.extKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	return spec, nil
}

// leafSubject is the subject of a server or client certificate, from
// the parameters and the models' defaults; Locality and State default to
// the sub-CA's (filled by issueLeaf).
func leafSubject(c *call, cn string) pkix.Name {
	value := func(name, def string) []string {
		if v := c.get(name); v != "" {
			return []string{v}
		}
		if def != "" {
			return []string{def}
		}
		return nil
	}
	return pkix.Name{
		CommonName:         cn,
		Country:            value("Country", ""),
		Province:           value("State", ""),
		Locality:           value("Locality", ""),
		Organization:       value("Organization", defaultLeafOrganization),
		OrganizationalUnit: value("OrganizationUnit", defaultLeafUnit),
	}
}

// commonLeafParams reads what all three creates take: Immediately,
// EnableCrl, the custom identifier, the resource group and the tags.
func commonLeafParams(c *call, spec *leafSpec) *apiError {
	var e *apiError
	if spec.immediately, _, e = intParam(c, "Immediately", 0, 2); e != nil {
		return e
	}
	// "Specifies whether to include the CRL address. Valid values: 0: No.
	// 1: Yes." The fake publishes no CRL, so there is no address to put.
	if _, _, e = intParam(c, "EnableCrl", 0, 1); e != nil {
		return e
	}
	spec.customIdentifier = c.get(spec.customParam)
	spec.resourceGroup = c.get("ResourceGroupId")
	if e := checkTags(c, tagLimits{}); e != nil { // the models state no tag limits
		return e
	}
	spec.tags = tagsOf(c)
	return nil
}

// leafCSR reads the required Csr: a PEM CSR whose signature verifies,
// for an RSA or ECDSA key.
func leafCSR(c *call) (*x509.CertificateRequest, *apiError) {
	v := c.get("Csr")
	if v == "" {
		return nil, missing("Csr")
	}
	block, _ := pem.Decode([]byte(v))
	if block == nil || (block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST") {
		return nil, invalid("Csr", "the value is not a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, invalid("Csr", "the CSR does not parse")
	}
	if csr.CheckSignature() != nil {
		return nil, invalid("Csr", "the CSR's signature is invalid")
	}
	switch csr.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, invalid("Csr", "the CSR's key is neither RSA nor ECC")
	}
	return csr, nil
}

// maxUnixSeconds is 9999-12-31T23:59:59Z, the last time a certificate
// can hold.
const maxUnixSeconds = 253402300799

// csrValidity reads the validity of a server or client certificate. "The
// Days, BeforeTime, and AfterTime parameters cannot all be empty. The
// BeforeTime and AfterTime parameters must both be empty or both be
// specified"; "If you set the Days, BeforeTime, and AfterTime parameters
// at the same time, the validity period ... is determined by the value of
// the Days parameter", starting when the call is made ("BeforeTime ...
// The default value is the time when you call this operation"). The
// models say nothing of Months and Years beside the others: the fake
// takes the first given of Days, BeforeTime/AfterTime, Months and Years,
// and Months or Years alone as the whole validity.
func csrValidity(c *call) (validity, *apiError) {
	now := pcaNow(c)
	ints := map[string]int64{}
	for _, p := range []struct {
		name   string
		lo, hi int64
	}{{"Days", 1, 1<<31 - 1}, {"BeforeTime", 0, maxUnixSeconds}, {"AfterTime", 0, maxUnixSeconds},
		{"Months", 1, 1<<31 - 1}, {"Years", 1, 1<<31 - 1}} {
		v, present, e := intParam(c, p.name, p.lo, p.hi)
		if e != nil {
			return validity{}, e
		}
		if present {
			ints[p.name] = v
		}
	}
	_, before := ints["BeforeTime"]
	_, after := ints["AfterTime"]
	switch {
	case before && !after:
		return validity{}, missing("AfterTime")
	case after && !before:
		return validity{}, missing("BeforeTime")
	}
	if days, ok := ints["Days"]; ok {
		return validity{"Days", now, now.AddDate(0, 0, int(days))}, nil
	}
	if before {
		from, to := time.Unix(ints["BeforeTime"], 0).UTC(), time.Unix(ints["AfterTime"], 0).UTC()
		if !to.After(from) {
			return validity{}, invalid("AfterTime", "the certificate must end after it begins (BeforeTime)")
		}
		return validity{"AfterTime", from, to}, nil
	}
	if months, ok := ints["Months"]; ok {
		return validity{"Months", now, now.AddDate(0, int(months), 0)}, nil
	}
	if years, ok := ints["Years"]; ok {
		return validity{"Years", now, now.AddDate(int(years), 0, 0)}, nil
	}
	return validity{}, missing("Days")
}

// domainNames reads a server certificate's Domain: "You can enter
// multiple domain names and IP addresses at the same time. Separate
// multiple values with commas (,)."
func domainNames(v string) (sanSet, *apiError) {
	var names sanSet
	for _, d := range strings.Split(v, ",") {
		d = strings.TrimSpace(d)
		if ip := net.ParseIP(d); ip != nil {
			names.ips = append(names.ips, ip)
			continue
		}
		if !validDNSName(d) {
			return sanSet{}, invalid("Domain", fmt.Sprintf("%q is not a domain name or an IP address", d))
		}
		names.dns = append(names.dns, d)
	}
	return names, nil
}

// dnsLabel is one label of a host name; "_" is taken, as in service names.
var dnsLabel = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$`)

// validDNSName accepts a host name (one label or more, as a private CA
// may name internal hosts), a wildcard only as the whole leftmost label.
func validDNSName(d string) bool {
	if len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimPrefix(d, "*."), ".") {
		if !dnsLabel.MatchString(label) {
			return false
		}
	}
	return true
}

// SanType values of CreateClientCertificateWithCsr the fake issues: "1:
// rfc822Name ... typically an email address", "2: dNSName", "6:
// uniformResourceIdentifier", "7: iPAddress", which are also the four
// types the listings' Sans documents. The model lists 0 to 8; the fake
// refuses 0, 3, 4, 5 and 8 (other name, X.400 address, directory name,
// EDI party name, registered id).
const (
	sanEmail = 1
	sanDNS   = 2
	sanURI   = 6
	sanIP    = 7
)

// clientNames reads SanType and SanValue, "multiple values separated by
// commas"; given is false when neither is set.
func clientNames(c *call) (names sanSet, given bool, e *apiError) {
	typ, hasType, e := intParam(c, "SanType", 0, 8)
	if e != nil {
		return sanSet{}, false, e
	}
	value := c.get("SanValue")
	switch {
	case !hasType && value == "":
		return sanSet{}, false, nil
	case !hasType:
		return sanSet{}, false, missing("SanType")
	case value == "":
		return sanSet{}, false, missing("SanValue")
	}
	for _, v := range strings.Split(value, ",") {
		v = strings.TrimSpace(v)
		if e := names.add(typ, v, "SanValue"); e != nil {
			return sanSet{}, false, e
		}
	}
	return names, true, nil
}

// add adds one name of a SanType to the set, checking it.
func (n *sanSet) add(typ int64, v, param string) *apiError {
	bad := func(what string) *apiError { return invalid(param, fmt.Sprintf("%q is not %s", v, what)) }
	switch typ {
	case sanEmail:
		if !isEmailAddress(v) {
			return bad("an email address")
		}
		n.emails = append(n.emails, v)
	case sanDNS:
		if !validDNSName(v) {
			return bad("a domain name")
		}
		n.dns = append(n.dns, v)
	case sanURI:
		// "A standard URL format that must include a protocol prefix".
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || !u.IsAbs() {
			return bad("a URI with a scheme, such as https://")
		}
		n.uris = append(n.uris, u)
	case sanIP:
		ip := net.ParseIP(v)
		if ip == nil {
			return bad("an IP address")
		}
		n.ips = append(n.ips, ip)
	default:
		return invalid("SanType", fmt.Sprintf("the fake issues SanType 1 (email), 2 (DNS), 6 (URI) and 7 (IP) only, not %d", typ))
	}
	return nil
}

// issueLeaf checks spec against the sub-CA it names, signs the
// certificate and records it, counting it against the sub-CA's quota.
func (s *Server) issueLeaf(spec *leafSpec) (*pcaCert, *pcaCA, *apiError) {
	ca, e := s.issuingCA(spec)
	if e != nil {
		return nil, nil, e
	}
	if e := s.pca.admit(spec, ca); e != nil { // before signing: RSA is slow
		return nil, nil, e
	}
	tmpl, e := spec.template(ca)
	if e != nil {
		return nil, nil, e
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, spec.csr.PublicKey, ca.key)
	if err != nil {
		return nil, nil, &apiError{http.StatusInternalServerError, "InternalError", "signing the certificate: " + err.Error()}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, &apiError{http.StatusInternalServerError, "InternalError", "reading the certificate: " + err.Error()}
	}
	leaf := &pcaCert{
		identifier: newPCAIdentifier(), parent: ca.identifier, custom: spec.customIdentifier,
		kind: spec.kind, family: leafFamily(cert, ca), cert: cert, certPEM: pemString("CERTIFICATE", der),
		resourceGroup: spec.resourceGroup, tags: spec.tags, status: pcaStatusIssue,
	}
	if leaf.kind == "" {
		leaf.kind = customKind(cert)
	}
	if e := s.pca.commit(spec, leaf, ca); e != nil {
		return nil, nil, e
	}
	return leaf, ca, nil
}

// issuingCA finds the sub-CA of ParentIdentifier and checks spec against
// it: "Only subordinate CA certificates can issue server certificates";
// "The encryption algorithm of the server certificate must be the same as
// that of the subordinate CA certificate" (the custom create says nothing
// of it and is not checked); "The validity period ... cannot exceed the
// validity period of the subordinate CA certificate".
func (s *Server) issuingCA(spec *leafSpec) (*pcaCA, *apiError) {
	ca := s.pca.ca(spec.parent)
	switch {
	case ca == nil:
		return nil, invalid("ParentIdentifier", fmt.Sprintf("there is no CA %q", spec.parent))
	case ca.isRoot():
		return nil, invalid("ParentIdentifier", fmt.Sprintf("%q is a root CA; only a subordinate CA issues certificates", spec.parent))
	case spec.algorithm != "" && pcaAlgorithms[spec.algorithm].family != ca.family():
		return nil, invalid("Algorithm", fmt.Sprintf("%s is not of the subordinate CA's algorithm, %s", spec.algorithm, ca.family()))
	case spec.kind != "" && !keyFitsFamily(spec.csr.PublicKey, ca.family()):
		return nil, invalid("Csr", fmt.Sprintf("the CSR's key is not of the subordinate CA's algorithm, %s", ca.family()))
	case spec.validity.notBefore.Before(ca.cert.NotBefore):
		return nil, invalid(spec.validity.param, fmt.Sprintf("the certificate would begin before the subordinate CA's certificate, at %s",
			ca.cert.NotBefore.UTC().Format(time.RFC3339)))
	case spec.validity.notAfter.After(ca.cert.NotAfter):
		return nil, invalid(spec.validity.param, fmt.Sprintf("the certificate would end after the subordinate CA's certificate, at %s",
			ca.cert.NotAfter.UTC().Format(time.RFC3339)))
	}
	return ca, nil
}

// keyFitsFamily: an RSA key for an RSA CA, an ECDSA key for an ECC CA,
// and a P-256 key for an SM2 CA (whose own key is P-256; see pcaKey).
func keyFitsFamily(pub any, family string) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return family == "RSA"
	case *ecdsa.PublicKey:
		return family == "ECC" || family == "SM2" && k.Curve.Params().BitSize == 256
	}
	return false
}

// leafFamily is the Algorithm a certificate is listed with: its key's,
// SM2 for a P-256 key from an SM2 CA.
func leafFamily(cert *x509.Certificate, ca *pcaCA) string {
	if _, ok := cert.PublicKey.(*rsa.PublicKey); ok {
		return "RSA"
	}
	if ca.family() == "SM2" && keyFitsFamily(cert.PublicKey, "SM2") {
		return "SM2"
	}
	return "ECC"
}

// customKind is the CertificateType of a custom certificate, which the
// models do not give: SERVER when it may authenticate a server, CLIENT
// otherwise.
func customKind(cert *x509.Certificate) string {
	for _, u := range cert.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth {
			return pcaTypeServer
		}
	}
	return pcaTypeClient
}

// template is the certificate spec asks of ca.
func (spec *leafSpec) template(ca *pcaCA) (*x509.Certificate, *apiError) {
	serial := spec.serial
	if serial == nil {
		serial = randomSerial()
	}
	subject := spec.subject
	if spec.inheritPlace {
		if len(subject.Locality) == 0 {
			subject.Locality = ca.cert.Subject.Locality
		}
		if len(subject.Province) == 0 {
			subject.Province = ca.cert.Subject.Province
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		RawSubject:            spec.rawSubject,
		NotBefore:             spec.validity.notBefore,
		NotAfter:              spec.validity.notAfter,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    signatureAlgorithm(ca.key),
	}
	if spec.custom != nil {
		exts, e := spec.custom.extensions(spec.names)
		if e != nil {
			return nil, e
		}
		tmpl.ExtraExtensions = exts
		return tmpl, nil
	}
	tmpl.KeyUsage, tmpl.ExtKeyUsage = spec.keyUsage, spec.extKeyUsage
	tmpl.DNSNames, tmpl.EmailAddresses, tmpl.IPAddresses, tmpl.URIs = spec.names.dns, spec.names.emails, spec.names.ips, spec.names.uris
	return tmpl, nil
}

// admit checks what the sub-CA's state decides: the custom identifier is
// new and the sub-CA has quota left.
func (p *pcaState) admit(spec *leafSpec, ca *pcaCA) *apiError {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.admitLocked(spec, ca)
}

func (p *pcaState) admitLocked(spec *leafSpec, ca *pcaCA) *apiError {
	if id := spec.customIdentifier; id != "" {
		if other, taken := p.byCustom[id]; taken {
			return &apiError{http.StatusBadRequest, codeCustomIdentifierRepeat,
				fmt.Sprintf("The specified parameter %q is not valid: the certificate %s already has the CustomIdentifier %q, a unique key.",
					spec.customParam, other, id)}
		}
	}
	if ca.total-ca.issued <= 0 {
		return &apiError{http.StatusBadRequest, codeQuotaExhausted,
			fmt.Sprintf("The subordinate CA %s has no certificate quota left: CertRemainingCount is 0 of CertTotalCount %d.", ca.identifier, ca.total)}
	}
	return nil
}

// commit records an issued certificate, if the custom identifier is still
// new and the quota still there.
func (p *pcaState) commit(spec *leafSpec, leaf *pcaCert, ca *pcaCA) *apiError {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.admitLocked(spec, ca); e != nil {
		return e
	}
	ca.issued++
	p.lastID++
	leaf.id = p.lastID
	p.certs[leaf.identifier] = leaf
	p.order = append(p.order, leaf)
	if leaf.custom != "" {
		p.byCustom[leaf.custom] = leaf.identifier
	}
	return nil
}

// serialHex is a serial number as the models write it, lower-case hex, of
// an even number of digits ("084bde9cd233f0ddae33adc438cfbbbd****").
func serialHex(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	return h
}
