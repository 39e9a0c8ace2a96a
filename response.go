package alicert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/alicert/alicert/internal/redact"
	"github.com/alicert/alicert/internal/signature"
)

// errorDocument is the service's JSON error body.
type errorDocument struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

func parseAPIError(op *operation, a attempt) *APIError {
	e := &APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID}
	sig := a.signed.sentSignature()
	var doc errorDocument
	if json.Unmarshal(a.body, &doc) == nil && doc.Code != "" {
		e.Code, e.HostID, e.Recommend = doc.Code, doc.HostID, doc.Recommend
		e.Message = scrubMessage(doc.Message, a.token, sig)
		if doc.RequestID != "" {
			e.RequestID = doc.RequestID
		}
		if e.Code == "SignatureDoesNotMatch" {
			// Compare with our string-to-sign scrubbed the same way as theirs.
			e.Message += explainSignature(e.Message, scrubMessage(a.signed.stringToSign(), a.token, sig))
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

// explainSignature says which side of a SignatureDoesNotMatch is likely
// wrong, from the string-to-sign the service quotes in msg and ours.
func explainSignature(msg, ourSTS string) string {
	switch theirs := serverStringToSign(msg); {
	case theirs == "":
		return " [alicert: check the AccessKey secret]"
	case theirs == ourSTS:
		return " [alicert: the service computed the same string-to-sign as this client, so the AccessKey secret is most likely wrong]"
	default:
		return " [alicert: the service's string-to-sign differs from this client's, so the request was changed on the way (a proxy?) or the endpoint is not an RPC endpoint]"
	}
}

// explain adds what the client knows about a few other error codes.
func explain(code string) string {
	switch code {
	case "InvalidTimeStamp.Expired":
		return " [alicert: the request Timestamp is outside the service's 15-minute window; check this machine's clock (NTP)]"
	case "SignatureNonceUsed":
		return " [alicert: every attempt uses a fresh random nonce, so a replay on the way is likely]"
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
		if r < 0x20 || r == 0x7f || r == '\uFFFD' || r == ' ' {
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
func decodeSuccess(op *operation, a attempt, out any) (retry bool, err error) {
	if apiErr := errorIn2xx(op, a); apiErr != nil {
		return classifyStatus(op, apiErr)
	}
	var problem string
	var cause error
	if body := bytes.TrimLeft(a.body, " \t\r\n"); len(body) == 0 || body[0] != '{' {
		// json.Unmarshal accepts "null" and leaves out as it was: a zero
		// value must not pass for a success.
		problem = "the body is not a JSON object"
	} else if err := json.Unmarshal(a.body, out); err != nil {
		problem, cause = "the body is not the expected JSON", jsonProblem(err)
	} else if c, ok := out.(idChecker); ok {
		problem = c.missingID()
	}
	if problem == "" {
		return false, nil
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = scanRequestID(a.body)
	}
	err = &responseError{operation: op.action, statusCode: a.status, requestID: requestID, problem: problem, cause: cause}
	if op.kind == opCreate {
		err = op.unknown(err)
	}
	return false, err
}

// errorIn2xx returns the service error a 2xx body may carry (a gateway can
// answer throttling with 200), or nil. The cheap byte check keeps the second
// decoding off the path of ordinary successes.
func errorIn2xx(op *operation, a attempt) *APIError {
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
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON is truncated")
	}
	return errors.New("invalid JSON")
}
