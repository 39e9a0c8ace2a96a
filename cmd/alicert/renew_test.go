package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renewSetup is a config of three certificates: deployDomain deployed and
// with a hook, api.example.com with a hook, shop.example.com alone. It
// returns the config's path, the output directories, and the hooks' run
// counters.
type renewSetup struct {
	config   string
	dirs     []string
	hookRuns []func() int
}

func newRenewSetup(t *testing.T) renewSetup {
	t.Helper()
	base := t.TempDir()
	hookA, runsA := hookLog(t)
	hookB, runsB := hookLog(t)
	cfg := fmt.Sprintf(`{"certificates": [
  {"domain": %q, "out": "www", "deploy": true, "deploy_hook": %q},
  {"domain": "api.example.com", "out": %q, "key_type": "rsa2048", "deploy_hook": %q},
  {"domain": "shop.example.com", "out": "shop", "renew_within": "20d"}
]}`, deployDomain, hookA, filepath.Join(base, "api"), hookB)
	path := filepath.Join(base, "alicert.json")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return renewSetup{config: path, dirs: []string{filepath.Join(base, "www"), filepath.Join(base, "api"), filepath.Join(base, "shop")},
		hookRuns: []func() int{runsA, runsB}}
}

// checkRenewed asserts that every certificate of s is in place, each hook
// ran hooks[i] times, and the deployed one is served.
func (s renewSetup) checkRenewed(t *testing.T, srv *alicerttest.Server, hooks []int, name string) {
	t.Helper()
	for i, dir := range s.dirs {
		assert.NotEmpty(t, readCerts(t, filepath.Join(dir, store.CertFile)), "%s: %s", name, dir)
		if i < 2 {
			// The entries with a hook or a deployment record what they
			// install; a plain one stopped after the switch keeps its
			// order's key file until the next renewal.
			assert.Empty(t, orderKeyFiles(t, dir), name)
		}
	}
	for i, runs := range s.hookRuns {
		assert.Equal(t, hooks[i], runs(), "%s: hook %d", name, i)
	}
	st, err := store.LoadState(s.dirs[0])
	require.NoError(t, err, name)
	require.NotNil(t, st, name)
	assert.Nil(t, st.Rollout, name)
	assert.Nil(t, st.DeployHook, name)
	assert.Equal(t, []int64{st.CertID, st.CertID}, servedCerts(srv), "%s: deployed", name)
	assert.Equal(t, 3, len(creates(srv)), "%s: one order per certificate", name)
}

func TestRenewObtainsEveryCertificateThenNothing(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	s := newRenewSetup(t)
	r := runCmd(t, srv, "renew", "-fake", "-config", s.config)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	for i, domain := range []string{deployDomain, "api.example.com", "shop.example.com"} {
		assert.True(t, strings.HasPrefix(lines[i], domain+": renewed, valid until "), lines[i])
		assert.True(t, strings.HasSuffix(lines[i], "("+s.dirs[i]+")"), lines[i])
	}
	s.checkRenewed(t, srv, []int{1, 1}, "first run")
	assert.Equal(t, "RSA", readCerts(t, filepath.Join(s.dirs[1], store.CertFile))[0].PublicKeyAlgorithm.String())

	again := runCmd(t, srv, "renew", "-fake", "-q", "-config", s.config)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Empty(t, again.stdout+again.stderr, "nothing changed")
	s.checkRenewed(t, srv, []int{1, 1}, "second run")

	loud := runCmd(t, srv, "renew", "-fake", "-config", s.config)
	require.Equal(t, exitOK, loud.code, loud.stderr)
	assert.Equal(t, 3, strings.Count(loud.stdout, ": unchanged, valid until"), loud.stdout)
}

func TestRenewJSONOneObjectPerEntry(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	s := newRenewSetup(t)
	r := runCmd(t, srv, "renew", "-fake", "-json", "-config", s.config)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3)
	for i, line := range lines {
		var res renewResult
		require.NoError(t, json.Unmarshal([]byte(line), &res), line)
		assert.Equal(t, s.dirs[i], res.Out)
		assert.Equal(t, renewRenewed, res.Status)
		assert.Zero(t, res.ExitCode)
		assert.NotEmpty(t, res.NotAfter)
		assert.Equal(t, certSerial(s.dirs[i]), res.Serial)
	}
}

// A failing entry does not stop the others, and the exit code is that of
// the first entry that failed.
func TestRenewFailingEntryDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	base := t.TempDir()
	cfg := `{"certificates": [
  {"domain": "a.example.com", "out": "a", "deploy_hook": "exit 7"},
  {"domain": "bad domain", "out": "b"},
  {"domain": "c.example.com", "out": "c"}
]}`
	path := filepath.Join(base, "alicert.json")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	r := runCmd(t, srv, "renew", "-fake", "-config", path)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stdout, "a.example.com: failed (exit 1), valid until")
	assert.Contains(t, r.stdout, "bad domain: failed (exit 2)")
	assert.Contains(t, r.stdout, "c.example.com: renewed")
	assert.Contains(t, r.stderr, `the -deploy-hook command (exit ...) failed: exit status 7`)
	assert.NotEmpty(t, readCerts(t, filepath.Join(base, "c", store.CertFile)))
}

func TestRenewConfigRefusesSecretsAndMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, cfg, want string }{
		{"secret", `{"certificates": [{"domain": "a.example.com", "out": "a", "access_key_secret": "hunter2-value"}]}`,
			"certificates[0].access_key_secret: a config file never holds a secret"},
		{"secret at the top", `{"AccessKeyId": "LTAIexample", "certificates": []}`, "AccessKeyId: a config file never holds a secret"},
		{"unknown key", `{"certificates": [{"domain": "a.example.com", "out": "a", "domian": "x"}]}`, `unknown field "domian"`},
		{"shared directory", `{"certificates": [{"domain": "a.example.com", "out": "a"}, {"domain": "b.example.com", "out": "./a"}]}`,
			"certificates[1].out is certificates[0].out"},
		{"missing fields", `{"certificates": [{"out": "a"}, {"domain": "b.example.com"}]}`,
			"certificates[0].domain is required; certificates[1].out is required"},
		{"empty", `{"certificates": []}`, "lists no certificate"},
		{"not JSON", `certificates = []`, "invalid character"},
	} {
		base := t.TempDir()
		path := filepath.Join(base, "alicert.json")
		require.NoError(t, os.WriteFile(path, []byte(tc.cfg), 0o600))
		r := runCmd(t, nil, "renew", "-fake", "-config", path)
		assert.Equal(t, exitUsage, r.code, tc.name)
		assert.Contains(t, r.stderr, tc.want, tc.name)
		oneLine(t, r.stderr)
		assert.NotContains(t, r.stderr, "hunter2", tc.name)
		assert.NotContains(t, r.stderr, "LTAIexample", tc.name)
		entries, err := os.ReadDir(base)
		require.NoError(t, err)
		assert.Len(t, entries, 1, "%s: nothing was made", tc.name)
	}
	r := runCmd(t, nil, "renew", "-fake")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-config is required")
}

// crashAtIndex runs the command line against srv and stops it, as a
// crash would, at the k-th step it reaches (counting from 0).
func crashAtIndex(t *testing.T, srv *alicerttest.Server, k int, args ...string) (code int) {
	t.Helper()
	n := 0
	hook := func(string) {
		if n == k {
			runtime.Goexit()
		}
		n++
	}
	c := &cli{fake: srv, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, now: time.Now, getenv: testEnv(t),
		crashHook: hook, installHook: func(s string) error { hook(s); return nil }}
	code = -1
	done := make(chan struct{})
	go func() {
		defer close(done)
		code = c.run(t.Context(), args)
	}()
	<-done
	return code
}

// renewCrashSteps are the steps TestRenewCrashAtEveryStep stops a run at,
// in each entry: the crash points, and the switch to the new version.
var renewCrashSteps = map[string]bool{"ordered": true, "obtained": true, "record rollout": true, "record hook": true,
	"rename " + store.LiveTmp: true, "prune": true, "installed": true, "hook": true, "cert id": true, "resources": true,
	"job": true, "deployed": true}

// A renew run stopped at any step of any entry is carried on by the next
// run: every certificate is obtained once, each hook runs once (twice only
// when the run stopped right after a hook, before recording it), the
// deployment is done, and a quiet run then prints nothing.
func TestRenewCrashAtEveryStep(t *testing.T) {
	t.Parallel()
	first := newRenewSetup(t)
	code, steps := crashAt(t, rolloutFake(t), first.dirs[0], "", "renew", "-fake", "-config", first.config)
	require.Equal(t, exitOK, code)
	require.Contains(t, steps, "hook")
	require.Contains(t, steps, "deployed")
	hooksSeen, tried := 0, 0
	for k, step := range steps {
		if step == "hook" {
			hooksSeen++
		}
		if !renewCrashSteps[step] {
			continue
		}
		tried++
		name := fmt.Sprintf("crash at step %d, %s", k, step)
		srv := rolloutFake(t)
		s := newRenewSetup(t)
		require.Equal(t, -1, crashAtIndex(t, srv, k, "renew", "-fake", "-config", s.config), name)
		r := runCmd(t, srv, "renew", "-fake", "-config", s.config)
		require.Equal(t, exitOK, r.code, "%s: %s", name, r.stderr)
		hooks := []int{1, 1}
		if step == "hook" {
			hooks[hooksSeen-1] = 2 // stopped after that hook ran, before recording it
		}
		s.checkRenewed(t, srv, hooks, name)
		again := runCmd(t, srv, "renew", "-fake", "-q", "-config", s.config)
		require.Equal(t, exitOK, again.code, again.stderr)
		assert.Empty(t, again.stdout+again.stderr, "%s: then nothing", name)
	}
	assert.Equal(t, 22, tried, "every step of every entry")
}

