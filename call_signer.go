package alicert

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// timestampLayout is the ISO 8601 UTC form the service requires for Timestamp.
const timestampLayout = wire.TimestampLayout

// SignatureAlgorithm selects how a Client signs its requests. Both sign
// every attempt afresh, with a new nonce and time. They differ in where the
// operation's parameters travel:
//
//   - SignatureHMACSHA1 (the default) sends every parameter, the common
//     ones and the Signature included, in the POST form body, and nothing in
//     the URL. This is alicert's own choice: the RPC gateway reads a form
//     body as it reads a query.
//   - SignatureACS3HMACSHA256 sends what the official SDK (darabonba-openapi
//     v2) sends for these RPC APIs: every parameter in the URL's query, an
//     empty body, and the x-acs-* headers. An upload's private key (Key)
//     then travels in the query string; see SECURITY.md.
type SignatureAlgorithm int

const (
	// SignatureHMACSHA1 is the RPC signature, version 1.0: HMAC-SHA1 over
	// the sorted parameters, the common parameters (Action, Version,
	// Timestamp, SignatureNonce, ...) and the Signature itself in the form
	// body. It is the default.
	SignatureHMACSHA1 SignatureAlgorithm = iota
	// SignatureACS3HMACSHA256 is Alibaba Cloud's signature V3, sent as the
	// official SDK sends it: the operation's parameters in the query
	// string, an empty body, and the action, version, time, nonce and the
	// empty body's SHA-256 in x-acs-* headers (with STS credentials also
	// x-acs-accesskey-id and x-acs-security-token), signed with HMAC-SHA256
	// and sent as
	// "Authorization: ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...".
	SignatureACS3HMACSHA256
)

// String returns the algorithm's name as the service spells it.
func (a SignatureAlgorithm) String() string {
	switch a {
	case SignatureHMACSHA1:
		return "HMAC-SHA1"
	case SignatureACS3HMACSHA256:
		return signature.V3Algorithm
	}
	return fmt.Sprintf("SignatureAlgorithm(%d)", int(a))
}

// signer signs one attempt: the RPC HMAC-SHA1 signer and the V3 signer.
type signer interface {
	sign(c *Client, op *operation, ep endpoint, params []signature.Param, cred *providers.Credentials) signedRequest
}

// newSigner returns the signer of an algorithm, or nil for an unknown one.
func newSigner(a SignatureAlgorithm) signer {
	switch a {
	case SignatureHMACSHA1:
		return rpcSigner{}
	case SignatureACS3HMACSHA256:
		return v3Signer{}
	}
	return nil
}

// signedRequest is one attempt's signed form body, or for V3 its query and
// signed headers. A retry builds a new one: the service rejects a reused
// nonce, and a stale time.
type signedRequest struct {
	body         []byte // RPC: canonical query + "&Signature=..."; V3: the form of op.v3Body's parameters, often empty
	query        string // V3: the canonical query of the parameters; RPC: empty
	canonicalLen int    // RPC: body[:canonicalLen] is the canonical query
	sig          [signature.SignatureLen]byte
	v3           *v3Signed // nil for the RPC signature
}

// v3Signed is what a V3 signature adds to a request.
type v3Signed struct {
	headers      []signature.Header // to send, Authorization included
	stringToSign string
	signature    string
}

// signatureParam separates the canonical query from the signature in the body.
const signatureParam = "&Signature="

// stringToSign rebuilds the string-to-sign from the body. Only an error
// (SignatureDoesNotMatch) needs it, so a successful call never copies it.
func (s *signedRequest) stringToSign() string {
	if s.v3 != nil {
		return s.v3.stringToSign
	}
	if s.body == nil {
		return ""
	}
	return string(signature.AppendStringToSign(nil, http.MethodPost, s.body[:s.canonicalLen]))
}

// sentSignature returns the signature sent, to scrub it from error messages
// that echo the request.
func (s *signedRequest) sentSignature() string {
	if s.v3 != nil {
		return s.v3.signature
	}
	if s.body == nil {
		return ""
	}
	return string(s.sig[:])
}

// rpcSigner is the RPC signature, version 1.0 (HMAC-SHA1).
type rpcSigner struct{}

// sign adds the common parameters (fresh nonce and timestamp) to params,
// signs the result with HMAC-SHA1 (signature version 1.0) and returns the
// form body. params is not modified.
func (rpcSigner) sign(c *Client, op *operation, ep endpoint, params []signature.Param, cred *providers.Credentials) signedRequest {
	version := ep.version
	s := c.getScratch()
	defer c.putScratch(s)
	all := append(s.params[:0], params...)
	all = append(all,
		signature.Param{Key: "AccessKeyId", Value: cred.AccessKeyId},
		signature.Param{Key: "Action", Value: op.action},
		signature.Param{Key: "Format", Value: "JSON"},
		signature.Param{Key: "SignatureMethod", Value: "HMAC-SHA1"},
		signature.Param{Key: "SignatureNonce", Value: c.cfg.nonce()},
		signature.Param{Key: "SignatureVersion", Value: "1.0"},
		signature.Param{Key: "Timestamp", Value: c.cfg.now().UTC().Format(timestampLayout)},
		signature.Param{Key: "Version", Value: version},
	)
	if cred.SecurityToken != "" {
		all = append(all, signature.Param{Key: "SecurityToken", Value: cred.SecurityToken})
	}
	signature.Sort(all)
	s.params = all

	// The canonical query and the string-to-sign are built in scratch
	// space; the body, the one buffer that outlives the call (the transport
	// reads it), is then allocated once at its final size.
	s.canonical = signature.AppendCanonical(s.canonical[:0], all)
	s.sts = signature.AppendStringToSign(s.sts[:0], http.MethodPost, s.canonical)
	body := append(make([]byte, 0, len(s.canonical)+len(signatureParam)+3*signature.SignatureLen), s.canonical...)
	if s.mac == nil || !s.mac.KeyedWith(cred.AccessKeySecret) {
		s.mac = signature.NewMAC(cred.AccessKeySecret)
	}
	signed := signedRequest{canonicalLen: len(body)}
	sig := s.mac.AppendSignature(signed.sig[:0], s.sts)
	body = append(body, signatureParam...)
	signed.body = signature.AppendEncoded(body, string(sig))
	return signed
}

