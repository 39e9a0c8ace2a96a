package alicert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitOrderID is above 2^53, so that the order id in every poll is checked
// for exactness too.
const waitOrderID = 98987582437920968

// waitStep is one scripted reply of the DescribeCertificateState server.
type waitStep struct {
	status int
	body   string
}

func waitState(s CertificateState) waitStep {
	body := fmt.Sprintf(`{"RequestId":"REQ-%s","Type":%q,"ValidateType":"DNS"}`, s, s)
	if s == StateCertificate {
		body = `{"RequestId":"REQ-certificate","Type":"certificate",` +
			`"Certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",` +
			`"PrivateKey":"-----BEGIN RSA PRIVATE KEY-----\nwaitKey\n-----END RSA PRIVATE KEY-----"}`
	}
	return waitStep{status: http.StatusOK, body: body}
}

func waitAPIError(status int, code string) waitStep {
	return waitStep{status: status, body: fmt.Sprintf(`{"RequestId":"REQ-%s","Code":%q,"Message":"scripted"}`, code, code)}
}

// newWaitServer answers with script in order, repeating the last step, and
// checks that every request is a DescribeCertificateState for waitOrderID.
func newWaitServer(t *testing.T, script ...waitStep) *testkit.Server {
	t.Helper()
	return newWireServer(t, func(n int, form url.Values) (int, string) {
		if form.Get("Action") != "DescribeCertificateState" || form.Get("OrderId") != "98987582437920968" {
			return http.StatusBadRequest, `{"Code":"UnexpectedRequest","Message":"` + form.Get("Action") + `"}`
		}
		s := script[min(n, len(script))-1]
		return s.status, s.body
	})
}

func waitInput() *DescribeCertificateStateInput {
	return &DescribeCertificateStateInput{OrderID: waitOrderID}
}

// waitStates records what WithProgress reports.
type waitStates struct {
	mu     sync.Mutex
	states []CertificateState
}

func (w *waitStates) record(o *DescribeCertificateStateOutput) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.states = append(w.states, o.State)
}

func (w *waitStates) get() []CertificateState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]CertificateState(nil), w.states...)
}

func TestWaitIssuedAfterPolls(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t,
		waitState(StateDomainVerify), waitState(StateProcess), waitState(StatePayed),
		waitState(StateUnknown), waitState(StateProcess), waitState(StateCertificate))
	var seen waitStates
	out, err := clientOf(t, srv).CAS.WaitForCertificate(t.Context(), waitInput(),
		WithPollInterval(time.Millisecond), nil, WithProgress(seen.record))
	require.NoError(t, err)
	require.NotNil(t, out)
	assert.Equal(t, StateCertificate, out.State)
	assert.Contains(t, out.Certificate, "BEGIN CERTIFICATE")
	assert.Contains(t, out.PrivateKey, "waitKey")
	assert.Equal(t, "REQ-certificate", out.RequestID)
	assert.Len(t, srv.Requests(), 6, "one request per poll, none after issuance")
	assert.Equal(t, []CertificateState{StateDomainVerify, StateProcess, StatePayed, StateUnknown, StateProcess, StateCertificate},
		seen.get(), "WithProgress sees each state read")
}

func TestWaitIssuedAtOnce(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StateCertificate))
	out, err := clientOf(t, srv).CAS.WaitForCertificate(t.Context(), waitInput(), WithPollInterval(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, StateCertificate, out.State)
	assert.Len(t, srv.Requests(), 1, "the first poll happens at once")
}

func TestWaitVerifyFailed(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StateDomainVerify), waitState(StateProcess), waitState(StateVerifyFail))
	var seen waitStates
	out, err := clientOf(t, srv).CAS.WaitForCertificate(t.Context(), waitInput(),
		WithPollInterval(time.Millisecond), WithProgress(seen.record))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrVerifyFailed)
	require.NotNil(t, out, "the failed order's output comes back with the error")
	assert.Equal(t, StateVerifyFail, out.State)
	assert.Equal(t, "REQ-verify_fail", out.RequestID)
	assert.Contains(t, err.Error(), "98987582437920968", "the error names the order")
	assert.Len(t, srv.Requests(), 3, "no poll after verify_fail")
	assert.Equal(t, []CertificateState{StateDomainVerify, StateProcess, StateVerifyFail}, seen.get())
}

