package alicerttest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CreateCustomCertificate: a certificate whose subject, names, key usage
// and extended key usage the caller sets through ApiPassthrough, flattened
// the way the official client sends a struct (ApiPassthrough.Subject.CommonName,
// ApiPassthrough.Extensions.ExtendedKeyUsages.1, ...). "By default, the
// certificate subject is retrieved from the Certificate Signing Request
// (CSR). If you specify a certificate subject, the subject from the CSR is
// ignored and the specified subject is used" (its description). The key
// usage and extended key usage are exactly those passed, none when none
// is; the names are those passed, else the CSR's.

type customCertResponse struct {
	Certificate      string `json:"Certificate"`
	CertificateChain string `json:"CertificateChain"`
	Identifier       string `json:"Identifier"`
	RequestID        string `json:"RequestId"`
	SerialNumber     string `json:"SerialNumber"`
}

// createCustomCertificate issues a custom certificate. Certificate and
// SerialNumber are "returned when Immediately is set to 1 or 2", and
// CertificateChain "when Immediately is set to 2"; with 0 ("Issue the
// certificate asynchronously") the fake issues at once all the same.
func (s *Server) createCustomCertificate(c *call) (any, *apiError) {
	spec, e := customLeafSpec(c)
	if e != nil {
		return nil, e
	}
	leaf, ca, e := s.issueLeaf(spec)
	if e != nil {
		return nil, e
	}
	out := customCertResponse{Identifier: leaf.identifier, RequestID: c.requestID}
	if spec.immediately >= 1 {
		out.Certificate, out.SerialNumber = leaf.certPEM, serialHex(leaf.cert.SerialNumber)
	}
	if spec.immediately == 2 {
		out.CertificateChain = ca.chainPEM
	}
	return out, nil
}

// customLeafSpec reads CreateCustomCertificate's parameters; Csr,
// ParentIdentifier and Validity are required. Its custom identifier
// travels as customIdentifier, with a lower-case c.
func customLeafSpec(c *call) (*leafSpec, *apiError) {
	spec := &leafSpec{customParam: "customIdentifier"}
	var e *apiError
	if spec.csr, e = leafCSR(c); e != nil {
		return nil, e
	}
	if spec.parent = c.get("ParentIdentifier"); spec.parent == "" {
		return nil, missing("ParentIdentifier")
	}
	if spec.validity, e = customValidity(c); e != nil {
		return nil, e
	}
	if e := commonLeafParams(c, spec); e != nil {
		return nil, e
	}
	if spec.custom, e = readPassthrough(c); e != nil {
		return nil, e
	}
	if spec.custom.subject != nil {
		spec.subject = *spec.custom.subject
	} else {
		spec.rawSubject = spec.csr.RawSubject
	}
	spec.names = csrNamesOf(spec.csr)
	if spec.custom.names != nil {
		spec.names = *spec.custom.names
	}
	spec.serial = spec.custom.serial
	return spec, nil
}

// relativeValidity is a relative Validity: "Year - y, Month - m, Day - d",
// as in 1y, 3m, 7d.
var relativeValidity = regexp.MustCompile(`^([1-9][0-9]{0,8})([ymd])$`)

// validityLayout is an absolute Validity's time: "Uses GMT. Format:
// yyyy-MM-dd'T'HH:mm:ss'Z'".
const validityLayout = "2006-01-02T15:04:05Z"

// customValidity reads Validity: relative from now, an absolute end
// ("$NotAfter"), or an absolute start and end ("$NotBefore/$NotAfter").
func customValidity(c *call) (validity, *apiError) {
	v := c.get("Validity")
	if v == "" {
		return validity{}, missing("Validity")
	}
	now := pcaNow(c)
	if m := relativeValidity.FindStringSubmatch(v); m != nil {
		n, _ := strconv.Atoi(m[1]) // nine digits at most
		end := map[string]time.Time{"y": now.AddDate(n, 0, 0), "m": now.AddDate(0, n, 0), "d": now.AddDate(0, 0, n)}[m[2]]
		return validity{"Validity", now, end}, nil
	}
	from, endText := now, v
	if start, end, ok := strings.Cut(v, "/"); ok {
		t, err := time.Parse(validityLayout, start)
		if err != nil {
			return validity{}, invalid("Validity", fmt.Sprintf("%q: the start is not of the form 2006-01-02T15:04:05Z", v))
		}
		from, endText = t, end
	}
	to, err := time.Parse(validityLayout, endText)
	switch {
	case err != nil:
		return validity{}, invalid("Validity", fmt.Sprintf("%q is not 1y, 3m, 7d, 2006-01-02T15:04:05Z or a start/end pair of those times", v))
	case !to.After(from):
		return validity{}, invalid("Validity", fmt.Sprintf("%q ends before it begins", v))
	}
	return validity{"Validity", from, to}, nil
}

