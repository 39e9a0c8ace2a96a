package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tickingClock returns a clock that moves on by step at every reading:
// a wait of many reads looks minutes long, and no test waits for real.
func tickingClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Now()
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

// A long wait for the CA prints a line at least every minute, with the
// state and the time elapsed; -q prints none.
func TestObtainWaitPrintsProgressEveryMinute(t *testing.T) {
	t.Parallel()
	srv := newFake(t, alicerttest.WithReadsPerState(12))
	r := runCLI(t, &cli{fake: srv, now: tickingClock(25 * time.Second)},
		"obtain", "-fake", "-domain", "example.com", "-out", filepath.Join(t.TempDir(), "out"))
	require.Equal(t, exitOK, r.code, r.stderr)
	still := regexp.MustCompile(`(?m)^alicert: order \d+: still (domain_verify|process), \d+m\d+s elapsed$`).FindAllString(r.stderr, -1)
	assert.GreaterOrEqual(t, len(still), 4, r.stderr)

	quiet := runCLI(t, &cli{fake: srv, now: tickingClock(25 * time.Second)},
		"obtain", "-fake", "-domain", "example.org", "-q", "-out", filepath.Join(t.TempDir(), "out"))
	require.Equal(t, exitOK, quiet.code, quiet.stderr)
	assert.Empty(t, quiet.stderr)
}

// A deployment's reads of its job say how long it has taken once past a
// minute; -q prints none.
func TestDeployWaitShowsElapsed(t *testing.T) {
	t.Parallel()
	srv := deployFake(t)
	r := runCLI(t, &cli{fake: srv, now: tickingClock(25 * time.Second)}, "deploy", "-fake", "-cert", "2002", "-replace", "1001")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^alicert: job \d+: \w+, \d+m\d+s elapsed$`, r.stderr)
	assert.False(t, strings.Contains(strings.SplitN(r.stderr, "\n", 2)[0], "elapsed"), "not before a minute")

	srv = deployFake(t)
	quiet := runCLI(t, &cli{fake: srv, now: tickingClock(25 * time.Second)}, "deploy", "-fake", "-cert", "2002", "-replace", "1001", "-q")
	require.Equal(t, exitOK, quiet.code, quiet.stderr)
	assert.Empty(t, quiet.stderr)
}
