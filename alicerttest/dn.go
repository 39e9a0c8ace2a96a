package alicerttest

import (
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// dnAttribute is one type=value pair of a distinguished name.
type dnAttribute struct {
	typ, value string
}

// parseDN parses an RFC 2253 distinguished name such as
// "CN=example.com,OU=IT,O=Example\, Inc.,C=CN". It undoes the escapes of
// section 2.4 (a backslash before one of ,+"\<>;#= or space, or before two
// hex digits such as \00), splits relative names on unescaped ',' or ';'
// and multi-valued ones on '+', and ignores unescaped spaces around types
// and values. A value in the #hex (BER) form is not supported.
func parseDN(s string) ([]dnAttribute, error) {
	var attrs []dnAttribute
	i := 0
	for {
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("%q has no '='", s[i:])
		}
		typ := strings.TrimSpace(s[i : i+eq])
		if typ == "" || strings.ContainsAny(typ, `,+;"\<>`) {
			return nil, fmt.Errorf("%q is not an attribute type", typ)
		}
		value, next, err := parseDNValue(s, i+eq+1)
		if err != nil {
			return nil, fmt.Errorf("the value of %s: %w", typ, err)
		}
		attrs = append(attrs, dnAttribute{typ: typ, value: value})
		if next >= len(s) {
			return attrs, nil
		}
		i = next + 1 // past the separator
	}
}

// parseDNValue reads an attribute value starting at s[i] and returns it
// with the index of the separator that ends it (len(s) at the end).
func parseDNValue(s string, i int) (string, int, error) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '#' {
		return "", 0, errors.New("the #hex (BER) form is not supported")
	}
	var b []byte
	keep := 0 // b[:keep] ends with the last escaped or non-space byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',' || c == ';' || c == '+':
			return finishDNValue(b[:keep], i)
		case c == '"' || c == '<' || c == '>':
			return "", 0, fmt.Errorf("%q must be escaped", c)
		case c == '\\':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
				i += 2
			} else if i+1 < len(s) && strings.IndexByte(`,+"\<>;#= `, s[i+1]) >= 0 {
				b = append(b, s[i+1])
				i++
			} else {
				return "", 0, errors.New("a backslash must be followed by a special character or two hex digits")
			}
			keep = len(b)
		default:
			b = append(b, c)
			if c != ' ' {
				keep = len(b)
			}
		}
	}
	return finishDNValue(b[:keep], len(s))
}

func finishDNValue(b []byte, next int) (string, int, error) {
	if !utf8.Valid(b) {
		return "", 0, errors.New("the value is not UTF-8")
	}
	return string(b), next, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// kmsSubject turns the Subject of KMS CreateCertificate into a name: CN, C,
// O and OU are required, ST and L optional, nothing else allowed.
func kmsSubject(dn string) (pkix.Name, error) {
	attrs, err := parseDN(dn)
	if err != nil {
		return pkix.Name{}, err
	}
	var name pkix.Name
	for _, a := range attrs {
		if a.value == "" {
			return pkix.Name{}, fmt.Errorf("%s is empty", a.typ)
		}
		switch strings.ToUpper(a.typ) {
		case "CN":
			if name.CommonName != "" {
				return pkix.Name{}, errors.New("the attribute CN is given more than once")
			}
			name.CommonName = a.value
		case "C":
			if !isTwoLetters(a.value) {
				return pkix.Name{}, fmt.Errorf("the country %q is not a two-letter ISO 3166-1 code", a.value)
			}
			name.Country = append(name.Country, a.value)
		case "O":
			name.Organization = append(name.Organization, a.value)
		case "OU":
			name.OrganizationalUnit = append(name.OrganizationalUnit, a.value)
		case "ST":
			name.Province = append(name.Province, a.value)
		case "L":
			name.Locality = append(name.Locality, a.value)
		default:
			return pkix.Name{}, fmt.Errorf("the attribute type %q is not one of CN, C, O, OU, ST, L", a.typ)
		}
	}
	for _, req := range []struct {
		typ     string
		present bool
	}{
		{"CN", name.CommonName != ""}, {"C", len(name.Country) > 0},
		{"O", len(name.Organization) > 0}, {"OU", len(name.OrganizationalUnit) > 0},
	} {
		if !req.present {
			return pkix.Name{}, fmt.Errorf("the required attribute %s is missing", req.typ)
		}
	}
	return name, nil
}
