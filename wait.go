package alicert

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// The waiting helpers (WaitForCertificate, Obtain, Deploy) share one configuration
// and one poll loop. Whatever way a helper is configured (WaitOption
// functions, or PollInterval and Progress fields of its input), the two
// settings mean the same thing everywhere:
//
//   - the poll interval, when positive, is the fixed pause between two
//     reads. Zero or less means the adaptive schedule: pauses of about
//     2s, 4s, 8s, 16s, then 30s, each varied at random by up to 20% (and
//     never above 30s), so that an order issued in seconds is noticed in
//     seconds, one issued in an hour costs no more reads than polling
//     every 30s, and many waits started together do not read together;
//   - progress is called with every state read, synchronously, from the
//     goroutine that called the helper, before the state is acted on.
//
// The first read is at once, except where the state was just read (Obtain,
// once it has presented the challenge): then it comes after the first
// pause, since a read at once would only see the state again.

// The adaptive schedule: issuance takes from seconds to hours, so the
// pauses start short and double up to a cap. Polling faster than the cap
// for long would only spend the read quota.
const (
	firstPollPause = 2 * time.Second
	maxPollPause   = 30 * time.Second
)

// waiter is the configuration of one wait on values of type T.
type waiter[T any] struct {
	interval time.Duration // fixed pause between reads; zero or less: adaptive
	progress func(*T)
	// pauseFirst makes the first read wait one pause.
	pauseFirst bool
	// jitter varies one pause of the adaptive schedule; nil means at
	// random by up to 20%. Tests fix it.
	jitter func(time.Duration) time.Duration
}

// pollSchedule gives the pauses of one wait.
type pollSchedule struct {
	fixed  time.Duration
	step   time.Duration // the adaptive schedule's next pause before jitter
	jitter func(time.Duration) time.Duration
}

func (w waiter[T]) schedule() *pollSchedule {
	s := &pollSchedule{fixed: w.interval, step: firstPollPause, jitter: w.jitter}
	if s.jitter == nil {
		s.jitter = jitter20
	}
	return s
}

// next returns the pause before the next read: the fixed interval, or the
// adaptive schedule's next step, varied, at most maxPollPause.
func (s *pollSchedule) next() time.Duration {
	if s.fixed > 0 {
		return s.fixed
	}
	d := s.step
	s.step = min(2*s.step, maxPollPause)
	return min(s.jitter(d), maxPollPause)
}

// jitter20 returns d varied at random by up to 20% either way.
func jitter20(d time.Duration) time.Duration { return vary20(d, rand.N[time.Duration]) }

// vary20 returns d varied by up to 20% either way, by n(k), a number drawn
// from [0, k).
func vary20(d time.Duration, n func(k time.Duration) time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - d/5 + n(2*(d/5)+1)
}

// wait calls read, the first time at once unless pauseFirst, and tells
// progress of each value read, until done says the value ends the wait (its
// error, if any, is returned with the value), a read fails, or ctx ends
// during a pause: then the error begins with waiting(last value read), or
// with waiting(nil) before the first read.
func (w waiter[T]) wait(ctx context.Context, sleep func(context.Context, time.Duration) error,
	read func(context.Context) (*T, error), done func(*T) (bool, error), waiting func(*T) string,
) (*T, error) {
	pauses := w.schedule()
	var last *T
	for pause := w.pauseFirst; ; pause = true {
		if pause {
			if err := sleep(ctx, pauses.next()); err != nil {
				return nil, fmt.Errorf("%s: %w", waiting(last), err)
			}
		}
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
		last = out
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
		if out == nil {
			return fmt.Sprintf("%s: waiting for order %d", prefix, in.OrderID)
		}
		return fmt.Sprintf("%s: waiting for order %d (last state %q)", prefix, in.OrderID, out.State)
	}
	return w.wait(ctx, c.cfg.sleep, read, done, waiting)
}

// WaitOption configures WaitForCertificate.
type WaitOption func(*waitConfig)

// waitConfig is what WaitOptions set.
type waitConfig = waiter[DescribeCertificateStateOutput]

// WithPollInterval fixes the time between polls at d. Without it (or with a
// d of zero or less) the pauses adapt: about 2s, 4s, 8s, 16s, then 30s,
// each varied at random by up to 20% and never above 30s, so that a quick
// issuance is noticed within seconds and a slow one costs no more reads
// than polling every 30s. (Polling without a pause would only spend the
// account's read quota and get the calls throttled.) Tests against a fake
// service give a small d, such as a millisecond, to wait without sleeping.
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

// WaitForCertificate polls DescribeCertificateState, the first time at once
// and then after each pause (see WithPollInterval), until the order is
// issued (it returns that output), fails verification (it returns that
// output and an error matching ErrVerifyFailed), a read fails after its own
// retries, or ctx ends (ctx's error). It keeps polling while
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
