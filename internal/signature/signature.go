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
	"hash"
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
	for i := 0; i < len(s); {
		// Copy each run of unreserved bytes at once: most of a request is.
		j := i
		for j < len(s) && unreserved(s[j]) {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		c := s[j]
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		i = j + 1
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

// SignatureLen is the length of a signature: base64 of an HMAC-SHA1.
const SignatureLen = (sha1.Size + 2) / 3 * 4

// Sign returns the base64 HMAC-SHA1 of stringToSign keyed with secret+"&".
func Sign(secret string, stringToSign []byte) string {
	return string(NewMAC(secret).AppendSignature(make([]byte, 0, SignatureLen), stringToSign))
}

// MAC signs strings-to-sign with one AccessKey secret. Keying an HMAC costs
// several allocations, so a MAC keeps its keyed state and is reset between
// signatures: reuse it for requests signed with the same secret, from one
// goroutine at a time. It holds the secret; never format or log it.
type MAC struct {
	secret string
	h      hash.Hash
	sum    []byte
}

// NewMAC returns a MAC for secret: HMAC-SHA1 keyed with secret+"&".
func NewMAC(secret string) *MAC {
	key := make([]byte, 0, len(secret)+1)
	key = append(append(key, secret...), '&')
	return &MAC{secret: secret, h: hmac.New(sha1.New, key), sum: make([]byte, 0, sha1.Size)}
}

// KeyedWith reports whether m signs with secret.
func (m *MAC) KeyedWith(secret string) bool { return m.secret == secret }

// AppendSignature appends the base64 HMAC-SHA1 of stringToSign to dst.
func (m *MAC) AppendSignature(dst, stringToSign []byte) []byte {
	m.h.Reset()
	m.h.Write(stringToSign)
	m.sum = m.h.Sum(m.sum[:0])
	return base64.StdEncoding.AppendEncode(dst, m.sum)
}