// -dry-run orders nothing and writes nothing, and says what a real run
// would do.
func TestRenewAndObtainDryRun(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	s := newRenewSetup(t)
	r := runCmd(t, srv, "renew", "-fake", "-dry-run", "-config", s.config)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, ": checked"), r.stdout)
	assert.Contains(t, r.stderr, "a real run would order a certificate for "+deployDomain)
	assert.Contains(t, r.stderr, "then deploy it to the 2 cloud resources serving a certificate for "+deployDomain)
	for _, dir := range s.dirs {
		assert.NoDirExists(t, dir, "nothing was written")
	}
	assert.Empty(t, creates(srv), "nothing was ordered")
	for _, req := range srv.Requests() {
		assert.NotContains(t, []string{"AddDomainRecord", "UploadUserCertificate", "CreateDeploymentJob"}, req.Action, "reads only")
	}
	assert.Equal(t, 3, srv.RequestCount("DescribePackageState"), "one read of the credentials and quota per entry")

	// Once the certificates exist, a dry run says a real run would do
	// nothing.
	require.Equal(t, exitOK, runCmd(t, srv, "renew", "-fake", "-q", "-config", s.config).code)
	stat := func() string {
		var b strings.Builder
		for _, dir := range s.dirs {
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				info, err := e.Info()
				require.NoError(t, err)
				fmt.Fprintf(&b, "%s %s %v\n", dir, e.Name(), info.ModTime())
			}
		}
		return b.String()
	}
	before, orders := stat(), len(creates(srv))
	o := runCmd(t, srv, "obtain", "-fake", "-dry-run", "-domain", "api.example.com", "-out", s.dirs[1])
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "a real run would do nothing now")
	o = runCmd(t, srv, "obtain", "-fake", "-dry-run", "-domain", "api.example.com", "-out", s.dirs[1], "-renew-within", "0")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "a real run would order a certificate for api.example.com")
	assert.Equal(t, before, stat(), "no file was touched, no lock taken")
	assert.Len(t, creates(srv), orders)
}

// -profile takes the credentials from the named CLI profile: the requests
// carry its AccessKey id, and its secret is never printed.
func TestProfileCredentials(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	file := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"current": "default", "profiles": [
  {"name": "default", "mode": "AK", "access_key_id": "LTAIdefaultprofile", "access_key_secret": "default-secret-value"},
  {"name": "ops", "mode": "AK", "access_key_id": "LTAIopsprofile", "access_key_secret": "ops-secret-value"}]}`), 0o600))
	env := map[string]string{"ALIBABA_CLOUD_CONFIG_FILE": file, "ALICERT_USERNAME": "Ops", "ALICERT_PHONE": "13800000000",
		"ALICERT_EMAIL": "ops@example.com"}
	c := &cli{getenv: func(k string) string { return env[k] }, clientOptions: srv.ClientOptions()[1:]}
	r := runCLI(t, c, "obtain", "-dry-run", "-profile", "ops", "-domain", "example.com", "-out", t.TempDir(), "-timeout", "5s")
	require.NotEmpty(t, srv.Requests())
	assert.Equal(t, "LTAIopsprofile", srv.Requests()[0].Params.Get("AccessKeyId"))
	assert.Equal(t, exitFailure, r.code, "the fake does not know that key")
	assert.NotContains(t, r.stdout+r.stderr, "secret-value")
}

// A dry run over a state file that records an order of unknown outcome
// stops as the real run would, exit 3, and leaves the file as it was.
func TestObtainDryRunUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	require.NoError(t, store.SaveState(dir, &store.State{Domain: "example.com", Fake: true, CreateSentAt: time.Now().UTC()}))
	before, err := os.ReadFile(filepath.Join(dir, store.StateFile))
	require.NoError(t, err)
	r := runCmd(t, srv, "obtain", "-fake", "-dry-run", "-domain", "example.com", "-out", dir)
	assert.Equal(t, exitOutcomeUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "a real run would stop here")
	after, err := os.ReadFile(filepath.Join(dir, store.StateFile))
	require.NoError(t, err)
	assert.Equal(t, before, after)
	assert.Empty(t, srv.Requests(), "nothing sent")
}

// Each entry runs under the lock of its own directory: one another run
// holds is skipped with exit 5, and the others go on.
func TestRenewEntryUnderItsOwnLock(t *testing.T) {
	t.Parallel()
	srv := rolloutFake(t)
	s := newRenewSetup(t)
	require.NoError(t, os.MkdirAll(s.dirs[1], 0o700))
	unlock, err := store.LockDir(t.Context(), s.dirs[1], 0)
	require.NoError(t, err)
	r := runCmd(t, srv, "renew", "-fake", "-lock-wait", "0s", "-config", s.config)
	unlock()
	require.Equal(t, exitLocked, r.code, r.stderr)
	assert.Contains(t, r.stdout, "api.example.com: failed (exit 5)")
	assert.Equal(t, 2, strings.Count(r.stdout, ": renewed"), r.stdout)
	assert.NoFileExists(t, filepath.Join(s.dirs[1], store.CertFile))

	again := runCmd(t, srv, "renew", "-fake", "-config", s.config)
	require.Equal(t, exitOK, again.code, again.stderr)
	s.checkRenewed(t, srv, []int{1, 1}, "after the lock is released")
}
