package alicert

import (
	"context"
	"fmt"
	"time"
)

// The waiting helpers (WaitForCertificate, Obtain) share one configuration
// and one poll loop. Whatever way a helper is configured (WaitOption
// functions, or PollInterval and Progress fields of its input), the two
// settings mean the same thing everywhere:
//
//   - the poll interval is the time between two reads, the first read
//     being at once; zero or less means defaultPollInterval;
//   - progress is called with every state read, synchronously, from the
//     goroutine that called the helper, before the state is acted on.

// defaultPollInterval spaces the reads of the waiting helpers. Issuance
// takes minutes; polling faster only spends the read quota.
const defaultPollInterval = 30 * time.Second

// waiter is the configuration of one wait on values of type T.
type waiter[T any] struct {
	interval time.Duration
	progress func(*T)
}

// wait calls read, the first time at once, and tells progress of each
// value read, until done says the value ends the wait (its error, if any,
// is returned with the value), a read fails, or ctx ends between reads:
// then the error begins with waiting(last value read).
func (w waiter[T]) wait(ctx context.Context, sleep func(context.Context, time.Duration) error,
	read func(context.Context) (*T, error), done func(*T) (bool, error), waiting func(*T) string,
) (*T, error) {
	interval := w.interval
	if interval <= 0 {
		interval = defaultPollInterval
	}
	for {
		out, err := read(ctx)
		if err != nil {
			return nil, err
		}
		if w.progress != nil {
			w.progress(out)
		}
		if stop, err := done(out); stop || err != nil {
			return out, err
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("%s: %w", waiting(out), err)
		}
	}
}

// waitForOrder polls the order in until it is issued (done), fails
// verification (ErrVerifyFailed), or until also says its state ends the
// wait (nil: only issuance and failure do). Its own errors begin with
// prefix, the helper that waits ("alicert", "alicert: Obtain").
func (s *CASService) waitForOrder(ctx context.Context, prefix string, in *DescribeCertificateStateInput,
	w waiter[DescribeCertificateStateOutput], also func(*DescribeCertificateStateOutput) bool,
) (*DescribeCertificateStateOutput, error) {
	c := s.owner()
	if c == nil || c.cfg == nil {
		return nil, noClient(opDescribeCertificateState)
	}
	read := func(ctx context.Context) (*DescribeCertificateStateOutput, error) {
		return s.DescribeCertificateState(ctx, in)
	}
	done := func(out *DescribeCertificateStateOutput) (bool, error) {
		switch {
		case out.State == StateCertificate:
			return true, nil
		case out.State == StateVerifyFail:
			return true, fmt.Errorf("%s: order %d: %w", prefix, in.OrderID, ErrVerifyFailed)
		}
		return also != nil && also(out), nil
	}
	waiting := func(out *DescribeCertificateStateOutput) string {
		return fmt.Sprintf("%s: waiting for order %d (last state %q)", prefix, in.OrderID, out.State)
	}
	return w.wait(ctx, c.cfg.sleep, read, done, waiting)
}

// WaitOption configures WaitForCertificate.
type WaitOption func(*waitConfig)

// waitConfig is what WaitOptions set.
type waitConfig = waiter[DescribeCertificateStateOutput]

// WithPollInterval sets the time between polls (default 30s). A d of zero
// or less keeps the default: polling without a pause would only spend the
// account's read quota and get the calls throttled.
func WithPollInterval(d time.Duration) WaitOption {
	return func(w *waitConfig) {
		if d > 0 {
			w.interval = d
		}
	}
}

// WithProgress calls fn with every state read while waiting, for example to
// print a progress line or the DNS record still missing.
func WithProgress(fn func(*DescribeCertificateStateOutput)) WaitOption {
	return func(w *waitConfig) { w.progress = fn }
}

// WaitForCertificate polls DescribeCertificateState, the first time at once,
// until the order is issued (it returns that output), fails verification (it
// returns that output and an error matching ErrVerifyFailed), a read fails
// after its own retries, or ctx ends (ctx's error). It keeps polling while
// the order is in StateDomainVerify, StateProcess, StatePayed or
// StateUnknown.
func (s *CASService) WaitForCertificate(ctx context.Context, in *DescribeCertificateStateInput, opts ...WaitOption) (*DescribeCertificateStateOutput, error) {
	var w waitConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&w)
		}
	}
	return s.waitForOrder(ctx, "alicert", in, w, nil)
}
