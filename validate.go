package alicert

import (
	"fmt"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"github.com/alicert/alicert/internal/punycode"
)

// problems collects the FieldErrors of one input.
type problems []FieldError

func (p *problems) add(field, problem string) {
	*p = append(*p, FieldError{Field: field, Problem: problem})
}

// required reports an empty value.
func (p *problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		p.add(field, "is required")
	}
}

// oneOf reports a value outside allowed (an empty value counts as missing).
func oneOf[T ~string](p *problems, field string, value T, allowed ...T) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if value == "" {
		p.add(field, "is required; one of "+strings.Join(names, ", "))
		return
	}
	p.add(field, fmt.Sprintf("%s is not one of %s", quote(string(value)), strings.Join(names, ", ")))
}

// positiveID reports an id that the service cannot have issued.
func (p *problems) positiveID(field string, id int64) {
	if id <= 0 {
		p.add(field, fmt.Sprintf("must be a positive id, got %d", id))
	}
}

// quote quotes s for an error message in ASCII only: a control, invisible
// or look-alike character in an input is shown as an escape, never written
// to the user's terminal as it is.
func quote(s string) string { return strconv.QuoteToASCII(s) }

func isTwoLetters(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isEmailAddress accepts a bare address with a dot in its domain, the form
// the service's contact field takes; a display name is refused.
func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// domainUse says where a domain name is sent, which decides the little that
// differs in what it may hold.
type domainUse int

const (
	// certName is a name a certificate is to hold: Domain, CommonName,
	// SANs. A wildcard is allowed as the whole leftmost label.
	certName domainUse = iota
	// zoneName is a domain hosted in Alibaba Cloud DNS: no wildcard.
	zoneName
	// dnsRecordName is the name of a DNS record: like certName, and its labels
	// may also hold underscores (_dnsauth.example.com).
	dnsRecordName
)

// Limits of a domain name in its dotted text form (RFC 1035).
const (
	maxDomainLength = 253
	maxLabelLength  = 63
)

// reservedTLDs are special-use top-level domains (RFC 2606, 6761, 6762,
// 7686, 9476 and the ICANN "internal" reservation) under which no public CA
// issues a certificate, so an order for one could only fail after it was
// paid for.
var reservedTLDs = map[string]bool{
	"localhost": true, "local": true, "invalid": true, "test": true, "example": true,
	"internal": true, "onion": true, "alt": true, "localdomain": true,
}

// pageNumber reports a negative page number; 0 means the first page.
func (p *problems) pageNumber(field string, n int64) {
	if n < 0 {
		p.add(field, fmt.Sprintf("%d is not a page number; pages start at 1 (0 means 1)", n))
	}
}

// pageSize reports a negative page size, or one over max when max is
// positive (the largest the service documents); 0 means its default.
func (p *problems) pageSize(field string, n, max int64) {
	switch {
	case n < 0:
		p.add(field, fmt.Sprintf("%d is not a page size; give a positive size, or 0 for the default", n))
	case max > 0 && n > max:
		p.add(field, fmt.Sprintf("%d is over the largest page, %d; give 1 to %d, or 0 for the default", n, max, max))
	}
}

// checkDomain reports a domain name that use cannot take; see domainProblem.
func checkDomain(p *problems, field, name string, use domainUse) {
	if problem := domainProblem(name, use); problem != "" {
		p.add(field, problem)
	}
}

// domainProblem says what makes name unfit for use, or returns "" when it
// is fit. This one rule covers every input that names a domain, so that a
// name the CA cannot certify (or the DNS cannot host) is refused before any
// order is bought:
//
//   - ASCII only: an internationalized name must be given in its punycode
//     (xn--) form; control, invisible (zero-width), bidirectional and
//     full-width characters are named by code point, never printed;
//   - at least two labels, of 1 to 63 letters, digits and inner hyphens
//     (and underscores for dnsRecordName), at most 253 characters in all, no
//     empty label and no trailing dot;
//   - not an IP address, not under a reserved top-level domain such as
//     localhost, and no all-numeric top-level label;
//   - a wildcard only as the whole leftmost label (*.example.com), and
//     never for zoneName.
func domainProblem(name string, use domainUse) string {
	if strings.TrimSpace(name) == "" {
		return "is required"
	}
	if problem := domainRuneProblem(name); problem != "" {
		return problem
	}
	// The messages quote name; they are built only for a name that fails,
	// so that checking a good name allocates nothing.
	q := func() string { return quote(name) }
	if looksLikeIP(name) {
		if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
			return q() + " is an IP address; give a domain name such as example.com"
		}
	}
	switch {
	case len(name) > maxDomainLength:
		return fmt.Sprintf("is %d characters long; a domain name has at most %d", len(name), maxDomainLength)
	case strings.ContainsAny(name, ",; \t\r\n/:@?#[]"):
		return q() + " is not a single domain name (no scheme, path, port or list)"
	case strings.HasSuffix(name, "."):
		return q() + " ends with a dot; leave the trailing dot out"
	}
	host := name
	if strings.HasPrefix(name, "*.") {
		if use == zoneName {
			return q() + " is a wildcard; give the domain hosted in Alibaba Cloud DNS, like example.com"
		}
		host = name[2:]
	}
	if strings.Contains(host, "*") {
		return q() + ": a wildcard must be the whole leftmost label, as in *.example.com"
	}
	labels, tld := 0, ""
	for rest := host; ; {
		label, after, more := strings.Cut(rest, ".")
		if problem := labelProblem(label, use); problem != "" {
			return q() + " " + problem
		}
		labels, tld = labels+1, label
		if !more {
			break
		}
		rest = after
	}
	switch {
	case labels < 2:
		return q() + " is a single label; give a full domain name such as example.com"
	case reservedTLDs[strings.ToLower(tld)]:
		return fmt.Sprintf("%s is under the reserved top-level domain %q, for which no public CA issues certificates", q(), strings.ToLower(tld))
	case strings.Trim(tld, "0123456789") == "":
		return q() + " ends in an all-numeric label, which no top-level domain is"
	}
	return ""
}

