package alicert

import (
	"crypto/rand"
	"encoding/hex"
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
	stringToSign string // kept to explain a SignatureDoesNotMatch error
	signature    string // kept to scrub it from error messages that echo the request
}

// sign adds the common parameters (fresh nonce and timestamp) to params,
// signs the result with HMAC-SHA1 (signature version 1.0) and returns the
// form body. params is not modified.
func (c *Client) sign(action, version string, params []signature.Param, cred *providers.Credentials) signedRequest {
	all := make([]signature.Param, 0, len(params)+10)
	all = append(all, params...)
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

	body := signature.AppendCanonical(make([]byte, 0, 512), all)
	sts := signature.AppendStringToSign(make([]byte, 0, len(body)*5/4+16), "POST", body)
	sig := signature.Sign(cred.AccessKeySecret, sts)
	body = append(body, "&Signature="...)
	body = signature.AppendEncoded(body, sig)
	return signedRequest{body: body, stringToSign: string(sts), signature: sig}
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
