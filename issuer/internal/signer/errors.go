package signer

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/cert-manager/issuer-lib/controllers/signer"
)

// failure is what an error from Alibaba Cloud means for a request or an
// issuer.
type failure int

const (
	// transient: throttling, a 5xx, a network failure, an unusable
	// response, a cancelled call: the same call later may well succeed.
	transient failure = iota
	// credentials: the service refused who we are or what we may do
	// (AccessKey unknown or disabled, signature, RAM permission), or there
	// were no credentials. The issuer's check must run again.
	credentials
	// refused: the service refused the input (a 4xx other than the above),
	// or the client refused it before sending (a ValidationError).
	refused
)

// authCodes are the error code prefixes of the service's refusals of the
// caller rather than of the input: the common error codes of Alibaba
// Cloud's RPC APIs for a bad, disabled or unauthorised AccessKey or
// signature.
var authCodes = []string{
	"InvalidAccessKeyId", "SignatureDoesNotMatch", "IncompleteSignature",
	"InvalidSecurityToken", "Forbidden", "NoPermission", "InvalidTimeStamp",
}

// classify says what err means. An error this package does not recognise
// (from the Kubernetes API, say) counts as transient: it is retried, and
// never fails a request.
func classify(err error) failure {
	var (
		invalid *alicert.ValidationError
		apiErr  *alicert.APIError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &invalid), errors.As(err, new(*alicert.IssuedCertificateError)):
		// Nothing sent, or a certificate signed that SignCSR refused:
		// trying again can only spend quota on the same answer.
		return refused
	case errors.Is(err, alicert.ErrNoCredentials):
		return credentials
	case errors.As(err, &apiErr):
		return classifyAPIError(apiErr)
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return transient
	}
	return transient
}

func classifyAPIError(e *alicert.APIError) failure {
	switch {
	case e.Throttled(), e.StatusCode >= 500, e.StatusCode < 400:
		return transient
	case e.Code == "SignatureNonceUsed":
		// A transport re-sent a request: nothing wrong with us.
		return transient
	case e.StatusCode == 401 || e.StatusCode == 403:
		return credentials
	}
	for _, prefix := range authCodes {
		if strings.HasPrefix(e.Code, prefix) {
			return credentials
		}
	}
	return refused
}

// pending returns issuer-lib's PendingError for err: the request stays
// Pending, with err's message, and is tried again after wait. Transient
// failures are returned this way rather than as plain errors, which
// issuer-lib turns into a permanent failure after MaxRetryDuration: a
// request must never fail for a network outage, however long.
func pending(err error, wait time.Duration) error {
	return signer.PendingError{Err: err, RequeueAfter: wait}
}

// permanent fails the request: only a new CertificateRequest (a new CSR,
// say) can succeed.
func permanent(err error) error { return signer.PermanentError{Err: err} }

// issuerProblem marks the issuer not Ready until its check passes again;
// the request waits for it.
func issuerProblem(err error) error { return signer.IssuerError{Err: err} }

// retryBackoff is how long a request waits after a transient failure:
// a tenth of its age, between 1s and 5m. A request that has just failed is
// tried again soon; one that has been failing for an hour, every few
// minutes. The state is the request's own creation time, so a restart of
// the controller keeps the pace.
func retryBackoff(age time.Duration) time.Duration {
	return min(max(age/10, time.Second), 5*time.Minute)
}
