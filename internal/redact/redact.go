// Package redact removes secrets from text that may reach an error message or
// a log line: private key PEM blocks and SecurityToken values, raw or
// percent-encoded once or twice (as they appear in a quoted string-to-sign).
package redact

import (
	"regexp"
	"strings"
)

// Placeholder replaces every secret that is removed.
const Placeholder = "[redacted]"

// tokenKeys are the forms "SecurityToken" takes before its value: plain
// (form or query), percent-encoded once (string-to-sign) and twice.
var tokenKeys = [...]string{"SecurityToken=", "SecurityToken%3D", "SecurityToken%253D", `"SecurityToken":"`}

// Text returns s with private key blocks, security token values and values
// assigned to secret-named keys (secret, token, password) replaced by
// Placeholder.
func Text(s string) string {
	s = privateKeys(s)
	for _, k := range tokenKeys {
		s = valuesAfter(s, k)
	}
	return assignments(s)
}

// A PEM private key reaches text in the forms a request carries it and a
// service or web firewall may echo it: literal (a JSON error quoting it),
// form-encoded ("-----BEGIN+PRIVATE+KEY-----%0A...", a body echoed back),
// percent-encoded ("%20" for a space: an ACS3 query or a string-to-sign)
// and encoded twice ("%2520": a quoted string-to-sign). '-' is never
// encoded, so the dashes find the markers in every form; whatever the
// encoding of the base64 between them, the whole block goes.
const pemSpace = `(?:[ +]|%20|%2520)`

var (
	privateKeyBegin = regexp.MustCompile(`-----BEGIN` + pemSpace + `(?:[A-Z0-9]+` + pemSpace + `)*?PRIVATE` + pemSpace + `KEY-----`)
	pemEnd          = regexp.MustCompile(`-----END` + pemSpace + `[^-]*-----`)
)

// privateKeys replaces each private key block, in any of the forms above,
// up to its END line or the end of s when it is cut short.
func privateKeys(s string) string {
	var b strings.Builder
	for {
		loc := privateKeyBegin.FindStringIndex(s)
		if loc == nil {
			break
		}
		b.WriteString(s[:loc[0]])
		b.WriteString(Placeholder)
		rest := s[loc[1]:]
		end := pemEnd.FindStringIndex(rest)
		if end == nil {
			return b.String()
		}
		s = rest[end[1]:]
	}
	b.WriteString(s)
	return b.String()
}

// valuesAfter replaces the value that follows each occurrence of key, up to
// the next separator ('&', '"', whitespace) or "%26"/"%2526" (an encoded '&').
func valuesAfter(s, key string) string {
	if !strings.Contains(s, key) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, key)
		if i < 0 {
			break
		}
		b.WriteString(s[:i+len(key)])
		b.WriteString(Placeholder)
		s = s[i+len(key):]
		s = s[valueEnd(s):]
	}
	b.WriteString(s)
	return b.String()
}

func valueEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&', '"', ' ', '\n', '\r', '\t', '<', ',':
			return i
		case '%':
			if strings.HasPrefix(s[i:], "%26") || strings.HasPrefix(s[i:], "%2526") {
				return i
			}
		}
	}
	return len(s)
}
