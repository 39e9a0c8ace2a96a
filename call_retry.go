package alicert

import (
	"context"
	"math/rand/v2"
	"time"
)

// outcome is what one attempt came to, as far as the client can tell. Every
// attempt is classified into exactly one (see classify in call_response.go);
// decide turns it into what the call does next.
type outcome int

const (
	// outSuccess: a 2xx whose body decoded into the operation's output.
	outSuccess outcome = iota
	// outNotSent: the request never left this machine: the dial, the TLS
	// handshake or a proxy's CONNECT failed before any byte of it was
	// written (seen by httptrace, or a dial *net.OpError from a transport
	// that does not report traces).
	outNotSent
	// outNoResponse: the request was written, at least in part, and no
	// response came (reset, timeout, stream reset).
	outNoResponse
	// outUnreadable: a response came but its body could not be read in
	// full, or its JSON stops short (truncated with or without a
	// Content-Length that revealed it).
	outUnreadable
	// outUnusable: a complete 2xx body that is not the operation's
	// document: not JSON, the wrong shape, too large, or without its id.
	outUnusable
	// outThrottled: the service refused the call for its rate, without
	// acting on it (the Throttling family of codes, whatever the status).
	outThrottled
	// outServerError: a 5xx, or a server-error document inside a 2xx: the
	// service may have acted before it failed.
	outServerError
	// outReplayed: SignatureNonceUsed. Every attempt has a fresh nonce, so
	// an earlier copy of this very request reached the service: something
	// on the way re-sent it, and that copy may have acted.
	outReplayed
	// outRejected: any other error from the service: it did not act.
	outRejected
)

// opKind is an operation's class for the retry rule.
type opKind int

const (
	// opIdempotent can be repeated at will: a second copy does what the
	// first did, or nothing. It names reads (Describe*, Get*, List*), the
	// status updates that set a state and not a change of it, and the
	// deletes whose repeat can only delete the same thing (each says why).
	opIdempotent opKind = iota
	// opCreate must not be repeated once the service may have acted: a
	// second order costs money and quota, a second upload makes a second
	// certificate.
	opCreate
)

// decision is what a call does after an attempt that did not succeed.
type decision struct {
	retry   bool // try again (within the attempt limit and ctx)
	unknown bool // stop: the service may have acted (ErrOutcomeUnknown)
}

// retryRules is the one retry rule: what each outcome means for each class
// of operation. An idempotent one is retried whenever trying again may
// help; a create only when the service provably did not act.
var retryRules = [...][2]decision{
	//                  opIdempotent             opCreate
	outSuccess:     {{}, {}},
	outNotSent:     {{retry: true}, {retry: true}},
	outNoResponse:  {{retry: true}, {unknown: true}},
	outUnreadable:  {{retry: true}, {unknown: true}},
	outUnusable:    {{}, {unknown: true}}, // the same body would come back
	outThrottled:   {{retry: true}, {retry: true}},
	outServerError: {{retry: true}, {unknown: true}},
	outReplayed:    {{retry: true}, {unknown: true}},
	outRejected:    {{}, {}},
}

// mayHaveActed reports an outcome after which the service may have acted:
// the request reached it and no answer said it did not.
func (o outcome) mayHaveActed() bool {
	switch o {
	case outNoResponse, outUnreadable, outUnusable, outServerError, outReplayed:
		return true
	}
	return false
}

// decide returns what to do after an attempt with outcome o.
func decide(kind opKind, o outcome) decision { return retryRules[o][kind] }

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
