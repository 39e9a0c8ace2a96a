// Package redact removes secrets from text that may reach an error message or
// a log line: private key PEM blocks and SecurityToken values, raw or
// percent-encoded once or twice (as they appear in a quoted string-to-sign).
package redact

import "strings"

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

// privateKeys replaces each "-----BEGIN ... PRIVATE KEY-----" block, up to its
// END line or the end of s when it is cut short.
func privateKeys(s string) string {
	const begin = "-----BEGIN "
	var b strings.Builder
	for {
		i := strings.Index(s, begin)
		if i < 0 {
			break
		}
		head := s[i:]
		lineEnd := strings.Index(head[len(begin):], "-----")
		if lineEnd < 0 || !strings.HasSuffix(head[:len(begin)+lineEnd], "PRIVATE KEY") {
			b.WriteString(s[:i+len(begin)])
			s = s[i+len(begin):]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(Placeholder)
		rest := head[len(begin)+lineEnd+5:]
		end := strings.Index(rest, "-----END ")
		if end < 0 {
			return b.String()
		}
		rest = rest[end+len("-----END "):]
		if close := strings.Index(rest, "-----"); close >= 0 {
			rest = rest[close+5:]
		} else {
			rest = ""
		}
		s = rest
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
