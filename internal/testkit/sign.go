package testkit

import (
	"net/url"

	"github.com/alicert/alicert/internal/signature"
)

// Canonical returns the canonical query of form, as the service rebuilds
// it to check a signature: every parameter but Signature, sorted and
// RFC 3986-encoded.
func Canonical(form url.Values) string {
	var params []signature.Param
	for k, vs := range form {
		if k == "Signature" {
			continue
		}
		for _, v := range vs {
			params = append(params, signature.Param{Key: k, Value: v})
		}
	}
	signature.Sort(params)
	return string(signature.AppendCanonical(nil, params))
}

// StringToSign is the RPC string-to-sign of form sent with method, as the
// service computes it (and quotes it in SignatureDoesNotMatch).
func StringToSign(method string, form url.Values) string {
	return string(signature.AppendStringToSign(nil, method, []byte(Canonical(form))))
}

// Sign returns the Signature of form sent with method under secret.
func Sign(method string, form url.Values, secret string) string {
	return signature.Sign(secret, []byte(StringToSign(method, form)))
}

// SignatureValid reports whether the Signature of a POST form body was made
// with secret.
func SignatureValid(form url.Values, secret string) bool {
	sig := form.Get("Signature")
	return sig != "" && Sign("POST", form, secret) == sig
}
