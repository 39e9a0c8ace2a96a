package alicert

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// timestampLayout is the ISO 8601 UTC form the service requires for Timestamp.
const timestampLayout = "2006-01-02T15:04:05Z"

// signedRequest is one attempt's signed form body. A retry builds a new one:
// the service rejects a reused SignatureNonce, and a stale Timestamp.
type signedRequest struct {
	body         []byte // canonical query + "&Signature=...", sent as the POST body
	canonicalLen int    // body[:canonicalLen] is the canonical query
	sig          [signature.SignatureLen]byte
}

// signatureParam separates the canonical query from the signature in the body.
const signatureParam = "&Signature="

// stringToSign rebuilds the string-to-sign from the body. Only an error
// (SignatureDoesNotMatch) needs it, so a successful call never copies it.
func (s *signedRequest) stringToSign() string {
	if s.body == nil {
		return ""
	}
	return string(signature.AppendStringToSign(nil, http.MethodPost, s.body[:s.canonicalLen]))
}

// sentSignature returns the signature sent, to scrub it from error messages
// that echo the request.
func (s *signedRequest) sentSignature() string {
	if s.body == nil {
		return ""
	}
	return string(s.sig[:])
}

// sign adds the common parameters (fresh nonce and timestamp) to params,
// signs the result with HMAC-SHA1 (signature version 1.0) and returns the
// form body. params is not modified.
func (c *Client) sign(action, version string, params []signature.Param, cred *providers.Credentials) signedRequest {
	s := c.getScratch()
	defer c.putScratch(s)
	all := append(s.params[:0], params...)
	all = append(all,
		signature.Param{Key: "AccessKeyId", Value: cred.AccessKeyId},
		signature.Param{Key: "Action", Value: action},
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
