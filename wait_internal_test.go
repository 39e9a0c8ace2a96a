package alicert

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// scriptedOrder is a service on a virtual clock: its order is issued at
// issueAt, and the waiter's sleep moves the clock instead of sleeping.
type scriptedOrder struct {
	now, issueAt time.Duration
	reads        int
	pauses       []time.Duration
}

func (o *scriptedOrder) sleep(ctx context.Context, d time.Duration) error {
	o.now += d
	o.pauses = append(o.pauses, d)
	return ctx.Err()
}

func (o *scriptedOrder) read(context.Context) (*CertificateState, error) {
	o.reads++
	st := StateProcess
	if o.now >= o.issueAt {
		st = StateCertificate
	}
	return &st, nil
}

// waitOut runs w against an order issued at issueAt, counted from the
// moment the wait starts, and returns how late the issuance was noticed and
// the reads it took.
func waitOut(t *testing.T, w waiter[CertificateState], issueAt time.Duration) (late time.Duration, reads int, o *scriptedOrder) {
	t.Helper()
	o = &scriptedOrder{issueAt: issueAt}
	done := func(st *CertificateState) (bool, error) { return *st == StateCertificate, nil }
	waiting := func(*CertificateState) string { return "waiting" }
	if _, err := w.wait(t.Context(), o.sleep, o.read, done, waiting); err != nil {
		t.Fatal(err)
	}
	return o.now - issueAt, o.reads, o
}

var (
	// oldSchedule is how both helpers waited before the schedule adapted: a
	// read at once, then one every 30s.
	oldSchedule = waiter[CertificateState]{interval: 30 * time.Second}
	// newSchedule is Obtain's wait once the challenge is presented.
	newSchedule = waiter[CertificateState]{pauseFirst: true}
)

// TestAdaptiveScheduleWithoutJitter pins the schedule itself: pauses of 2s,
// 4s, 8s, 16s, then 30s for good.
func TestAdaptiveScheduleWithoutJitter(t *testing.T) {
	t.Parallel()
	w := newSchedule
	w.jitter = func(d time.Duration) time.Duration { return d }
	_, _, o := waitOut(t, w, 3*time.Minute)
	want := []time.Duration{2, 4, 8, 16, 30, 30, 30, 30, 30} // 30s, then every 30s to 3min
	for i := range want {
		want[i] *= time.Second
	}
	if fmt.Sprint(o.pauses) != fmt.Sprint(want) {
		t.Errorf("pauses %v, want %v", o.pauses, want)
	}
	// A fixed interval stays fixed.
	w = waiter[CertificateState]{interval: 7 * time.Second, pauseFirst: true}
	if _, _, o := waitOut(t, w, 20*time.Second); fmt.Sprint(o.pauses) != "[7s 7s 7s]" {
		t.Errorf("fixed interval: pauses %v, want [7s 7s 7s]", o.pauses)
	}
}

// TestAdaptiveScheduleJitterStaysInBounds: each pause is its step varied by
// at most 20%, and none exceeds the cap.
func TestAdaptiveScheduleJitterStaysInBounds(t *testing.T) {
	t.Parallel()
	for range 200 {
		_, _, o := waitOut(t, newSchedule, 5*time.Minute)
		step := firstPollPause
		for _, d := range o.pauses {
			if d < step-step/5 || d > min(step+step/5, maxPollPause) {
				t.Fatalf("pause %v for a step of %v (pauses %v)", d, step, o.pauses)
			}
			step = min(2*step, maxPollPause)
		}
	}
}