// passthroughParam matches each parameter the ApiPassthrough struct
// flattens into; the fake refuses any other under ApiPassthrough.
var passthroughParam = regexp.MustCompile(`^ApiPassthrough\.(` +
	`SerialNumber|` +
	`Subject\.(CommonName|Country|Locality|Organization|OrganizationUnit|State)|` +
	`Subject\.CustomAttributes\.[0-9]+\.(ObjectIdentifier|Value)|` +
	`Extensions\.KeyUsage\.(ContentCommitment|DataEncipherment|DecipherOnly|DigitalSignature|EncipherOnly|KeyAgreement|KeyEncipherment|NonRepudiation)|` +
	`Extensions\.(ExtendedKeyUsages|Criticals)\.[0-9]+|` +
	`Extensions\.SubjectAlternativeNames\.[0-9]+\.(Type|Value)` +
	`)$`)

// passthrough is what ApiPassthrough asks.
type passthrough struct {
	subject     *pkix.Name // nil: the CSR's
	names       *sanSet    // nil: the CSR's
	keyUsage    x509.KeyUsage
	extKeyUsage []extKeyUsage
	critical    map[string]bool // by the canonical names of criticalNames
	serial      *big.Int        // nil: a random one
}

const ptPrefix = "ApiPassthrough."

// readPassthrough reads ApiPassthrough.
func readPassthrough(c *call) (*passthrough, *apiError) {
	for k := range c.params {
		if strings.HasPrefix(k, "ApiPassthrough") && !passthroughParam.MatchString(k) {
			return nil, invalid(k, "not a parameter of ApiPassthrough")
		}
	}
	pt := &passthrough{critical: map[string]bool{}}
	if v := c.get(ptPrefix + "SerialNumber"); v != "" {
		// "The custom serial number of the certificate. Must be a long
		// integer." RFC 5280 wants it positive.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return nil, invalid(ptPrefix+"SerialNumber", fmt.Sprintf("%q is not a positive long integer", v))
		}
		pt.serial = big.NewInt(n)
	}
	var e *apiError
	if pt.subject, e = passthroughSubject(c); e != nil {
		return nil, e
	}
	if pt.keyUsage, e = passthroughKeyUsage(c); e != nil {
		return nil, e
	}
	if pt.extKeyUsage, e = passthroughExtKeyUsage(c); e != nil {
		return nil, e
	}
	if pt.names, e = passthroughNames(c); e != nil {
		return nil, e
	}
	criticals, e := numberedValues(c, ptPrefix+"Extensions.Criticals")
	if e != nil {
		return nil, e
	}
	for i, name := range criticals {
		canonical, ok := criticalNames[strings.ToLower(name)]
		if !ok {
			return nil, invalid(fmt.Sprintf("%sExtensions.Criticals.%d", ptPrefix, i+1),
				fmt.Sprintf("%q is not keyUsage, extendedKeyUsage or subjectAltName", name))
		}
		pt.critical[canonical] = true
	}
	return pt, nil
}

