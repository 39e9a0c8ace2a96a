package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hookLog is a deploy hook that appends a line to a log file per run, and
// the function that counts those runs.
func hookLog(t *testing.T) (cmd string, runs func() int) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "hook.log")
	return fmt.Sprintf("echo ran >> '%s'", log), func() int {
		b, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return 0
		}
		require.NoError(t, err)
		return strings.Count(string(b), "ran\n")
	}
}

func TestObtainDeployHookGetsTheCertificateAndNoSecret(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	envFile := filepath.Join(t.TempDir(), "env")
	c := &cli{fake: srv, environ: func() []string {
		return []string{"PATH=" + os.Getenv("PATH"), "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIexampleid",
			"ALIBABA_CLOUD_ACCESS_KEY_SECRET=s3cr3t-never-shown", "ALICLOUD_SECRET_KEY=s3cr3t-never-shown", "KEEP=kept"}
	}}
	r := runCLI(t, c, "obtain", "-fake", "-domain", "example.com", "-out", dir,
		"-deploy-hook", fmt.Sprintf("env > '%s'; echo hook-output", envFile))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "hook-output", "the hook's output goes to stderr")
	assert.NotContains(t, r.stdout, "hook-output")
	b, err := os.ReadFile(envFile)
	require.NoError(t, err)
	env := string(b)
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	orderID := creates(srv)
	require.Len(t, orderID, 1)
	for _, want := range []string{"ALICERT_DOMAIN=example.com", "ALICERT_CERT_PATH=" + filepath.Join(abs, "cert.pem"),
		"ALICERT_KEY_PATH=" + filepath.Join(abs, "key.pem"), "ALICERT_FULLCHAIN_PATH=" + filepath.Join(abs, "fullchain.pem"),
		"KEEP=kept"} {
		assert.Contains(t, strings.Split(env, "\n"), want)
	}
	assert.Regexp(t, `(?m)^ALICERT_ORDER_ID=[1-9][0-9]*$`, env)
	assert.NotContains(t, env, "s3cr3t")
	assert.NotContains(t, env, "LTAIexampleid")
	assert.NotContains(t, env, "ALIBABA_CLOUD_")
	_, err = os.Stat(filepath.Join(dir, store.StateFile))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing is owed any more")
}

func TestObtainDeployHookRunsOnceAndNotWhenNothingIsDue(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	hook, runs := hookLog(t)
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir, "-deploy-hook", hook}
	r := runCmd(t, srv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, runs())
	again := runCmd(t, srv, append(args, "-q")...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Empty(t, again.stdout+again.stderr)
	assert.Equal(t, 1, runs(), "nothing new was installed")
}

// A failing hook fails the run, naming the hook; the certificate stays
// installed, and the next run runs the hook again.
func TestObtainFailingDeployHookIsRunAgain(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-deploy-hook", "exit 3")
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `the -deploy-hook command (exit ...) failed: exit status 3`)
	assert.Contains(t, r.stderr, "stays installed")
	require.NotEmpty(t, readCerts(t, filepath.Join(dir, store.CertFile)))
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.NotNil(t, st.DeployHook)
	assert.Zero(t, st.OrderID, "the order is done with")

	hook, runs := hookLog(t)
	again := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir, "-deploy-hook", hook)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Equal(t, 1, runs())
	assert.Len(t, creates(srv), 1, "no second order")
	_, err = os.Stat(filepath.Join(dir, store.StateFile))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestObtainDeployHookTimeout(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	r := runCmd(t, srv, "obtain", "-fake", "-domain", "example.com", "-out", dir,
		"-deploy-hook", "sleep 30", "-hook-timeout", "50ms")
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "timed out after -hook-timeout 50ms")
}

func TestObtainDeployHookFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range [][]string{{"-deploy-hook", " "}, {"-deploy-hook", "true", "-hook-timeout", "0s"}} {
		r := runCmd(t, nil, append([]string{"obtain", "-fake", "-domain", "example.com", "-out", t.TempDir()}, tc...)...)
		assert.Equal(t, exitUsage, r.code, r.stderr)
	}
}

// A run stopped at any step, between the switch to the new certificate and
// its hook included, is carried on by the next run: the hook runs once
// (twice only when the run stopped right after the hook, before recording
// it done), with and without -deploy.
func TestObtainDeployHookCrashAtEveryStep(t *testing.T) {
	t.Parallel()
	for _, deploy := range []bool{false, true} {
		line := func(dir, hook string) []string {
			args := []string{"obtain", "-fake", "-domain", deployDomain, "-out", dir, "-deploy-hook", hook}
			if deploy {
				args = append(args, "-deploy")
			}
			return args
		}
		hook, _ := hookLog(t)
		first := t.TempDir()
		code, steps := crashAt(t, rolloutFake(t), first, "", line(first, hook)...)
		require.Equal(t, exitOK, code)
		require.Contains(t, steps, "hook")
		seen := map[string]bool{}
		for _, step := range steps {
			if seen[step] {
				continue
			}
			seen[step] = true
			name := fmt.Sprintf("deploy %v, crash at %s", deploy, step)
			srv := rolloutFake(t)
			dir := t.TempDir()
			hook, runs := hookLog(t)
			code, _ := crashAt(t, srv, dir, step, line(dir, hook)...)
			require.Equal(t, -1, code, name)
			r := runCmd(t, srv, line(dir, hook)...)
			require.Equal(t, exitOK, r.code, "%s: %s", name, r.stderr)
			want := 1
			if step == "hook" {
				want = 2
			}
			assert.Equal(t, want, runs(), name)
			assert.Equal(t, 1, len(creates(srv)), "%s: one order", name)
			st, err := store.LoadState(dir)
			require.NoError(t, err, name)
			if st != nil {
				assert.Nil(t, st.DeployHook, name)
				assert.Nil(t, st.Rollout, name)
			}
			assert.Empty(t, orderKeyFiles(t, dir), name)
		}
	}
}