// TestAdaptiveWaitingNoticesIssuanceSooner compares, against a scripted
// service, the adaptive schedule of Obtain once the challenge is presented
// with the former fixed 30s one, for orders issued 10s, 2min and 20min
// after the challenge: how late the issuance is noticed and how many reads
// it takes. "exact" is issuance at that moment; "spread" averages issuance
// over the 30s that follow it, which removes the luck of a read falling
// just on it. The new schedule's figures are means over its jitter, drawn
// from a seeded source so that the figures, and the test, are the same on
// every run.
func TestAdaptiveWaitingNoticesIssuanceSooner(t *testing.T) {
	t.Parallel()
	const trials = 500
	random := rand.New(rand.NewPCG(1, 2))
	newSchedule := newSchedule
	newSchedule.jitter = func(d time.Duration) time.Duration {
		return vary20(d, func(k time.Duration) time.Duration { return time.Duration(random.Int64N(int64(k))) })
	}
	type figures struct {
		late  time.Duration // mean
		worst time.Duration
		reads float64 // mean
	}
	measure := func(w waiter[CertificateState], at func(i int) time.Duration, n int) figures {
		var f figures
		for i := range n {
			late, reads, _ := waitOut(t, w, at(i))
			f.late += late
			f.worst = max(f.worst, late)
			f.reads += float64(reads)
		}
		f.late /= time.Duration(n)
		f.reads /= float64(n)
		return f
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-8s %-6s | %-34s | %-34s\n", "issued", "when", "fixed 30s: late mean/worst, reads", "adaptive: late mean/worst, reads")
	for _, issue := range []time.Duration{10 * time.Second, 2 * time.Minute, 20 * time.Minute} {
		for _, when := range []string{"exact", "spread"} {
			at := func(int) time.Duration { return issue }
			if when == "spread" {
				at = func(i int) time.Duration { return issue + time.Duration(i%trials)*30*time.Second/trials }
			}
			old, adaptive := measure(oldSchedule, at, trials), measure(newSchedule, at, trials)
			fmt.Fprintf(&table, "%-8v %-6s | %7.1fs / %5.1fs, %5.1f reads    | %7.1fs / %5.1fs, %5.1f reads\n", issue, when,
				old.late.Seconds(), old.worst.Seconds(), old.reads, adaptive.late.Seconds(), adaptive.worst.Seconds(), adaptive.reads)

			// The schedule's promises: never noticed later than the cap
			// allows, sooner on average, and for a slow issuance barely more
			// reads: the short pauses add at most three reads in the first
			// 30s, and the pauses at the cap, varied but never above it,
			// average 28.5s.
			if adaptive.worst > maxPollPause {
				t.Errorf("issued at %v (%s): noticed up to %v late, more than the %v cap", issue, when, adaptive.worst, maxPollPause)
			}
			if when == "spread" && adaptive.late > old.late {
				t.Errorf("issued at %v (spread): noticed %v late on average, the fixed schedule %v", issue, adaptive.late, old.late)
			}
			if adaptive.reads > 1.12*old.reads+3 {
				t.Errorf("issued at %v (%s): %.1f reads, the fixed schedule %.1f", issue, when, adaptive.reads, old.reads)
			}
		}
	}
	if late, _, _ := waitOut(t, newSchedule, 10*time.Second); late > 10*time.Second {
		t.Errorf("issued after 10s: noticed %v late; the fixed schedule is 20s late", late)
	}
	t.Log(table.String())
}

// TestPauseFirstEndedByCtxReadsNothing: a wait whose first read comes after
// a pause, ended during it, reads nothing and says so (no last state).
func TestPauseFirstEndedByCtxReadsNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	o := &scriptedOrder{issueAt: time.Hour}
	var lastSeen []string
	waiting := func(st *CertificateState) string {
		lastSeen = append(lastSeen, fmt.Sprint(st))
		return "waiting"
	}
	done := func(*CertificateState) (bool, error) { return false, nil }
	_, err := newSchedule.wait(ctx, o.sleep, o.read, done, waiting)
	if !errors.Is(err, context.Canceled) || o.reads != 0 || fmt.Sprint(lastSeen) != "[<nil>]" {
		t.Errorf("err %v after %d reads, last states %v; want context.Canceled, no read, no last state", err, o.reads, lastSeen)
	}
}