// TestWaitDeadline checks that a ctx deadline interrupts the wait between
// polls, long before the next poll is due.
func TestWaitDeadline(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StateProcess))
	c := clientOf(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()

	type result struct {
		out *DescribeCertificateStateOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := c.CAS.WaitForCertificate(ctx, waitInput(), WithPollInterval(time.Hour))
		done <- result{out, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		// A guard, not a measurement: without it a wait that ignores ctx
		// would hang until the hour-long poll interval ends.
		t.Fatal("WaitForCertificate did not return after its context's deadline")
	}
	require.Error(t, r.err)
	assert.ErrorIs(t, r.err, context.DeadlineExceeded)
	assert.Nil(t, r.out)
	assert.LessOrEqual(t, len(srv.Requests()), 1, "no second poll within the hour")
}

// TestWaitCancelStopsPolling cancels the context from the progress callback
// of the third poll: no fourth poll may follow.
func TestWaitCancelStopsPolling(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StateDomainVerify))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	polls := 0
	out, err := clientOf(t, srv).CAS.WaitForCertificate(ctx, waitInput(), WithPollInterval(time.Millisecond),
		WithProgress(func(*DescribeCertificateStateOutput) {
			if polls++; polls == 3 {
				cancel()
			}
		}))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, out)
	assert.Equal(t, 3, polls)
	assert.Len(t, srv.Requests(), 3)
	assert.Contains(t, err.Error(), string(StateDomainVerify), "the error says the last state seen")
}

// TestWaitDescribeErrorEndsWait checks that a read error that survives
// DescribeCertificateState's own retries ends the wait with that error.
func TestWaitDescribeErrorEndsWait(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		script   []waitStep
		attempts int
		requests int
		status   int
		code     string
	}{
		// 5xx on a read is retried up to the attempt limit, then ends the wait.
		{"5xx after retries", []waitStep{waitState(StateProcess), waitAPIError(500, "InternalError")}, 3, 1 + 3, 500, "InternalError"},
		{"throttled after retries", []waitStep{waitAPIError(400, "Throttling.User")}, 2, 2, 400, "Throttling.User"},
		// A client error is not retried at all.
		{"not found", []waitStep{waitState(StateDomainVerify), waitState(StateProcess), waitAPIError(404, "OrderNotFound")}, 3, 3, 404, "OrderNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newWaitServer(t, tc.script...)
			c := clientOf(t, srv, WithMaxAttempts(tc.attempts))
			out, err := c.CAS.WaitForCertificate(t.Context(), waitInput(), WithPollInterval(time.Millisecond))
			var apiErr *APIError
			require.True(t, errors.As(err, &apiErr), "want an *APIError, got %v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, "DescribeCertificateState", apiErr.Operation)
			assert.Nil(t, out)
			assert.Len(t, srv.Requests(), tc.requests)
			assert.NotErrorIs(t, err, ErrVerifyFailed)
		})
	}
}

// TestWaitRetriesWithinPoll checks that a throttled read is retried inside
// one poll: the wait goes on and progress sees only real states.
func TestWaitRetriesWithinPoll(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StateProcess), waitAPIError(400, "Throttling"), waitAPIError(503, "ServiceUnavailable"),
		waitState(StateCertificate))
	var seen waitStates
	out, err := clientOf(t, srv).CAS.WaitForCertificate(t.Context(), waitInput(),
		WithPollInterval(time.Millisecond), WithProgress(seen.record))
	require.NoError(t, err)
	assert.Equal(t, StateCertificate, out.State)
	assert.Len(t, srv.Requests(), 4)
	assert.Equal(t, []CertificateState{StateProcess, StateCertificate}, seen.get())
}

// waitEvents records polls and sleeps in the order they happen.
type waitEvents struct {
	mu     sync.Mutex
	events []string
}

func (w *waitEvents) add(e string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, e)
}

func (w *waitEvents) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.events...)
}

// TestWaitPollInterval replaces the client's sleep to see the pauses asked
// for, without waiting for them: WithPollInterval fixes them, and without
// it (or with a non-positive interval) they adapt, about 2s then 4s.
func TestWaitPollInterval(t *testing.T) {
	t.Parallel()
	adaptive := []time.Duration{2 * time.Second, 4 * time.Second}
	for _, tc := range []struct {
		name  string
		opts  []WaitOption
		fixed time.Duration // 0: adaptive
	}{
		{"default", nil, 0},
		{"WithPollInterval", []WaitOption{WithPollInterval(5 * time.Minute)}, 5 * time.Minute},
		{"last option wins", []WaitOption{WithPollInterval(time.Minute), WithPollInterval(2 * time.Second)}, 2 * time.Second},
		{"zero keeps the default", []WaitOption{WithPollInterval(0)}, 0},
		{"negative keeps the default", []WaitOption{WithPollInterval(-time.Second)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ev waitEvents
			var pauses []time.Duration
			script := []waitStep{waitState(StateDomainVerify), waitState(StateProcess), waitState(StateCertificate)}
			srv := newWireServer(t, func(n int, _ url.Values) (int, string) {
				ev.add("poll")
				return script[n-1].status, script[n-1].body
			})
			recordSleep := func(c *config) {
				c.sleep = func(ctx context.Context, d time.Duration) error {
					ev.add("sleep")
					pauses = append(pauses, d)
					return ctx.Err()
				}
			}
			out, err := clientOf(t, srv, recordSleep).CAS.WaitForCertificate(t.Context(), waitInput(), tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, StateCertificate, out.State)
			assert.Equal(t, []string{"poll", "sleep", "poll", "sleep", "poll"}, ev.get(), "the first poll at once")
			require.Len(t, pauses, 2)
			for i, d := range pauses {
				if tc.fixed > 0 {
					assert.Equal(t, tc.fixed, d)
				} else {
					assertJittered(t, adaptive[i], d)
				}
			}
		})
	}
}

