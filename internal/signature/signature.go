// Package signature implements the Alibaba Cloud RPC signature, version 1.0
// (HMAC-SHA1), shared by the client and by the alicerttest fake so that both
// sides of a test agree on one implementation checked against the official
// vectors in testdata/signature-vectors.json.
package signature

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"slices"
)

// Param is one request parameter.
type Param struct {
	Key, Value string
}

const upperHex = "0123456789ABCDEF"

// unreserved reports whether c is left as is by RFC 3986 percent-encoding.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// AppendEncoded appends the RFC 3986 percent-encoding of s to dst: every
// byte outside A-Z a-z 0-9 - _ . ~ becomes %XX with upper-case hex. This is
// what the service expects, and differs from url.QueryEscape for space, '*'
// and '~'.
func AppendEncoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// Encode returns the RFC 3986 percent-encoding of s.
func Encode(s string) string {
	return string(AppendEncoded(make([]byte, 0, len(s)+8), s))
}

// Sort orders params by key, byte-wise, as the canonicalized query requires.
func Sort(params []Param) {
	slices.SortFunc(params, func(a, b Param) int { return cmp.Compare(a.Key, b.Key) })
}

// AppendCanonical appends the canonicalized query of params, which must be
// sorted: each key and value percent-encoded, pairs joined with '&'. The
// result is also a valid application/x-www-form-urlencoded body.
func AppendCanonical(dst []byte, params []Param) []byte {
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = AppendEncoded(dst, p.Key)
		dst = append(dst, '=')
		dst = AppendEncoded(dst, p.Value)
	}
	return dst
}

// AppendStringToSign appends METHOD&%2F&percent-encoded(canonical) to dst.
func AppendStringToSign(dst []byte, method string, canonical []byte) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	return AppendEncoded(dst, string(canonical))
}

// Sign returns the base64 HMAC-SHA1 of stringToSign keyed with secret+"&".
func Sign(secret string, stringToSign []byte) string {
	key := make([]byte, 0, len(secret)+1)
	key = append(append(key, secret...), '&')
	mac := hmac.New(sha1.New, key)
	mac.Write(stringToSign)
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}
