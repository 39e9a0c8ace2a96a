package alicerttest

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
)

// Signature V3 (ACS3-HMAC-SHA256): the action, version, time, nonce and the
// body's SHA-256 travel in x-acs-* headers, and the signature in
// "Authorization: ACS3-HMAC-SHA256 Credential=<key id>,SignedHeaders=<names>,Signature=<hex>".
// The operation's parameters may travel in the query or the form body; the
// query is signed as the canonical query string, the body through its hash.

// isV3 reports a request signed with signature V3.
func isV3(h http.Header) bool {
	return strings.HasPrefix(h.Get("Authorization"), signature.V3Algorithm+" ")
}

// routeByHeaders copies a V3 request's action and version from its headers
// into params, where routing, faults and Requests look for them.
func routeByHeaders(params url.Values, h http.Header) {
	if a := h.Get("x-acs-action"); a != "" {
		params.Set("Action", a)
	}
	if v := h.Get("x-acs-version"); v != "" {
		params.Set("Version", v)
	}
}

// v3Authorization is a parsed Authorization header.
type v3Authorization struct {
	keyID         string
	signedHeaders []string
	signature     string
}

func parseV3Authorization(value string) (v3Authorization, *apiError) {
	var a v3Authorization
	rest := strings.TrimPrefix(value, signature.V3Algorithm+" ")
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			a.keyID = v
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.keyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, &apiError{http.StatusBadRequest, "IncompleteSignature",
			"The Authorization header must name Credential, SignedHeaders and Signature."}
	}
	return a, nil
}

// v3Required are the headers every V3 request must carry.
var v3Required = [...]string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}

// authenticateV3 checks a V3 request as the gateway does: the headers, the
// route, the time, the key and token, the body's hash, the signature over
// the canonical request, and the nonce.
func (s *Server) authenticateV3(r *http.Request, params url.Values, body []byte, perr *apiError, now time.Time) (operation, *apiError) {
	if perr != nil {
		return operation{}, perr
	}
	auth, aerr := parseV3Authorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return operation{}, aerr
	}
	for _, name := range v3Required {
		if r.Header.Get(name) == "" {
			return operation{}, missing(name)
		}
	}
	op, ok := s.routes[route{params.Get("Version"), params.Get("Action")}]
	if !ok {
		return operation{}, &apiError{http.StatusBadRequest, "InvalidAction.NotFound",
			fmt.Sprintf("Specified api is not found, please check your url and method. (Action %q, Version %q)",
				params.Get("Action"), params.Get("Version"))}
	}
	if aerr := checkTimestamp(r.Header.Get("x-acs-date"), now); aerr != nil {
		return operation{}, aerr
	}
	s.mu.Lock()
	cred, ok := s.creds[auth.keyID]
	s.mu.Unlock()
	if !ok {
		return operation{}, &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	if r.Header.Get("x-acs-security-token") != cred.token {
		return operation{}, &apiError{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
			"Specified SecurityToken mismatch with the AccessKey."}
	}
	if r.Header.Get("x-acs-content-sha256") != signature.HashPayload(body) {
		return operation{}, &apiError{http.StatusBadRequest, "InvalidParameter",
			"The x-acs-content-sha256 header does not match the request body."}
	}
	headers, aerr := v3SignedHeaders(r, auth.signedHeaders)
	if aerr != nil {
		return operation{}, aerr
	}
	canonical, _ := signature.V3Request{Method: r.Method, CanonicalQuery: v3CanonicalQuery(r.URL.Query()), Headers: headers}.CanonicalRequest()
	sts := signature.V3StringToSign(canonical)
	if want := signature.V3Sign(cred.secret, sts); !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return operation{}, &apiError{http.StatusBadRequest, "SignatureDoesNotMatch",
			"The request signature does not conform to Aliyun standards. server string to sign is:" + sts}
	}
	if aerr := s.useNonce(r.Header.Get("x-acs-signature-nonce")); aerr != nil {
		return operation{}, aerr
	}
	return op, nil
}

// v3SignedHeaders returns the headers a V3 signature names, with the
// request's values. host and every x-acs-* header the request carries must
// be signed, as the gateway requires.
func v3SignedHeaders(r *http.Request, names []string) ([]signature.Header, *apiError) {
	var headers []signature.Header
	for _, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		value := r.Header.Get(name)
		if name == "host" {
			value = r.Host
		}
		headers = append(headers, signature.Header{Name: name, Value: value})
	}
	required := []string{"host"}
	for name := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-acs-") {
			required = append(required, lower)
		}
	}
	for _, name := range required {
		if !slices.ContainsFunc(headers, func(h signature.Header) bool { return h.Name == name }) {
			return nil, &apiError{http.StatusBadRequest, "IncompleteSignature",
				fmt.Sprintf("The header %q must be signed (listed in SignedHeaders).", name)}
		}
	}
	return headers, nil
}

// v3CanonicalQuery is the canonical query string of a V3 request.
func v3CanonicalQuery(q url.Values) string {
	var list []signature.Param
	for k, vs := range q {
		for _, v := range vs {
			list = append(list, signature.Param{Key: k, Value: v})
		}
	}
	signature.Sort(list)
	return string(signature.AppendCanonical(nil, list))
}
