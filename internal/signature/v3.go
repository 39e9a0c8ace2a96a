package signature

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// V3Algorithm names Alibaba Cloud's signature V3, in the string-to-sign and
// the Authorization header.
const V3Algorithm = "ACS3-HMAC-SHA256"

// Header is one HTTP header that a V3 signature covers. Name is lower-case.
type Header struct {
	Name, Value string
}

// V3Request is what a V3 signature covers.
type V3Request struct {
	Method string
	// CanonicalQuery is the canonicalized query string (AppendCanonical of
	// the sorted query parameters), empty when the parameters travel in the
	// body.
	CanonicalQuery string
	// Headers are the signed headers: host, the x-acs-* headers (with
	// x-acs-content-sha256 = HashPayload of the body), and content-type
	// when there is a body. Their order does not matter.
	Headers []Header
}

// HashPayload returns the lower-case hex SHA-256 of a request body, the
// value of x-acs-content-sha256.
func HashPayload(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// CanonicalRequest returns the V3 canonical request: method, "/", the
// canonical query, the canonical headers (lower-case name, trimmed value,
// sorted by name), the signed header names joined by ';', and the payload
// hash taken from the x-acs-content-sha256 header. It also returns the
// signed header names, for the Authorization header.
func (r V3Request) CanonicalRequest() (canonical, signedHeaders string) {
	headers := slices.Clone(r.Headers)
	slices.SortFunc(headers, func(a, b Header) int { return cmp.Compare(a.Name, b.Name) })
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteString("\n/\n")
	b.WriteString(r.CanonicalQuery)
	b.WriteByte('\n')
	names := make([]string, 0, len(headers))
	payloadHash := ""
	for _, h := range headers {
		b.WriteString(h.Name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(h.Value))
		b.WriteByte('\n')
		names = append(names, h.Name)
		if h.Name == "x-acs-content-sha256" {
			payloadHash = h.Value
		}
	}
	signedHeaders = strings.Join(names, ";")
	b.WriteByte('\n')
	b.WriteString(signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String(), signedHeaders
}

// V3StringToSign returns "ACS3-HMAC-SHA256\n" and the hex SHA-256 of the
// canonical request.
func V3StringToSign(canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return V3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// V3Sign returns the lower-case hex HMAC-SHA256 of stringToSign keyed with
// the raw AccessKey secret.
func V3Sign(secret, stringToSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// V3Authorization returns the Authorization header's value.
func V3Authorization(accessKeyID, signedHeaders, signature string) string {
	return V3Algorithm + " Credential=" + accessKeyID + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature
}