// looksLikeIP reports a name made only of what an IP address is made of
// (digits, dots, hex letters, colons, brackets), so that a plain domain name
// skips the address parser.
func looksLikeIP(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isDigit(c) || c == '.' || c == ':' || c == '[' || c == ']' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// labelProblem says what is wrong with one label of a name, or "".
func labelProblem(label string, use domainUse) string {
	switch {
	case label == "":
		return "has an empty label (two dots in a row, or a leading dot)"
	case len(label) > maxLabelLength:
		return fmt.Sprintf("has a label of %d characters; at most %d are allowed", len(label), maxLabelLength)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Sprintf("has the label %q, which starts or ends with a hyphen", label)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !isLetter(c) && !isDigit(c) && c != '-' && !(c == '_' && use == dnsRecordName) {
			return fmt.Sprintf("has the label %s; labels hold only letters, digits and inner hyphens", quote(label))
		}
	}
	return ""
}

// domainRuneProblem names the first character of name that no domain name
// can hold, by code point, or returns "".
func domainRuneProblem(name string) string {
	for _, r := range name {
		if r < 0x80 && (r >= 0x20 && r != 0x7f) {
			continue
		}
		cp := fmt.Sprintf("U+%04X", r)
		switch {
		case r < 0x80 || unicode.Is(unicode.Cc, r):
			return "contains " + cp + ", a control character"
		case unicode.Is(unicode.Bidi_Control, r):
			return "contains " + cp + ", an invisible bidirectional-text control that can make a name read as another"
		case isZeroWidth(r) || unicode.Is(unicode.Cf, r):
			return "contains " + cp + ", an invisible zero-width or formatting character"
		case r == 0x3002 || r == 0xFF0E || r == 0xFF61:
			return "contains " + cp + ", a full-width or ideographic full stop; separate labels with the ASCII dot"
		case 0xFF00 <= r && r <= 0xFFEF:
			return "contains " + cp + ", a full-width or half-width form; type the plain ASCII character"
		case unicode.IsSpace(r):
			return "contains " + cp + ", a space character"
		}
		return "contains " + cp + ", which is not ASCII: an internationalized domain name must be given " +
			"in its ASCII form; " + punycodeHint(name)
	}
	return ""
}

// punycodeHint names the punycode form of an internationalized name, when
// every character outside ASCII is a letter, mark or digit (anything else
// is refused as itself first).
func punycodeHint(name string) string {
	for _, r := range name {
		if r >= 0x80 && !unicode.In(r, unicode.L, unicode.M, unicode.N) {
			return "use the punycode form (xn--...)"
		}
	}
	ascii, err := punycode.ToASCII(name)
	if err != nil {
		return "use the punycode form (xn--...)"
	}
	return "use the punycode form " + quote(ascii)
}

// isZeroWidth reports invisible characters of no width.
func isZeroWidth(r rune) bool {
	return 0x200B <= r && r <= 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x180E
}
