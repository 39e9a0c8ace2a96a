package alicert

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzSubjectDN checks the RFC 2253 encoder of Subject: it never panics,
// and what it writes parses back, with the strict parser below, to exactly
// the attributes it was given. The seed corpus (the f.Add calls and
// testdata/fuzz/FuzzSubjectDN) runs with every plain go test.
func FuzzSubjectDN(f *testing.F) {
	f.Add(wireDN.CommonName, wireDN.Country, wireDN.Organization, wireDN.OrganizationalUnit, wireDN.Province, wireDN.Locality)
	f.Add("example.com", "CN", "Example", "IT", "", "")
	f.Add("", "", "", "", "", "")
	f.Add(" ", "  ", "#", "##", " # ", "\\")
	f.Add(`,+"\<>;=#`, "\x00", `\00`, "a\\", `\,`, "\xff\xfe")
	f.Fuzz(func(t *testing.T, cn, c, o, ou, st, l string) {
		s := Subject{CommonName: cn, Country: c, Organization: o, OrganizationalUnit: ou, Province: st, Locality: l}
		dn := s.String()

		var want []dnAttr
		for _, a := range []dnAttr{{"CN", cn}, {"C", c}, {"O", o}, {"OU", ou}, {"ST", st}, {"L", l}} {
			if a.value != "" {
				want = append(want, a)
			}
		}
		got, err := dnParse(dn)
		if err != nil {
			t.Fatalf("Subject%+q encodes as %q, which does not parse: %v", []string{cn, c, o, ou, st, l}, dn, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Subject%+q encodes as %q, which parses back as %+q", []string{cn, c, o, ou, st, l}, dn, got)
		}

		// The wire form is the same string, whatever go-querystring does.
		v := url.Values{}
		if err := s.EncodeValues("Subject", &v); err != nil || v.Get("Subject") != dn || len(v["Subject"]) != 1 {
			t.Fatalf("EncodeValues = %q, %v; want [%q]", v["Subject"], err, dn)
		}
	})
}

// TestDNParse checks the test's own parser, so that the fuzz target's
// verdict can be trusted: it must reject what RFC 2253 does not allow
// unescaped, and undo every escape.
func TestDNParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []dnAttr
	}{
		{"", nil},
		{"CN=a", []dnAttr{{"CN", "a"}}},
		{`CN=a\,b,O=\#x\ `, []dnAttr{{"CN", "a,b"}, {"O", "#x "}}},
		{`CN= a b `, []dnAttr{{"CN", "a b"}}}, // RFC 2253 section 4: spaces around the value are ignored
		{`CN=\  \ `, []dnAttr{{"CN", "   "}}},
		{`CN=\00\41\c3\a9`, []dnAttr{{"CN", "\x00Aé"}}},
		{`CN=,O=x`, []dnAttr{{"CN", ""}, {"O", "x"}}},
	} {
		got, err := dnParse(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("dnParse(%q) = %+q, %v; want %+q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"CN", "=a", "1N=a", "CN=a=b", "CN=a#b", "CN=#616263", `CN="quoted"`, "CN=a;b", "CN=<a>",
		"CN=a+O=b", `CN=a\`, `CN=a\q`, `CN=a\4`, "CN=a,", "CN=a,,O=b", `CN=a"b`,
	} {
		if got, err := dnParse(in); err == nil {
			t.Errorf("dnParse(%q) = %+q, want an error", in, got)
		}
	}
}

// dnAttr is one attribute type and its decoded value.
type dnAttr struct{ typ, value string }

// dnParse is a small, strict parser of the RFC 2253 strings Subject.String
// writes: single-valued RDNs separated by ',', type=value, values with
// backslash escapes (RFC 2253 section 2.4 and RFC 4514: a special
// character, '\', '"', ' ' or two hex digits). Following RFC 2253's grammar
// it rejects '=', '#', ';', '<', '>', '"' and '+' left unescaped in a value,
// and, as section 4 allows, it drops unescaped spaces around a value: an
// encoder that forgets to escape a leading or trailing space is caught.
func dnParse(s string) ([]dnAttr, error) {
	if s == "" {
		return nil, nil
	}
	var attrs []dnAttr
	for i := 0; ; {
		typ, n, err := dnParseType(s[i:])
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %w", i, err)
		}
		i += n
		val, n, err := dnParseValue(s[i:])
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %w", i, err)
		}
		i += n
		attrs = append(attrs, dnAttr{typ, val})
		switch {
		case i == len(s):
			return attrs, nil
		case s[i] == ',' && i+1 < len(s):
			i++
		case s[i] == ',':
			return nil, errors.New("the DN ends with ','")
		default:
			return nil, fmt.Errorf("at byte %d: %q where ',' or the end was expected", i, s[i])
		}
	}
}

// dnParseType reads "TYPE=" and returns TYPE and the bytes used.
func dnParseType(s string) (string, int, error) {
	i := 0
	for i < len(s) && (dnAlpha(s[i]) || i > 0 && (s[i] >= '0' && s[i] <= '9' || s[i] == '-')) {
		i++
	}
	if i == 0 {
		return "", 0, errors.New("no attribute type")
	}
	if i == len(s) || s[i] != '=' {
		return "", 0, fmt.Errorf("no '=' after attribute type %q", s[:i])
	}
	return s[:i], i + 1, nil
}

func dnAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func dnHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// dnParseValue reads one attribute value up to an unescaped ',' or the end,
// and returns it decoded and the bytes used.
func dnParseValue(s string) (string, int, error) {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++ // leading unescaped spaces are not part of the value
	}
	if i < len(s) && s[i] == '#' {
		return "", 0, errors.New("a value starting with an unescaped '#' is the hex form of BER, not a string")
	}
	var b []byte
	kept := 0 // b[:kept] ends with an escaped byte; later spaces may be trailing
	for i < len(s) && s[i] != ',' {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) {
				return "", 0, errors.New("a '\\' ends the value")
			}
			next := s[i+1]
			if hi, ok := dnHex(next); ok {
				lo, ok := byte(0), i+2 < len(s)
				if ok {
					lo, ok = dnHex(s[i+2])
				}
				if !ok {
					return "", 0, fmt.Errorf("'\\%c' starts a hex pair that is not complete", next)
				}
				b = append(b, hi<<4|lo)
				i += 3
			} else if strings.IndexByte(`,=+<>#;\" `, next) >= 0 {
				b = append(b, next)
				i += 2
			} else {
				return "", 0, fmt.Errorf("'\\%c' is not an RFC 2253 escape", next)
			}
			kept = len(b)
		case strings.IndexByte(`=+<>#;"`, c) >= 0:
			return "", 0, fmt.Errorf("unescaped %q inside a value", c)
		default:
			b = append(b, c)
			i++
			if c != ' ' {
				kept = len(b)
			}
		}
	}
	// Trailing unescaped spaces are not part of the value either.
	return string(b[:kept]), i, nil
}