// assertJittered checks that d is nominal varied by at most 20%.
func assertJittered(t *testing.T, nominal, d time.Duration) {
	t.Helper()
	if d < nominal-nominal/5 || d > nominal+nominal/5 {
		t.Errorf("pause %v, want %v ± 20%%", d, nominal)
	}
}

// waitFileProvider presents and removes files without doing anything.
type waitFileProvider struct{}

func (waitFileProvider) Present(context.Context, FileChallenge) error { return nil }
func (waitFileProvider) CleanUp(context.Context, FileChallenge) error { return nil }

// TestObtainWaitsLikeWaitForCertificate: Obtain waits with the same loop as
// WaitForCertificate, before the order asks for validation and after: each
// read reported as progress, the same pauses between two reads (fixed by
// PollInterval, adaptive when it is zero), a pause before the first read
// once the challenge is presented, and the order's failure ending it.
func TestObtainWaitsLikeWaitForCertificate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		interval time.Duration
		want     []time.Duration // nominal pauses, before jitter when adaptive
	}{
		{"PollInterval", 2 * time.Second, []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}},
		// Each wait has its own schedule: the one once presented starts short.
		{"zero is adaptive", 0, []time.Duration{2 * time.Second, 4 * time.Second, 2 * time.Second, 4 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ev waitEvents
			var pauses []time.Duration
			challenge := waitStep{http.StatusOK, `{"RequestId":"R","Type":"domain_verify","ValidateType":"FILE",` +
				`"Domain":"example.com","Uri":"/.well-known/pki-validation/f.txt","Content":"tok"}`}
			srv := newWaitServer(t, waitState(StatePayed), waitState(StateUnknown), challenge,
				waitState(StateProcess), waitState(StateVerifyFail))
			recordSleep := func(c *config) {
				c.sleep = func(ctx context.Context, d time.Duration) error {
					ev.add("sleep")
					pauses = append(pauses, d)
					return ctx.Err()
				}
			}
			_, err := clientOf(t, srv, recordSleep).CAS.Obtain(t.Context(), &ObtainInput{
				Domain: "example.com", OrderID: waitOrderID, File: waitFileProvider{}, PollInterval: tc.interval,
				Progress: func(e ObtainEvent) {
					if e.Stage == StageWaiting || e.Stage == StagePresented {
						ev.add(string(e.Stage) + " " + string(e.State))
					}
				},
			})
			require.ErrorIs(t, err, ErrVerifyFailed)
			assert.Contains(t, err.Error(), "alicert: Obtain: order 98987582437920968")
			assert.Equal(t, []string{
				"waiting payed", "sleep", "waiting unknow", "sleep", "waiting domain_verify", "presented ",
				"sleep", "waiting process", "sleep", "waiting verify_fail", // a pause once presented
			}, ev.get())
			assert.Len(t, srv.Requests(), 5)
			require.Len(t, pauses, len(tc.want))
			for i, d := range pauses {
				if tc.interval > 0 {
					assert.Equal(t, tc.want[i], d)
				} else {
					assertJittered(t, tc.want[i], d)
				}
			}
		})
	}
}

// TestObtainCancelledBeforeValidationNamesTheLastState: a wait ended by ctx
// before the order asked for validation says where it was.
func TestObtainCancelledBeforeValidationNamesTheLastState(t *testing.T) {
	t.Parallel()
	srv := newWaitServer(t, waitState(StatePayed))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := clientOf(t, srv).CAS.Obtain(ctx, &ObtainInput{
		Domain: "example.com", OrderID: waitOrderID, File: waitFileProvider{}, PollInterval: time.Hour,
		Progress: func(e ObtainEvent) {
			if e.Stage == StageWaiting {
				cancel()
			}
		},
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), `alicert: Obtain: waiting for order 98987582437920968 (last state "payed")`)
}
