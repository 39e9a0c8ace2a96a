package testkit

import (
	"errors"
	"fmt"
	"strings"
)

// Attr is one attribute type and its decoded value.
type Attr struct{ Type, Value string }

// ParseDN is a small, strict parser of the RFC 2253 strings Subject.String
// writes: single-valued RDNs separated by ',', type=value, values with
// backslash escapes (RFC 2253 section 2.4 and RFC 4514: a special
// character, '\', '"', ' ' or two hex digits). Following RFC 2253's grammar
// it rejects '=', '#', ';', '<', '>', '"' and '+' left unescaped in a value,
// and, as section 4 allows, it drops unescaped spaces around a value: an
// encoder that forgets to escape a leading or trailing space is caught.
func ParseDN(s string) ([]Attr, error) {
	if s == "" {
		return nil, nil
	}
	var attrs []Attr
	for i := 0; ; {
		typ, n, err := parseType(s[i:])
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %w", i, err)
		}
		i += n
		val, n, err := parseValue(s[i:])
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %w", i, err)
		}
		i += n
		attrs = append(attrs, Attr{typ, val})
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

// parseType reads "TYPE=" and returns TYPE and the bytes used.
func parseType(s string) (string, int, error) {
	i := 0
	for i < len(s) && (isAlpha(s[i]) || i > 0 && (s[i] >= '0' && s[i] <= '9' || s[i] == '-')) {
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

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func hexValue(c byte) (byte, bool) {
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

// parseValue reads one attribute value up to an unescaped ',' or the end,
// and returns it decoded and the bytes used.
func parseValue(s string) (string, int, error) {
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
			if hi, ok := hexValue(next); ok {
				lo, ok := byte(0), i+2 < len(s)
				if ok {
					lo, ok = hexValue(s[i+2])
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
