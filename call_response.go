package alicert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alicert/alicert/internal/redact"
	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// classify turns one attempt into its outcome and, unless it succeeded, the
// error that describes it. A 2xx is decoded into out.
func classify(op *operation, a *attempt, out any) (outcome, error) {
	switch {
	case a.err != nil && a.status == 0:
		terr := &transportError{operation: op.action, attempts: a.n, cause: a.err}
		if a.wire.sent(a.err) {
			return outNoResponse, terr
		}
		return outNotSent, terr
	case a.err != nil && a.failed():
		// The status classifies an error response (an *APIError, like
		// every non-2xx); the unreadable body only costs the message.
		return classifyAPIError(&APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID,
			Message: "unreadable body: " + a.err.Error()})
	case a.err != nil:
		err := &responseError{operation: op.action, statusCode: a.status, requestID: a.requestID,
			problem: "reading the body", cause: a.err}
		if errors.Is(a.err, errBodyTooLarge) {
			return outUnusable, err
		}
		return outUnreadable, err
	case a.failed():
		return classifyAPIError(parseAPIError(op, a))
	}
	return decodeSuccess(op, a, out)
}

// classifyAPIError gives the outcome of an error the service returned.
func classifyAPIError(e *APIError) (outcome, error) {
	switch {
	case e.Throttled():
		return outThrottled, e
	case e.Code == codeNonceUsed:
		return outReplayed, e
	case e.StatusCode >= 500 || isServerErrorCode(e.Code):
		return outServerError, e
	default:
		return outRejected, e
	}
}

// codeNonceUsed is the service's answer to a request whose SignatureNonce it
// has seen before.
const codeNonceUsed = "SignatureNonceUsed"

// isServerErrorCode reports the codes of the service's own failures, which
// it normally sends with a 5xx status: in a 2xx they still mean that the
// service may have acted before it failed.
func isServerErrorCode(code string) bool {
	for _, prefix := range [...]string{"InternalError", "ServiceUnavailable", "UnknownError", "ServerBusy", "SystemError", "ServiceTimeout"} {
		if code == prefix || strings.HasPrefix(code, prefix+".") {
			return true
		}
	}
	return false
}

// errorDocument is the service's JSON error body.
type errorDocument = wire.ErrorDocument

// parseAPIError builds the *APIError of an error response. Everything taken
// from the body is scrubbed of the attempt's secrets and of characters a
// terminal would interpret.
func parseAPIError(op *operation, a *attempt) *APIError {
	e := &APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID}
	sig := a.signed.sentSignature()
	var doc errorDocument
	if json.Unmarshal(a.body, &doc) == nil && doc.Code != "" {
		e.Code, e.HostID, e.Recommend = printable(doc.Code), printable(doc.HostID), printable(doc.Recommend)
		e.Message = printable(scrubMessage(doc.Message, a.token, sig))
		if id := printable(doc.RequestID); id != "" {
			e.RequestID = id
		}
		if e.Code == "SignatureDoesNotMatch" {
			e.Message = explainSignature(doc.Message, a.signed.stringToSign())
		} else {
			e.Message += explain(e.Code)
		}
		return e
	}
	// A proxy's error page may echo the request, token and signature
	// included; excerpt scrubs what it keeps.
	e.Message = excerpt(a.body, func(s string) string { return scrubMessage(s, a.token, sig) })
	return e
}

// scrubMessage removes the attempt's secrets (security token, signature),
// raw or percent-encoded once or twice, and any private key from a service
// message: SignatureDoesNotMatch quotes the whole string-to-sign, and an
// error page may echo the request body.
func scrubMessage(msg string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		enc := signature.Encode(secret)
		for _, s := range []string{signature.Encode(enc), enc, url.QueryEscape(secret), secret} {
			msg = strings.ReplaceAll(msg, s, redact.Placeholder)
		}
	}
	return redact.Text(msg)
}

// explainSignature rewrites a SignatureDoesNotMatch message. The service
// quotes its whole string-to-sign, which holds every parameter (the
// applicant's name, phone and email, a certificate): the quote is dropped,
// and only the diagnosis its comparison with this client's string-to-sign
// gives is kept.
func explainSignature(msg, ourSTS string) string {
	theirs := serverStringToSign(msg)
	kept := msg
	if theirs != "" {
		kept = strings.TrimSpace(msg[:strings.LastIndex(msg, theirs)]) + " [quoted string-to-sign omitted]"
	}
	kept = printable(scrubMessage(kept))
	switch {
	case theirs == "":
		return kept + " [alicert: check the AccessKey secret]"
	case theirs == ourSTS:
		return kept + " [alicert: the service computed the same string-to-sign as this client, so the AccessKey secret is most likely wrong]"
	default:
		return kept + " [alicert: the service's string-to-sign differs from this client's, so the request was changed on the way (a proxy?) or the endpoint is not an RPC endpoint]"
	}
}