// passthroughSubject reads ApiPassthrough.Subject, nil when no field of
// it is given.
func passthroughSubject(c *call) (*pkix.Name, *apiError) {
	given := false
	for k := range c.params {
		given = given || strings.HasPrefix(k, ptPrefix+"Subject.")
	}
	if !given {
		return nil, nil
	}
	field := func(name string) []string {
		if v := c.get(ptPrefix + "Subject." + name); v != "" {
			return []string{v}
		}
		return nil
	}
	subject := &pkix.Name{
		CommonName: c.get(ptPrefix + "Subject.CommonName"), Country: field("Country"), Province: field("State"),
		Locality: field("Locality"), Organization: field("Organization"), OrganizationalUnit: field("OrganizationUnit"),
	}
	// "Use the two-letter country code from ISO 3166-1."
	if cc := c.get(ptPrefix + "Subject.Country"); cc != "" && !twoLetterCode.MatchString(cc) {
		return nil, invalid(ptPrefix+"Subject.Country", fmt.Sprintf("%q is not a two-letter upper-case country code", cc))
	}
	prefix := ptPrefix + "Subject.CustomAttributes"
	ns, e := numberedIndexes(c, prefix, "ObjectIdentifier", "Value")
	if e != nil {
		return nil, e
	}
	for _, n := range ns {
		oidName := fmt.Sprintf("%s.%d.ObjectIdentifier", prefix, n)
		text := c.get(oidName)
		if text == "" {
			return nil, missing(oidName)
		}
		oid, ok := parseOID(text)
		if !ok {
			return nil, invalid(oidName, fmt.Sprintf("%q is not an object identifier such as 2.5.4.3", text))
		}
		subject.ExtraNames = append(subject.ExtraNames, pkix.AttributeTypeAndValue{Type: oid, Value: c.get(fmt.Sprintf("%s.%d.Value", prefix, n))})
	}
	return subject, nil
}

// parseOID reads a dotted object identifier.
func parseOID(s string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, false
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strconv.Itoa(n) != p {
			return nil, false
		}
		oid[i] = n
	}
	return oid, oid[0] <= 2 && (oid[0] == 2 || oid[1] < 40)
}

// keyUsageFields are ApiPassthrough.Extensions.KeyUsage's booleans.
// NonRepudiation "has been renamed to ContentCommitment": both set the
// same bit.
var keyUsageFields = []struct {
	name string
	bit  x509.KeyUsage
}{
	{"DigitalSignature", x509.KeyUsageDigitalSignature}, {"ContentCommitment", x509.KeyUsageContentCommitment},
	{"NonRepudiation", x509.KeyUsageContentCommitment}, {"KeyEncipherment", x509.KeyUsageKeyEncipherment},
	{"DataEncipherment", x509.KeyUsageDataEncipherment}, {"KeyAgreement", x509.KeyUsageKeyAgreement},
	{"EncipherOnly", x509.KeyUsageEncipherOnly}, {"DecipherOnly", x509.KeyUsageDecipherOnly},
}

func passthroughKeyUsage(c *call) (x509.KeyUsage, *apiError) {
	var usage x509.KeyUsage
	for _, f := range keyUsageFields {
		name := ptPrefix + "Extensions.KeyUsage." + f.name
		switch v := c.get(name); v {
		case "", "false":
		case "true":
			usage |= f.bit
		default:
			return 0, invalid(name, fmt.Sprintf("%q is not true or false", v))
		}
	}
	return usage, nil
}

func passthroughExtKeyUsage(c *call) ([]extKeyUsage, *apiError) {
	prefix := ptPrefix + "Extensions.ExtendedKeyUsages"
	names, e := numberedValues(c, prefix)
	if e != nil {
		return nil, e
	}
	var usages []extKeyUsage
	for i, name := range names {
		u, ok := extKeyUsageNames[name]
		if !ok {
			return nil, invalid(fmt.Sprintf("%s.%d", prefix, i+1), fmt.Sprintf("%q is not one of %v", name, sortedKeys(extKeyUsageNames)))
		}
		usages = append(usages, u)
	}
	return usages, nil
}

// sanTypeNames are the Types of ApiPassthrough.Extensions.SubjectAlternativeNames:
// "rfc822Name - Email address, dNSName - Domain name,
// uniformResourceIdentifier - Uniform Resource Identifier (URI), iPAddress
// - IP address".
var sanTypeNames = map[string]int64{"rfc822Name": sanEmail, "dNSName": sanDNS, "uniformResourceIdentifier": sanURI, "iPAddress": sanIP}