// v3Signer is Alibaba Cloud's signature V3 (ACS3-HMAC-SHA256), laid out as
// darabonba-openapi v2 lays out an RPC call (Client.DoRequest, which every
// generated CAS, KMS and Alidns client reaches through CallApi): the
// generated *WithOptions methods put the fields of their request model in
// the query map, so the body is mostly empty and x-acs-content-sha256 is
// the SHA-256 of "". The few a model's client puts in its body map instead
// (operation.v3Body) travel as a form body, url.Values-encoded as darabonba's
// ToForm encodes them, with its content type and hash. The official client
// signs the headers named host, content-type (absent without a body) and
// x-acs-*; with an STS token it adds x-acs-accesskey-id and
// x-acs-security-token.
type v3Signer struct{}

// emptyPayloadHash is the SHA-256 of the empty body, as lower-case hex.
var emptyPayloadHash = signature.HashPayload(nil)

// sign returns the canonical query of params, the form body of those
// op.v3Body names, and the signed headers.
func (v3Signer) sign(c *Client, op *operation, ep endpoint, params []signature.Param, cred *providers.Credentials) signedRequest {
	inQuery, body := splitV3Body(params, op.v3Body)
	signature.Sort(inQuery)
	query := string(signature.AppendCanonical(nil, inQuery))
	payloadHash := emptyPayloadHash
	headers := []signature.Header{
		{Name: "host", Value: ep.host},
		{Name: "x-acs-action", Value: op.action},
		{Name: "x-acs-version", Value: ep.version},
		{Name: "x-acs-date", Value: c.cfg.now().UTC().Format(timestampLayout)},
		{Name: "x-acs-signature-nonce", Value: c.cfg.nonce()},
	}
	if body != nil {
		payloadHash = signature.HashPayload(body)
		headers = append(headers, signature.Header{Name: "content-type", Value: formContentType})
	}
	headers = append(headers, signature.Header{Name: "x-acs-content-sha256", Value: payloadHash})
	if cred.SecurityToken != "" {
		headers = append(headers,
			signature.Header{Name: "x-acs-accesskey-id", Value: cred.AccessKeyId},
			signature.Header{Name: "x-acs-security-token", Value: cred.SecurityToken})
	}
	canonical, signedHeaders := signature.V3Request{Method: http.MethodPost, CanonicalQuery: query, Headers: headers}.CanonicalRequest()
	sts := signature.V3StringToSign(canonical)
	sig := signature.V3Sign(cred.AccessKeySecret, sts)
	headers = append(headers, signature.Header{Name: "authorization",
		Value: signature.V3Authorization(cred.AccessKeyId, signedHeaders, sig)})
	return signedRequest{query: query, body: body, v3: &v3Signed{headers: headers, stringToSign: sts, signature: sig}}
}

// splitV3Body returns a copy of params without those named in bodyNames,
// and those as a form body (nil when there are none), encoded as
// url.Values encodes: sorted by name, '+' for a space.
func splitV3Body(params []signature.Param, bodyNames []string) (query []signature.Param, body []byte) {
	query = make([]signature.Param, 0, len(params))
	var form url.Values
	for _, p := range params {
		if !slices.Contains(bodyNames, p.Key) {
			query = append(query, p)
			continue
		}
		if form == nil {
			form = url.Values{}
		}
		form.Add(p.Key, p.Value)
	}
	if form != nil {
		body = []byte(form.Encode())
	}
	return query, body
}

// formContentType is the type of the HMAC-SHA1 signer's body.
const formContentType = "application/x-www-form-urlencoded"

// signScratch is the working space of one signing, reused through the
// Client's pool: the sorted parameters, the string-to-sign, and the HMAC
// keyed with the secret it last signed with (keying costs more than
// signing). A new secret, say from a refreshed STS credential, re-keys it.
type signScratch struct {
	params    []signature.Param
	canonical []byte
	sts       []byte
	mac       *signature.MAC
}

// maxScratchBytes bounds the string-to-sign buffer the pool keeps, so that
// one large upload does not pin its buffer.
const maxScratchBytes = 64 << 10

func (c *Client) getScratch() *signScratch {
	if s, ok := c.signing.Get().(*signScratch); ok {
		return s
	}
	return new(signScratch)
}

func (c *Client) putScratch(s *signScratch) {
	if cap(s.sts) > maxScratchBytes {
		return
	}
	// Keep no parameter (the security token is one) beyond the call.
	clear(s.params)
	clear(s.canonical)
	clear(s.sts)
	s.params, s.canonical, s.sts = s.params[:0], s.canonical[:0], s.sts[:0]
	c.signing.Put(s)
}

// newNonce returns 128 random bits in hex. crypto/rand never fails on the
// platforms Go supports (it panics rather than return an error since Go 1.24).
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// nowUTC is the default clock.
func nowUTC() time.Time { return time.Now().UTC() }