// explain adds what the client knows about a few other error codes.
func explain(code string) string {
	switch code {
	case "InvalidTimeStamp.Expired":
		return " [alicert: the request Timestamp is outside the service's 15-minute window; check this machine's clock (NTP)]"
	case codeNonceUsed:
		return " [alicert: every attempt uses a fresh random nonce, so an earlier copy of this request reached the service (re-sent on the way)]"
	}
	return ""
}

// serverStringToSign extracts the string-to-sign quoted in a
// SignatureDoesNotMatch message ("... server string to sign is:POST&%2F&...").
func serverStringToSign(msg string) string {
	i := strings.LastIndex(msg, ":")
	if i < 0 {
		return ""
	}
	s := strings.TrimSpace(msg[i+1:])
	if !strings.Contains(s, "&%2F&") {
		return ""
	}
	return s
}

// excerpt returns a short, printable excerpt of a non-JSON body, with the
// part it keeps passed through scrub.
func excerpt(body []byte, scrub func(string) string) string {
	const limit = 200
	s := scrub(string(body[:min(len(body), 4*limit)]))
	var b strings.Builder
	space := false
	for _, r := range s {
		if b.Len() >= limit {
			b.WriteString("...")
			break
		}
		if unprintable(r) || r == ' ' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "empty or unreadable body"
	}
	return b.String()
}

// scanRequestID finds "RequestId":"..." in a body that does not decode.
func scanRequestID(body []byte) string {
	const key = `"RequestId"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 || end > 128 {
		return ""
	}
	id := string(rest[1 : 1+end])
	for _, r := range id {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return ""
		}
	}
	return id
}

// decodeSuccess decodes a 2xx body into out. For a create, a body that does
// not decode, or lacks the id, leaves the outcome unknown. A 2xx that carries
// the service's error document is classified as that error.
func decodeSuccess(op *operation, a *attempt, out any) (outcome, error) {
	if apiErr := errorIn2xx(op, a); apiErr != nil {
		return classifyAPIError(apiErr)
	}
	result, problem := outUnusable, ""
	var cause error
	if body := bytes.TrimLeft(a.body, " \t\r\n"); len(body) == 0 || body[0] != '{' {
		// json.Unmarshal accepts "null" and leaves out as it was: a zero
		// value must not pass for a success.
		problem = "the body is not a JSON object"
	} else if err := json.Unmarshal(a.body, out); err != nil {
		problem, cause = "the body is not the expected JSON", jsonProblem(err)
		if truncatedJSON(err) {
			// The connection ended early without a Content-Length to show
			// it: unreadable, as a short read would have been.
			result = outUnreadable
		}
	} else if c, ok := out.(idChecker); ok {
		problem = c.missingID()
	}
	if problem == "" {
		return outSuccess, nil
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = scanRequestID(a.body)
	}
	return result, &responseError{operation: op.action, statusCode: a.status, requestID: requestID, problem: problem, cause: cause}
}

// truncatedJSON reports a decoding error that says the document stops
// short.
func truncatedJSON(err error) bool {
	var syn *json.SyntaxError
	return errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input")
}

// errorIn2xx returns the service error a 2xx body may carry (a gateway can
// answer throttling with 200), or nil. The cheap byte check keeps the second
// decoding off the path of ordinary successes.
func errorIn2xx(op *operation, a *attempt) *APIError {
	if !bytes.Contains(a.body, []byte(`"Code"`)) {
		return nil
	}
	var doc errorDocument
	if json.Unmarshal(a.body, &doc) != nil || doc.Code == "" || doc.Message == "" {
		return nil
	}
	switch strings.ToLower(doc.Code) {
	case "ok", "success", "200": // some APIs report success this way
		return nil
	}
	return parseAPIError(op, a)
}

// jsonProblem keeps what a JSON error says about the shape of the body,
// never the body's content (a 2xx body may hold a private key).
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %s: a JSON %s does not fit %s", typ.Field, typ.Value, typ.Type)
	case truncatedJSON(err):
		return errors.New("the JSON is truncated")
	}
	return errors.New("invalid JSON")
}

// printable returns s without the characters a terminal or log viewer
// interprets rather than shows: C0 and C1 controls (a newline becomes a
// space), and Unicode format characters such as bidi overrides and
// zero-width spaces. The service's messages reach users' terminals.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if unprintable(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unprintable(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unprintable(r rune) bool {
	return r < 0x20 || 0x7f <= r && r < 0xa0 || r == utf8.RuneError || unicode.Is(unicode.Cf, r)
}
