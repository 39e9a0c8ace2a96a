package alicert

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

// retry, or a final error, following the retry rules in the package doc.
func (c *Client) classify(ctx context.Context, op *operation, a attempt, n int, out any) (retry bool, err error) {
	switch {
	case a.err != nil && a.status == 0:
		return c.classifyTransport(ctx, op, a, n)
	case a.err != nil:
		return c.classifyBodyError(ctx, op, a, n)
	case a.failed():
		return classifyAPIError(op, a)
	}
	return decodeSuccess(op, a, out)
}

// classifyTransport handles an attempt that got no response at all.
func (c *Client) classifyTransport(ctx context.Context, op *operation, a attempt, n int) (bool, error) {
	terr := &transportError{operation: op.action, attempts: n, cause: a.err}
	switch {
	case notSent(a.err):
		return ctx.Err() == nil, terr
	case op.kind == opCreate:
		return false, op.unknown(terr)
	default:
		return ctx.Err() == nil, terr
	}
}

// classifyBodyError handles a response whose body could not be read.
func (c *Client) classifyBodyError(ctx context.Context, op *operation, a attempt, n int) (bool, error) {
	if a.failed() {
		// The status classifies an error response (an *APIError, like
		// every non-2xx); the unreadable body only costs the message.
		apiErr := &APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID,
			Message: "unreadable body: " + a.err.Error()}
		return classifyStatus(op, apiErr)
	}
	var err error = &responseError{operation: op.action, statusCode: a.status, requestID: a.requestID,
		problem: "reading the body", cause: a.err}
	readFailed := !errors.Is(a.err, errBodyTooLarge)
	if op.kind == opCreate {
		return false, op.unknown(err)
	}
	return readFailed && ctx.Err() == nil, err
}

// notSent reports whether err proves the request never left: the connection
// was not established (DNS failure, refused, dial timeout). Any other
// transport error may have happened after the request was written.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// classifyAPIError handles a non-2xx response.
func classifyAPIError(op *operation, a attempt) (bool, error) {
	return classifyStatus(op, parseAPIError(op, a))
}

// classifyStatus applies the retry rules to an error from the service:
// throttling is retried for every operation, a 5xx for reads only, and a
// 5xx on a create leaves its outcome unknown.
func classifyStatus(op *operation, apiErr *APIError) (bool, error) {
	switch {
	case apiErr.Throttled():
		return true, apiErr
	case apiErr.StatusCode >= 500 && op.kind == opCreate:
		return false, op.unknown(apiErr)
	case apiErr.StatusCode >= 500:
		return true, apiErr
	default:
		return false, apiErr
	}
}

// backoff returns the wait before attempt n+1: exponential from the base,
// capped, with "equal jitter" (half fixed, half random) so that clients
// throttled together do not retry together.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.retryBase
	for i := 1; i < n && d < c.cfg.retryMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.retryMax)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
