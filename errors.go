package alicert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alicert/alicert/internal/redact"
)

// ErrOutcomeUnknown is matched (with errors.Is) by the error of a create or
// upload whose request may have reached the service but whose result is not
// known: a 5xx response, a connection reset or timeout after the request was
// written, or a success response that could not be read. The client does not
// retry such a call, because a second order costs money and quota. Check
// whether the first one took effect (DescribeCertificateState, the console, or
// a list call) before trying again.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// ErrNoCredentials is matched (with errors.Is) by the error of a call made
// without credentials: the provider, the default chain included, gave
// none. Nothing was sent.
var ErrNoCredentials = errors.New("no credentials")

// ErrVerifyFailed is matched (with errors.Is) by the error WaitForCertificate
// returns when the order reaches StateVerifyFail: the CA rejected the domain
// validation or the review. The order cannot be resumed; apply again.
var ErrVerifyFailed = errors.New("certificate order failed verification")

// APIError is returned for every non-2xx response from the service.
//
// When the body is the service's JSON error document, Code, Message,
// RequestID, HostID and Recommend come from it. When it is not (an HTML page
// from a proxy or load balancer, say), Code is empty and Message holds a
// short, printable excerpt of the body.
type APIError struct {
	// Operation is the API action that failed, such as "CreateCsr".
	Operation string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the service's error code, such as "Throttling.User".
	Code string
	// Message is the service's explanation, or an excerpt of a non-JSON body.
	Message string
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string
	// HostID is the endpoint host that answered.
	HostID string
	// Recommend is the service's link to its error diagnosis page.
	Recommend string
}

// Error describes the failure; it never contains a secret.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("alicert: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	b.WriteString("HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// Throttled reports whether the service refused the call for its rate limit
// (the Throttling family of codes). Such calls are retried automatically.
func (e *APIError) Throttled() bool {
	return e.Code == "Throttling" || strings.HasPrefix(e.Code, "Throttling.")
}

// FieldError is one problem with one input field.
type FieldError struct {
	// Field is the input's Go field name, dotted or indexed for nesting:
	// "Domain", "Tags[0].Key", "Subject.Country".
	Field string
	// Problem says what is wrong, in words a user can act on.
	Problem string
}

// String returns "Field: Problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError is returned before anything is sent when an input is
// invalid. It lists every bad field at once, so that they can all be fixed in
// one pass.
type ValidationError struct {
	// Operation is the API action whose input is invalid.
	Operation string
	// Fields lists each problem, in field order.
	Fields []FieldError
}

// Error lists every bad field.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("alicert: ")
	b.WriteString(e.Operation)
	b.WriteString(": invalid input: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// outcomeUnknownError wraps the cause (an *APIError for a 5xx, a transport or
// decoding error otherwise) of a create whose result is unknown. The cause
// names the request id when there is one.
type outcomeUnknownError struct {
	operation string
	hint      string // what may have happened, and how to check
	cause     error
}

func (e *outcomeUnknownError) Error() string {
	return "alicert: " + e.operation + ": outcome unknown: the request may have reached Alibaba Cloud, so " +
		e.hint + "; it was not retried: " + e.cause.Error()
}

func (e *outcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }
func (e *outcomeUnknownError) Unwrap() error        { return e.cause }

// responseError reports a 2xx response whose body could not be used: not
// JSON, truncated, too large, or missing the id the operation returns.
type responseError struct {
	operation  string
	statusCode int
	requestID  string
	problem    string
	cause      error
}

func (e *responseError) Error() string {
	msg := fmt.Sprintf("alicert: %s: unusable response (HTTP %d", e.operation, e.statusCode)
	if e.requestID != "" {
		msg += ", request id " + e.requestID
	}
	msg += "): " + e.problem
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *responseError) Unwrap() error { return e.cause }

// transportError reports a request that got no HTTP response.
type transportError struct {
	operation string
	attempts  int
	cause     error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("alicert: %s: request failed after %d attempt(s): %v", e.operation, e.attempts, e.cause)
}

func (e *transportError) Unwrap() error { return e.cause }

// credentialsError reports that no credentials could be had for a call.
type credentialsError struct {
	operation string
	provider  string
	cause     error
}

func (e *credentialsError) Error() string {
	msg := "alicert: " + e.operation + ": no credentials from the " + e.provider + " provider"
	if e.provider == "default" {
		msg += " (it tries, in order: the ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET" +
			" environment variables, OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN," +
			" ALIBABA_CLOUD_OIDC_TOKEN_FILE), the Alibaba Cloud CLI profile ~/.aliyun/config.json," +
			" the credentials file ~/.alibabacloud/credentials, the ECS instance RAM role," +
			" and ALIBABA_CLOUD_CREDENTIALS_URI)"
	}
	return msg + ": " + redact.Text(e.cause.Error())
}

func (e *credentialsError) Unwrap() error { return e.cause }

func (e *credentialsError) Is(target error) bool { return target == ErrNoCredentials }

// errorf is fmt.Errorf for the errors this package makes by wrapping
// another: the message starts with "alicert: " once, however deep the
// wrapping ("alicert: Deploy: CreateDeploymentJob: HTTP 400 ..." rather
// than "alicert: Deploy: alicert: CreateDeploymentJob: ..."). The wrapped
// errors stay reachable through errors.Is and errors.As.
func errorf(format string, args ...any) error {
	return &wrappedError{err: fmt.Errorf(format, args...)}
}

// wrappedError is an error of errorf.
type wrappedError struct{ err error }

func (e *wrappedError) Error() string { return onePrefix(e.err.Error()) }
func (e *wrappedError) Unwrap() error { return e.err }

// onePrefix drops the "alicert: " of the wrapped errors inside msg.
func onePrefix(msg string) string { return strings.ReplaceAll(msg, ": alicert: ", ": ") }