// passthroughNames reads the subject alternative names, nil when none is
// given. Type "is required".
func passthroughNames(c *call) (*sanSet, *apiError) {
	prefix := ptPrefix + "Extensions.SubjectAlternativeNames"
	ns, e := numberedIndexes(c, prefix, "Type", "Value")
	if e != nil || len(ns) == 0 {
		return nil, e
	}
	names := &sanSet{}
	for _, n := range ns {
		typeName := fmt.Sprintf("%s.%d.Type", prefix, n)
		typ := c.get(typeName)
		if typ == "" {
			return nil, missing(typeName)
		}
		code, ok := sanTypeNames[typ]
		if !ok {
			return nil, invalid(typeName, fmt.Sprintf("%q is not rfc822Name, dNSName, uniformResourceIdentifier or iPAddress", typ))
		}
		valueName := fmt.Sprintf("%s.%d.Value", prefix, n)
		if e := names.add(code, c.get(valueName), valueName); e != nil {
			return nil, e
		}
	}
	return names, nil
}

// criticalNames are the extension names Criticals takes, lower-cased, to
// the fake's canonical ones. The model does not list them ("If an
// extension is critical, its name is included in the criticals list");
// the fake takes the extensions ApiPassthrough sets, by their RFC 5280
// names and by the model's field names.
var criticalNames = map[string]string{
	"keyusage": critKeyUsage, "extendedkeyusage": critExtKeyUsage, "extendedkeyusages": critExtKeyUsage,
	"subjectaltname": critSAN, "subjectalternativename": critSAN, "subjectalternativenames": critSAN,
}

const (
	critKeyUsage    = "keyUsage"
	critExtKeyUsage = "extendedKeyUsage"
	critSAN         = "subjectAltName"
)

var (
	oidExtKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidExtSAN         = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// extensions encodes the key usage, extended key usage and names of a
// custom certificate, each critical exactly when Criticals names it
// (crypto/x509 would make the key usage critical on its own).
func (pt *passthrough) extensions(names sanSet) ([]pkix.Extension, *apiError) {
	var exts []pkix.Extension
	add := func(id asn1.ObjectIdentifier, crit string, value any) error {
		der, err := asn1.Marshal(value)
		if err == nil {
			exts = append(exts, pkix.Extension{Id: id, Critical: pt.critical[crit], Value: der})
		}
		return err
	}
	var err error
	if pt.keyUsage != 0 {
		err = add(oidExtKeyUsage, critKeyUsage, keyUsageBits(pt.keyUsage))
	}
	if len(pt.extKeyUsage) > 0 && err == nil {
		oids := make([]asn1.ObjectIdentifier, len(pt.extKeyUsage))
		for i, u := range pt.extKeyUsage {
			oids[i] = u.oid
		}
		err = add(oidExtExtKeyUsage, critExtKeyUsage, oids)
	}
	if !names.empty() && err == nil {
		err = add(oidExtSAN, critSAN, generalNames(names))
	}
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalError", "encoding the extensions: " + err.Error()}
	}
	return exts, nil
}

// keyUsageBits is the KeyUsage BIT STRING: bit 0 digitalSignature to bit
// 8 decipherOnly, which crypto/x509's KeyUsage numbers the same way, with
// no trailing zero bits.
func keyUsageBits(u x509.KeyUsage) asn1.BitString {
	var b [2]byte
	n := 0
	for i := range 9 {
		if u&(1<<i) != 0 {
			b[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	return asn1.BitString{Bytes: b[:(n+7)/8], BitLength: n}
}

// generalNames is the SubjectAltName GeneralNames: rfc822Name [1],
// dNSName [2], uniformResourceIdentifier [6] and iPAddress [7].
func generalNames(n sanSet) []asn1.RawValue {
	var out []asn1.RawValue
	name := func(tag int, b []byte) {
		out = append(out, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: b})
	}
	for _, e := range n.emails {
		name(1, []byte(e))
	}
	for _, d := range n.dns {
		name(2, []byte(d))
	}
	for _, u := range n.uris {
		name(6, []byte(u.String()))
	}
	for _, ip := range n.ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		name(7, ip)
	}
	return out
}
